import type { RequestContext } from '../../gateway/context.js';
import type { ServiceDeps } from '../../server/deps.js';
import type { SecretBox } from '../../crypto/types.js';
import type { ResourceStore } from '../../state/types.js';
import type { AccessKeyMetadata, Operations } from './api.generated.js';
import { userTarget } from './authz.js';
import { accountOf, type Iam } from './context.js';
import { operationsOf } from './define.js';
import { iamErrors } from './errors.js';
import { newAccessKeyId, newSecretAccessKey } from './ids.js';
import { pageFields, pageRecords } from './paging.js';
import { IAM, ROOT_OWNER, nameKey, type AccessKeyDoc } from './store.js';
import { requireUser, targetUserName } from './users.js';

const define = operationsOf<Operations>();

export const MAX_ACCESS_KEYS_PER_USER = 2;

/** The sealing context binds a sealed secret to its key id, so a sealed value copied to another row will not open. */
export const accessKeySecretContext = (accessKeyId: string): string => `access-key:${accessKeyId}`;

/** Mints and stores a long-term key (AKIA…) for a user, or for the root user when `userName` is undefined. */
export async function storeNewAccessKey(
  res: ResourceStore, secrets: SecretBox, account: string, userName: string | undefined, now: Date,
): Promise<{ doc: AccessKeyDoc; secretAccessKey: string }> {
  const secretAccessKey = newSecretAccessKey();
  // 80 random bits make a collision practically impossible; retrying keeps the id unique regardless.
  for (let attempt = 0; attempt < 5; attempt++) {
    const id = newAccessKeyId('AKIA');
    const doc: AccessKeyDoc = {
      AccessKeyId: id, UserName: userName, Status: 'Active', CreateDate: now.toISOString(),
      SealedSecret: secrets.seal(secretAccessKey, accessKeySecretContext(id)),
    };
    if (await res.create(account, IAM, 'access-key', id, doc, userName === undefined ? ROOT_OWNER : nameKey(userName))) {
      return { doc, secretAccessKey };
    }
  }
  throw new Error('could not allocate a unique access key id');
}

const metadata = (d: AccessKeyDoc): AccessKeyMetadata =>
  ({ UserName: d.UserName, AccessKeyId: d.AccessKeyId, Status: d.Status, CreateDate: new Date(d.CreateDate) });

/** The key's owner as stored (lower-cased user name or ROOT_OWNER) for the user an operation targets. */
async function ownerKey(c: Iam, ctx: RequestContext, userName: string | undefined): Promise<string> {
  const name = targetUserName(ctx, userName);
  if (name === undefined) return ROOT_OWNER;
  await requireUser(c, accountOf(ctx), name);
  return nameKey(name);
}

/** A key of the targeted user; another user's key is reported as not found, as AWS does. */
async function requireKey(c: Iam, ctx: RequestContext, userName: string | undefined, accessKeyId: string): Promise<AccessKeyDoc> {
  const owner = await ownerKey(c, ctx, userName);
  const rec = await c.res.get<AccessKeyDoc>(accountOf(ctx), IAM, 'access-key', accessKeyId);
  if (!rec || rec.parentId !== owner) throw iamErrors.noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found`);
  return rec.doc;
}

export function accessKeyOperations(c: Iam) {
  return define({
    CreateAccessKey: {
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        const name = targetUserName(ctx, i.UserName);
        const { doc, secretAccessKey } = await c.tx(async () => {
          const user = name === undefined ? undefined : await requireUser(c, account, name);
          const owner = user ? nameKey(user.UserName) : ROOT_OWNER;
          if ((await c.res.count(account, IAM, 'access-key', owner)) >= MAX_ACCESS_KEYS_PER_USER) {
            throw iamErrors.limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_USER}`);
          }
          return storeNewAccessKey(c.res, c.deps.secrets, account, user?.UserName, c.now());
        });
        c.invalidate(account);
        return { AccessKey: { ...metadata(doc), SecretAccessKey: secretAccessKey } as Operations['CreateAccessKey']['output']['AccessKey'] };
      },
    },
    ListAccessKeys: {
      readOnly: true,
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: async (i, ctx) => {
        const owner = await ownerKey(c, ctx, i.UserName);
        const page = await pageRecords<AccessKeyDoc>(c.res, accountOf(ctx), 'access-key', { parentId: owner, marker: i.Marker, maxItems: i.MaxItems });
        return { AccessKeyMetadata: page.items.map((r) => metadata(r.doc)), ...pageFields(page) };
      },
    },
    UpdateAccessKey: {
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: async (i, ctx) => {
        await c.tx(async () => {
          const key = await requireKey(c, ctx, i.UserName, i.AccessKeyId);
          await c.res.update(accountOf(ctx), IAM, 'access-key', key.AccessKeyId, { ...key, Status: i.Status });
        });
        c.invalidate(accountOf(ctx));
      },
    },
    DeleteAccessKey: {
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: async (i, ctx) => {
        await c.tx(async () => {
          const key = await requireKey(c, ctx, i.UserName, i.AccessKeyId);
          await c.res.delete(accountOf(ctx), IAM, 'access-key', key.AccessKeyId);
        });
        c.invalidate(accountOf(ctx));
      },
    },
    GetAccessKeyLastUsed: {
      readOnly: true,
      authz: async (i, ctx) => {
        const rec = await c.res.get<AccessKeyDoc>(accountOf(ctx), IAM, 'access-key', i.AccessKeyId);
        return rec?.doc.UserName ? userTarget(c, ctx, rec.doc.UserName) : { resources: [ctx.principal!.arn] };
      },
      handler: async (i, ctx) => {
        const rec = await c.res.get<AccessKeyDoc>(accountOf(ctx), IAM, 'access-key', i.AccessKeyId);
        if (!rec) throw iamErrors.noSuchEntity(`The Access Key with id ${i.AccessKeyId} cannot be found`);
        const used = rec.doc.LastUsed;
        // AWS reports a key that was never used with ServiceName and Region "N/A" and no date.
        const AccessKeyLastUsed = used
          ? { LastUsedDate: new Date(used.LastUsedDate), ServiceName: used.ServiceName, Region: used.Region }
          : ({ ServiceName: 'N/A', Region: 'N/A' } as Operations['GetAccessKeyLastUsed']['output']['AccessKeyLastUsed']);
        return { UserName: rec.doc.UserName, AccessKeyLastUsed };
      },
    },
  });
}

const LAST_USED_GRANULARITY_MS = 60_000;
const LAST_USED_TRACKED_MAX = 10_000;
/** Per state backend: when each key's use was last written. */
const lastWrites = new WeakMap<object, Map<string, number>>();

/**
 * Called by the gateway after a long-term key authenticated a request. Writes at most once a minute per key so
 * the hot path stays off the database; never throws (a failed bookkeeping write must not fail the request).
 */
export async function recordAccessKeyUse(
  deps: Pick<ServiceDeps, 'state' | 'log'>, accessKeyId: string, service: string, region: string, when: Date,
): Promise<void> {
  let lastRecorded = lastWrites.get(deps.state);
  if (!lastRecorded) lastWrites.set(deps.state, (lastRecorded = new Map()));
  const prev = lastRecorded.get(accessKeyId);
  if (prev !== undefined && Math.abs(when.getTime() - prev) < LAST_USED_GRANULARITY_MS) return;
  if (lastRecorded.size >= LAST_USED_TRACKED_MAX) lastRecorded.clear();
  lastRecorded.set(accessKeyId, when.getTime());
  try {
    // Read and write in one transaction: a concurrent UpdateAccessKey (Inactive) must not be overwritten.
    await deps.state.db.transaction(async () => {
      const rec = await deps.state.resources.findById<AccessKeyDoc>(IAM, 'access-key', accessKeyId);
      if (!rec) return;
      const LastUsed = { LastUsedDate: when.toISOString(), ServiceName: service, Region: region };
      await deps.state.resources.update(rec.accountId, IAM, 'access-key', accessKeyId, { ...rec.doc, LastUsed });
    });
  } catch (err) {
    deps.log.warn({ err, accessKeyId }, 'could not record access key use');
  }
}
