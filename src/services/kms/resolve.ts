import type { RequestContext } from '../../gateway/context.js';
import { aliasArn, aliasRecordId, keyArn, keyRecordId, parseKeyRef } from './arns.js';
import { accountOf, type Kms } from './context.js';
import { kmsErrors } from './errors.js';
import { KMS, type AliasDoc, type KeyDoc } from './store.js';

/** A key found from a KeyId parameter, with the alias name when the caller named it by alias (kms:RequestAlias). */
export interface ResolvedKey {
  key: KeyDoc;
  aliasName?: string;
}

/** A key past its deletion date is gone, whether or not the scheduler has swept it yet. */
export function isDeleted(key: KeyDoc, now: Date): boolean {
  return key.KeyState === 'PendingDeletion' && key.DeletionDate !== undefined && Date.parse(key.DeletionDate) <= now.getTime();
}

async function liveKey(k: Kms, account: string, region: string, keyId: string): Promise<KeyDoc> {
  const rec = await k.res.get<KeyDoc>(account, KMS, 'key', keyRecordId(region, keyId));
  if (!rec || isDeleted(rec.doc, k.now())) throw kmsErrors.keyNotFound(keyArn(region, account, keyId));
  return rec.doc;
}

export async function findAlias(k: Kms, account: string, region: string, aliasName: string): Promise<AliasDoc | undefined> {
  return (await k.res.get<AliasDoc>(account, KMS, 'alias', aliasRecordId(region, aliasName)))?.doc;
}

/**
 * Resolves a key id, key ARN, alias name or alias ARN in the request's region. ARNs may name another account
 * (cross-account use is then decided by both accounts' policies); a different region is not found, as in AWS.
 */
export async function resolveKey(k: Kms, ctx: RequestContext, raw: string): Promise<ResolvedKey> {
  const ref = parseKeyRef(raw);
  if (ref.kind === 'invalid') throw kmsErrors.invalidKeyId(raw);
  if (ref.region && ref.region !== ctx.region) throw kmsErrors.notFound(`Invalid arn ${ref.region}`);
  const account = ref.account ?? accountOf(ctx);
  if (ref.kind === 'key') return { key: await liveKey(k, account, ctx.region, ref.keyId) };
  const alias = await findAlias(k, account, ctx.region, ref.aliasName);
  if (!alias) throw kmsErrors.aliasNotFound(aliasArn(ctx.region, account, ref.aliasName));
  return { key: await liveKey(k, account, ctx.region, alias.TargetKeyId), aliasName: ref.aliasName };
}

/** The key a ciphertext names, in whichever account owns it (key UUIDs are unique across accounts). */
export async function keyOfBlob(k: Kms, ctx: RequestContext, keyId: string): Promise<KeyDoc> {
  const rec = await k.res.findById<KeyDoc>(KMS, 'key', keyRecordId(ctx.region, keyId));
  if (!rec || isDeleted(rec.doc, k.now())) throw kmsErrors.keyNotFound(keyArn(ctx.region, accountOf(ctx), keyId));
  return rec.doc;
}

/** Cryptographic operations need an enabled key (AWS key-state table). */
export function requireEnabled(key: KeyDoc): void {
  if (key.KeyState === 'Disabled') throw kmsErrors.disabled(key.Arn);
  if (key.KeyState === 'PendingDeletion') throw kmsErrors.pendingDeletion(key.Arn);
}

/** Management operations work on disabled keys but not on keys pending deletion. */
export function requireNotPendingDeletion(key: KeyDoc): void {
  if (key.KeyState === 'PendingDeletion') throw kmsErrors.pendingDeletion(key.Arn);
}

export function requireUsage(key: KeyDoc, usage: KeyDoc['KeyUsage'], operation: string): void {
  if (key.KeyUsage !== usage) throw kmsErrors.invalidKeyUsage(key.Arn, key.KeyUsage, operation);
}
