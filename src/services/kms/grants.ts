import type { RequestContext } from '../../gateway/context.js';
import type { CreateGrantRequest, GrantListEntry, GrantOperation } from './api.generated.js';
import { accountRootArn, grantRecordId } from './arns.js';
import { accountOf, type Kms } from './context.js';
import { handlers } from './define.js';
import { kmsErrors } from './errors.js';
import { findGrantToRetire, grantOfKey } from './grant-retire.js';
import { checkGrantTokens, grantsOfKey, grantToken, newGrantId } from './grant-tokens.js';
import type { Operations } from './model.js';
import { pageFields, recordPage } from './paging.js';
import { requireEnabled, resolveKey } from './resolve.js';
import { KMS, type GrantDoc, type KeyDoc } from './store.js';

/** AWS quota: 50,000 grants per KMS key. */
export const MAX_GRANTS_PER_KEY = 50_000;

/** Operations a grant may allow, per key usage (AWS rejects grants for operations the key cannot do). */
const OPERATIONS_FOR: Record<string, ReadonlySet<GrantOperation>> = {
  ENCRYPT_DECRYPT: new Set<GrantOperation>(['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom',
    'ReEncryptTo', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'CreateGrant', 'RetireGrant', 'DescribeKey']),
  GENERATE_VERIFY_MAC: new Set<GrantOperation>(['GenerateMac', 'VerifyMac', 'CreateGrant', 'RetireGrant', 'DescribeKey']),
};

function grantEntry(g: GrantDoc): GrantListEntry {
  const e: GrantListEntry = {
    KeyId: g.KeyArn, GrantId: g.GrantId, CreationDate: new Date(g.CreationDate), GranteePrincipal: g.GranteePrincipal,
    IssuingAccount: g.IssuingAccount, Operations: g.Operations,
  };
  if (g.Name) e.Name = g.Name;
  if (g.RetiringPrincipal) e.RetiringPrincipal = g.RetiringPrincipal;
  if (g.Constraints) e.Constraints = g.Constraints;
  return e;
}

function checkGrantRequest(key: KeyDoc, i: CreateGrantRequest): void {
  if (i.Operations.length === 0) throw kmsErrors.validation('A grant must allow at least one operation.');
  const allowed = OPERATIONS_FOR[key.KeyUsage];
  const invalid = i.Operations.filter((op) => !allowed.has(op));
  if (invalid.length) throw kmsErrors.validation(`Grant operations ${invalid.join(', ')} are not valid for ${key.Arn} (key usage ${key.KeyUsage}).`);
  if (i.Constraints && key.KeyUsage !== 'ENCRYPT_DECRYPT') {
    throw kmsErrors.validation('Encryption context grant constraints are supported only on symmetric encryption KMS keys.');
  }
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** AWS: a retried CreateGrant with the same Name and parameters returns the existing grant (with a new token). */
function sameGrant(g: GrantDoc, i: CreateGrantRequest): boolean {
  return g.Name === i.Name && g.GranteePrincipal === i.GranteePrincipal && g.RetiringPrincipal === i.RetiringPrincipal &&
    sameJson([...g.Operations].sort(), [...i.Operations].sort()) && sameJson(g.Constraints, i.Constraints);
}

async function createGrant(k: Kms, ctx: RequestContext, i: CreateGrantRequest): Promise<{ GrantId: string; GrantToken: string }> {
  checkGrantTokens(i.GrantTokens);
  return k.tx(async () => {
    const { key } = await resolveKey(k, ctx, i.KeyId);
    requireEnabled(key);
    checkGrantRequest(key, i);
    const existing = await grantsOfKey(k, key.AccountId, key.KeyId);
    const same = i.Name ? existing.find((g) => sameGrant(g, i)) : undefined;
    if (same) return { GrantId: same.GrantId, GrantToken: grantToken(same.GrantId) };
    if (existing.length >= MAX_GRANTS_PER_KEY) throw kmsErrors.limitExceeded(`${key.Arn} already has the maximum of ${MAX_GRANTS_PER_KEY} grants.`);
    const grant: GrantDoc = {
      GrantId: newGrantId(), KeyId: key.KeyId, KeyArn: key.Arn, CreationDate: k.now().toISOString(),
      GranteePrincipal: i.GranteePrincipal, IssuingAccount: accountRootArn(accountOf(ctx)), Operations: [...new Set(i.Operations)],
    };
    if (i.Name) grant.Name = i.Name;
    if (i.RetiringPrincipal) grant.RetiringPrincipal = i.RetiringPrincipal;
    if (i.Constraints) grant.Constraints = i.Constraints;
    await k.res.create(key.AccountId, KMS, 'grant', grantRecordId(key.Region, grant.GrantId), grant, key.KeyId);
    return { GrantId: grant.GrantId, GrantToken: grantToken(grant.GrantId) };
  });
}

async function deleteGrant(k: Kms, g: GrantDoc): Promise<void> {
  const account = g.KeyArn.split(':')[4];
  const region = g.KeyArn.split(':')[3];
  await k.res.delete(account, KMS, 'grant', grantRecordId(region, g.GrantId));
}

export function grantHandlers(k: Kms) {
  return handlers<Operations>()({
    CreateGrant: { handler: (i, ctx) => createGrant(k, ctx, i) },
    ListGrants: {
      readOnly: true,
      handler: async (i, ctx) => {
        const { key } = await resolveKey(k, ctx, i.KeyId);
        if (i.GrantId) await grantOfKey(k, ctx, i.KeyId, i.GrantId);
        const page = await recordPage<GrantDoc>(k, key.AccountId, 'grant', {
          parentId: key.KeyId, limit: i.Limit, marker: i.Marker, defaultLimit: 50,
          filter: (g) => (!i.GrantId || g.GrantId === i.GrantId) && (!i.GranteePrincipal || g.GranteePrincipal === i.GranteePrincipal),
        });
        return { Grants: page.items.map(grantEntry), ...pageFields(page) };
      },
    },
    ListRetirableGrants: {
      readOnly: true,
      handler: async (i, ctx) => {
        const page = await recordPage<GrantDoc>(k, accountOf(ctx), 'grant', {
          idPrefix: `${ctx.region}/`, filter: (g) => g.RetiringPrincipal === i.RetiringPrincipal, limit: i.Limit, marker: i.Marker, defaultLimit: 50,
        });
        return { Grants: page.items.map(grantEntry), ...pageFields(page) };
      },
    },
    RevokeGrant: {
      handler: async (i, ctx) => deleteGrant(k, await grantOfKey(k, ctx, i.KeyId, i.GrantId)),
    },
    RetireGrant: {
      handler: async (i, ctx) => deleteGrant(k, await findGrantToRetire(k, ctx, i)),
    },
  });
}
