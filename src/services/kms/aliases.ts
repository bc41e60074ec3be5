import type { RequestContext } from '../../gateway/context.js';
import type { AliasListEntry } from './api.generated.js';
import { aliasArn, aliasRecordId, parseKeyRef } from './arns.js';
import { aliasNameChecked, existingAlias } from './alias-names.js';
import { accountOf, type Kms } from './context.js';
import { handlers } from './define.js';
import { kmsErrors } from './errors.js';
import type { Operations } from './model.js';
import { pageFields, recordPage } from './paging.js';
import { findAlias, requireNotPendingDeletion, resolveKey } from './resolve.js';
import { KMS, type AliasDoc, type KeyDoc } from './store.js';

/** AWS quota: 50 aliases per KMS key. */
export const MAX_ALIASES_PER_KEY = 50;

function aliasEntry(a: AliasDoc): AliasListEntry {
  return {
    AliasName: a.AliasName, AliasArn: a.AliasArn, TargetKeyId: a.TargetKeyId,
    CreationDate: new Date(a.CreationDate), LastUpdatedDate: new Date(a.LastUpdatedDate),
  };
}

/** An alias target: a key (not an alias) of the caller's own account that is not pending deletion. */
async function targetKey(k: Kms, ctx: RequestContext, targetKeyId: string): Promise<KeyDoc> {
  if (parseKeyRef(targetKeyId).kind === 'alias') throw kmsErrors.validation('Aliases must refer to keys. Not aliases');
  const { key } = await resolveKey(k, ctx, targetKeyId);
  if (key.AccountId !== accountOf(ctx)) throw kmsErrors.keyNotFound(key.Arn);
  requireNotPendingDeletion(key);
  return key;
}

async function checkAliasQuota(k: Kms, key: KeyDoc): Promise<void> {
  if ((await k.res.count(key.AccountId, KMS, 'alias', key.KeyId)) >= MAX_ALIASES_PER_KEY) {
    throw kmsErrors.limitExceeded(`${key.Arn} already has the maximum of ${MAX_ALIASES_PER_KEY} aliases.`);
  }
}

/** Creates an alias record; AlreadyExistsException when the name is taken in this account and region. */
export async function insertAlias(k: Kms, key: KeyDoc, name: string): Promise<void> {
  const arn = aliasArn(key.Region, key.AccountId, name);
  const now = k.now().toISOString();
  const doc: AliasDoc = { AliasName: name, AliasArn: arn, TargetKeyId: key.KeyId, CreationDate: now, LastUpdatedDate: now };
  if (!(await k.res.create(key.AccountId, KMS, 'alias', aliasRecordId(key.Region, name), doc, key.KeyId))) {
    throw kmsErrors.alreadyExists(`An alias with the name ${arn} already exists`);
  }
}

async function updateAlias(k: Kms, ctx: RequestContext, name: string, targetKeyId: string): Promise<void> {
  await k.tx(async () => {
    const alias = await existingAlias(k, ctx, name);
    const key = await targetKey(k, ctx, targetKeyId);
    const current = await resolveKey(k, ctx, alias.TargetKeyId);
    // AWS: an alias may only move between keys of the same type and usage, so code using it keeps working.
    if (current.key.KeySpec !== key.KeySpec || current.key.KeyUsage !== key.KeyUsage) {
      throw kmsErrors.validation(`${key.Arn} is not the same type of KMS key as the current target of ${alias.AliasName}.`);
    }
    if (key.KeyId !== alias.TargetKeyId) await checkAliasQuota(k, key);
    const account = accountOf(ctx);
    const doc: AliasDoc = { ...alias, TargetKeyId: key.KeyId, LastUpdatedDate: k.now().toISOString() };
    // The owning key is the record's parent, so moving an alias is delete + create.
    await k.res.delete(account, KMS, 'alias', aliasRecordId(ctx.region, alias.AliasName));
    await k.res.create(account, KMS, 'alias', aliasRecordId(ctx.region, alias.AliasName), doc, key.KeyId);
  });
}

export function aliasHandlers(k: Kms) {
  return handlers<Operations>()({
    CreateAlias: {
      handler: async (i, ctx) => {
        const name = aliasNameChecked(i.AliasName);
        await k.tx(async () => {
          const key = await targetKey(k, ctx, i.TargetKeyId);
          if (await findAlias(k, key.AccountId, key.Region, name)) {
            throw kmsErrors.alreadyExists(`An alias with the name ${aliasArn(key.Region, key.AccountId, name)} already exists`);
          }
          await checkAliasQuota(k, key);
          await insertAlias(k, key, name);
        });
      },
    },
    UpdateAlias: { handler: (i, ctx) => updateAlias(k, ctx, i.AliasName, i.TargetKeyId) },
    DeleteAlias: {
      handler: async (i, ctx) => {
        const alias = await existingAlias(k, ctx, i.AliasName);
        await k.res.delete(accountOf(ctx), KMS, 'alias', aliasRecordId(ctx.region, alias.AliasName));
      },
    },
    ListAliases: {
      readOnly: true,
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        const key = i.KeyId ? (await resolveKey(k, ctx, i.KeyId)).key : undefined;
        const page = await recordPage<AliasDoc>(k, key?.AccountId ?? account, 'alias', {
          ...(key ? { parentId: key.KeyId } : { idPrefix: `${ctx.region}/` }), limit: i.Limit, marker: i.Marker, defaultLimit: 50,
        });
        return { Aliases: page.items.map(aliasEntry), ...pageFields(page) };
      },
    },
  });
}
