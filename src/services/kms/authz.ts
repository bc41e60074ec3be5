import type { RequestContext } from '../../gateway/context.js';
import type { Authz, AuthzRequirement, Input } from '../types.js';
import { aliasArn, parseKeyRef } from './arns.js';
import { authorizeAlso, keyRequirement, requestTagKeys, type KeyAuthz, type Keys } from './authz-key.js';
import { readHeader } from './ciphertext.js';
import { accountOf, caller, type Kms } from './context.js';
import { kmsErrors } from './errors.js';
import { grantStatement } from './grant-match.js';
import { findGrantToRetire, isRetirer } from './grant-retire.js';
import { aliasNameChecked, existingAlias } from './alias-names.js';
import { keyOfBlob, resolveKey, type ResolvedKey } from './resolve.js';
import { ensureAwsManagedAlias } from './service-keys.js';

/**
 * THE authorization table of KMS: for each operation, the IAM action, the resources, the key policy (with
 * grants) and the condition keys. Key operations are authorized against the key ARN with the key policy as a
 * resource policy of kind `key`, which the engine requires to allow (directly, or by naming the account and
 * letting IAM policies decide). Account-level operations (CreateKey, ListKeys, ListAliases, GenerateRandom,
 * ListRetirableGrants) have resource `*` and no key policy. A key that does not exist answers NotFoundException
 * before any access check, as AWS does.
 */

// The table spans every operation's input shape; each rule reads only the members its operation has.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type In = any;
type Rule = (k: Kms, i: In, ctx: RequestContext, action: string) => Promise<AuthzRequirement>;
type Extra = (i: In, ctx: RequestContext) => Partial<KeyAuthz>;

const algorithm = (i: In): Keys => ({ 'kms:EncryptionAlgorithm': i.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' });
const viaService = (ctx: RequestContext): Keys => ({ 'kms:GrantIsForAWSResource': ctx.viaService ? 'true' : 'false' });

const account = (keys: (i: In) => Keys = () => ({})): Rule => async (_k, i, ctx) =>
  ({ resources: ['*'], conditionKeys: { 'kms:CallerAccount': accountOf(ctx), ...keys(i) } });

/** The key named by `KeyId`. */
const onKey = (extra: Extra = () => ({})): Rule => async (k, i, ctx, action) =>
  keyRequirement(k, ctx, { action, resolved: await resolveKey(k, ctx, i.KeyId), ...extra(i, ctx) });

/** The key a ciphertext blob names: Decrypt and ReEncrypt are authorized against it, whatever KeyId says. */
async function blobKey(k: Kms, ctx: RequestContext, blob: Uint8Array, keyIdParam: string | undefined): Promise<ResolvedKey> {
  const header = readHeader(blob);
  if (!header) throw kmsErrors.invalidCiphertext();
  const ref = keyIdParam ? parseKeyRef(keyIdParam) : undefined;
  return { key: await keyOfBlob(k, ctx, header.keyId), aliasName: ref?.kind === 'alias' ? ref.aliasName : undefined };
}

const describeKey: Rule = async (k, i, ctx, action) => {
  await ensureAwsManagedAlias(k, ctx, i.KeyId);
  return keyRequirement(k, ctx, { action, resolved: await resolveKey(k, ctx, i.KeyId) });
};

const decrypt: Rule = async (k, i, ctx, action) => keyRequirement(k, ctx, {
  action, resolved: await blobKey(k, ctx, i.CiphertextBlob, i.KeyId), context: i.EncryptionContext, keys: algorithm(i),
});

/** kms:ReEncryptFrom on the source key (the gateway checks it) and kms:ReEncryptTo on the destination (here). */
const reEncrypt: Rule = async (k, i, ctx) => {
  const source = await blobKey(k, ctx, i.CiphertextBlob, i.SourceKeyId);
  const destination = await resolveKey(k, ctx, i.DestinationKeyId);
  const keys = { 'kms:ReEncryptOnSameKey': String(source.key.KeyId === destination.key.KeyId) };
  authorizeAlso(k, ctx, await keyRequirement(k, ctx, {
    action: 'kms:ReEncryptTo', resolved: destination, context: i.DestinationEncryptionContext,
    keys: { ...keys, 'kms:EncryptionAlgorithm': i.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' },
  }));
  return keyRequirement(k, ctx, {
    action: 'kms:ReEncryptFrom', resolved: source, context: i.SourceEncryptionContext,
    keys: { ...keys, 'kms:EncryptionAlgorithm': i.SourceEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' },
  });
};

/** Alias operations need the permission on the alias and on the key (AWS: both, the alias by IAM only). */
const createAlias: Rule = async (k, i, ctx, action) => {
  const name = aliasNameChecked(i.AliasName);
  return keyRequirement(k, ctx, {
    action, resolved: await resolveKey(k, ctx, i.TargetKeyId), alsoResources: [aliasArn(ctx.region, accountOf(ctx), name)],
  });
};

const deleteAlias: Rule = async (k, i, ctx, action) => {
  const alias = await existingAlias(k, ctx, i.AliasName);
  return keyRequirement(k, ctx, { action, resolved: await resolveKey(k, ctx, alias.TargetKeyId), alsoResources: [alias.AliasArn] });
};

/** UpdateAlias: the alias and the new key here, the key the alias points at now through authorizeAlso. */
const updateAlias: Rule = async (k, i, ctx, action) => {
  const alias = await existingAlias(k, ctx, i.AliasName);
  const current = await resolveKey(k, ctx, alias.TargetKeyId);
  authorizeAlso(k, ctx, await keyRequirement(k, ctx, { action, resolved: current }));
  return keyRequirement(k, ctx, { action, resolved: await resolveKey(k, ctx, i.TargetKeyId), alsoResources: [alias.AliasArn] });
};

const createGrant = onKey((i, ctx) => ({
  newGrant: { Operations: i.Operations, Constraints: i.Constraints },
  keys: {
    ...viaService(ctx),
    'kms:GrantOperations': i.Operations,
    'kms:GranteePrincipal': i.GranteePrincipal,
    'kms:RetiringPrincipal': i.RetiringPrincipal,
    'kms:GrantConstraintType': constraintTypes(i.Constraints),
  },
}));

function constraintTypes(c: { EncryptionContextEquals?: object; EncryptionContextSubset?: object } | undefined): string[] | undefined {
  const types = [c?.EncryptionContextEquals && 'EncryptionContextEquals', c?.EncryptionContextSubset && 'EncryptionContextSubset']
    .filter((t): t is string => !!t);
  return types.length ? types : undefined;
}

/**
 * RetireGrant: the grant's retiring principal, and its grantee when the grant includes RetireGrant, may retire
 * it whatever the key policy says; anyone else needs kms:RetireGrant from the key policy.
 */
const retireGrant: Rule = async (k, i, ctx, action) => {
  const grant = await findGrantToRetire(k, ctx, i);
  const resolved = await resolveKey(k, ctx, grant.KeyArn);
  const statements = isRetirer(grant, caller(ctx)) ? [{ ...grantStatement(grant.GrantId, caller(ctx).arn, action), Sid: `Retire${grant.GrantId}` }] : [];
  return keyRequirement(k, ctx, { action, resolved, statements });
};

const RULES: Record<string, Rule> = {
  CreateKey: account((i) => ({
    'kms:KeySpec': i.KeySpec ?? i.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT',
    'kms:KeyUsage': i.KeyUsage ?? 'ENCRYPT_DECRYPT',
    'kms:KeyOrigin': i.Origin ?? 'AWS_KMS',
    'kms:MultiRegion': String(i.MultiRegion ?? false),
    'kms:BypassPolicyLockoutSafetyCheck': String(i.BypassPolicyLockoutSafetyCheck ?? false),
    ...requestTagKeys(i.Tags),
  })),
  ListKeys: account(),
  ListAliases: account(),
  GenerateRandom: account(),
  ListRetirableGrants: account(),
  DescribeKey: describeKey,
  UpdateKeyDescription: onKey(),
  EnableKey: onKey(),
  DisableKey: onKey(),
  ScheduleKeyDeletion: onKey((i) => ({ keys: { 'kms:ScheduleKeyDeletionPendingWindowInDays': String(i.PendingWindowInDays ?? 30) } })),
  CancelKeyDeletion: onKey(),
  GetKeyPolicy: onKey(),
  ListKeyPolicies: onKey(),
  PutKeyPolicy: onKey((i) => ({ keys: { 'kms:BypassPolicyLockoutSafetyCheck': String(i.BypassPolicyLockoutSafetyCheck ?? false) } })),
  EnableKeyRotation: onKey((i) => ({ keys: { 'kms:RotationPeriodInDays': String(i.RotationPeriodInDays ?? 365) } })),
  DisableKeyRotation: onKey(),
  GetKeyRotationStatus: onKey(),
  RotateKeyOnDemand: onKey(),
  ListKeyRotations: onKey(),
  TagResource: onKey((i) => ({ keys: requestTagKeys(i.Tags) })),
  UntagResource: onKey((i) => ({ keys: i.TagKeys?.length ? { 'aws:TagKeys': i.TagKeys } : {} })),
  ListResourceTags: onKey(),
  CreateAlias: createAlias,
  UpdateAlias: updateAlias,
  DeleteAlias: deleteAlias,
  Encrypt: onKey((i) => ({ context: i.EncryptionContext, keys: algorithm(i) })),
  Decrypt: decrypt,
  ReEncrypt: reEncrypt,
  GenerateDataKey: onKey((i) => ({ context: i.EncryptionContext })),
  GenerateDataKeyWithoutPlaintext: onKey((i) => ({ context: i.EncryptionContext })),
  GenerateMac: onKey((i) => ({ keys: { 'kms:MacAlgorithm': i.MacAlgorithm } })),
  VerifyMac: onKey((i) => ({ keys: { 'kms:MacAlgorithm': i.MacAlgorithm } })),
  CreateGrant: createGrant,
  ListGrants: onKey((_i, ctx) => ({ keys: viaService(ctx) })),
  RevokeGrant: onKey((_i, ctx) => ({ keys: viaService(ctx) })),
  RetireGrant: retireGrant,
};

export const AUTHORIZED_OPERATIONS: readonly string[] = Object.keys(RULES);

/** The gateway-facing authz function of one operation. */
export function authzFor(k: Kms, operation: string): Authz {
  const rule = RULES[operation];
  if (!rule) throw new Error(`KMS operation ${operation} has no authorization rule`);
  const action = `kms:${operation}`;
  return (input: Input, ctx: RequestContext) => rule(k, input, ctx, action);
}
