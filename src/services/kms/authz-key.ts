import { authorize } from '../../gateway/authorize.js';
import type { RequestContext } from '../../gateway/context.js';
import type { ContextValue } from '../../iam-engine/types.js';
import type { AuthzRequirement } from '../types.js';
import type { GrantOperation } from './api.generated.js';
import type { EncryptionContext } from './ciphertext.js';
import { caller, type Kms } from './context.js';
import { GRANT_OPERATIONS, grantApplies, grantStatement, policyWithStatements, type GrantRequest } from './grant-match.js';
import { grantsOfKey } from './grant-tokens.js';
import type { ResolvedKey } from './resolve.js';
import { KMS, type AliasDoc, type KeyDoc, type Tag } from './store.js';

export type Keys = Record<string, ContextValue | undefined>;

/** kms:EncryptionContext:<k> per pair and kms:EncryptionContextKeys (absent when there is no context, as in AWS). */
export function contextKeys(context: EncryptionContext | undefined): Keys {
  const names = Object.keys(context ?? {});
  if (names.length === 0) return {};
  const keys: Keys = { 'kms:EncryptionContextKeys': names };
  for (const name of names) keys[`kms:EncryptionContext:${name}`] = context![name];
  return keys;
}

export function resourceTagKeys(tags: Tag[]): Keys {
  const keys: Keys = {};
  for (const t of tags) keys[`aws:ResourceTag/${t.TagKey}`] = t.TagValue;
  return keys;
}

/** aws:RequestTag/<k> per tag and aws:TagKeys, for CreateKey and TagResource. */
export function requestTagKeys(tags: Tag[] | undefined): Keys {
  if (!tags?.length) return {};
  const keys: Keys = { 'aws:TagKeys': tags.map((t) => t.TagKey) };
  for (const t of tags) keys[`aws:RequestTag/${t.TagKey}`] = t.TagValue;
  return keys;
}

/** What one key-based authorization needs beyond the key itself. */
export interface KeyAuthz {
  /** `kms:<Operation>` (ReEncrypt authorizes as kms:ReEncryptFrom and kms:ReEncryptTo). */
  action: string;
  resolved: ResolvedKey;
  context?: EncryptionContext;
  /** CreateGrant: the grant asked for, so a grant with CreateGrant only passes on what it holds. */
  newGrant?: GrantRequest['newGrant'];
  /** Other resources authorized with the same key policy (alias ARNs for the alias operations), checked first. */
  alsoResources?: string[];
  keys?: Keys;
  /** Allow statements to add besides grants (RetireGrant by the retiring principal). */
  statements?: Record<string, unknown>[];
}

async function aliasNames(k: Kms, key: KeyDoc): Promise<string[]> {
  const recs = await k.res.list<AliasDoc>(key.AccountId, KMS, 'alias', { parentId: key.KeyId });
  return recs.map((r) => r.doc.AliasName);
}

function keyConditionKeys(ctx: RequestContext, a: KeyAuthz, aliases: string[]): Keys {
  const key = a.resolved.key;
  return {
    'kms:CallerAccount': caller(ctx).accountId,
    'kms:KeySpec': key.KeySpec,
    'kms:CustomerMasterKeySpec': key.KeySpec,
    'kms:KeyUsage': key.KeyUsage,
    'kms:CustomerMasterKeyUsage': key.KeyUsage,
    'kms:KeyOrigin': 'AWS_KMS',
    'kms:MultiRegion': 'false',
    ...(aliases.length ? { 'kms:ResourceAliases': aliases } : {}),
    ...(a.resolved.aliasName ? { 'kms:RequestAlias': a.resolved.aliasName } : {}),
    ...resourceTagKeys(key.Tags),
    ...contextKeys(a.context),
    ...a.keys,
  };
}

/** Allow statements for the grants on the key that let this caller do this operation now. */
async function grantStatements(k: Kms, ctx: RequestContext, a: KeyAuthz): Promise<Record<string, unknown>[]> {
  const operation = a.action.slice('kms:'.length);
  // RetireGrant in a grant lets its grantee retire that grant only: the RetireGrant rule adds that statement.
  if (!GRANT_OPERATIONS.has(operation) || operation === 'RetireGrant') return [];
  const key = a.resolved.key;
  const p = caller(ctx);
  const req: GrantRequest = { operation: operation as GrantOperation, context: a.context, newGrant: a.newGrant };
  return (await grantsOfKey(k, key.AccountId, key.KeyId))
    .filter((g) => grantApplies(g, p, req))
    .map((g) => grantStatement(g.GrantId, g.GranteePrincipal, a.action));
}

/** The requirement for an operation on one key: its ARN, its key policy (plus grants) and KMS's condition keys. */
export async function keyRequirement(k: Kms, ctx: RequestContext, a: KeyAuthz): Promise<AuthzRequirement & { action: string }> {
  const key = a.resolved.key;
  const [aliases, granted] = await Promise.all([aliasNames(k, key), grantStatements(k, ctx, a)]);
  return {
    action: a.action,
    resources: [...(a.alsoResources ?? []), key.Arn],
    conditionKeys: keyConditionKeys(ctx, a, aliases),
    resourcePolicy: {
      document: policyWithStatements(key.Policy, [...granted, ...(a.statements ?? [])]),
      kind: 'key', id: key.Arn, accountId: key.AccountId,
    },
  };
}

/**
 * Operations that need two authorizations with different keys or actions (ReEncrypt: kms:ReEncryptTo on the
 * destination; UpdateAlias: the alias's current key) run the second one here, through the same engine and with
 * the same extra condition keys the gateway adds (kms:ViaService on internal calls).
 */
export function authorizeAlso(k: Kms, ctx: RequestContext, req: AuthzRequirement & { action: string }): void {
  const conditionKeys = ctx.extraConditionKeys ? { ...ctx.extraConditionKeys, ...req.conditionKeys } : req.conditionKeys;
  authorize(ctx, caller(ctx), { ...req, conditionKeys }, req.action, k.now());
}
