import { createHash, randomBytes } from 'node:crypto';
import type { KeySpec } from './api.generated.js';
import type { Kms } from './context.js';
import { KMS, listAll, materialId, type KeyDoc, type MaterialDoc } from './store.js';
import type { RotationType } from './model.js';

/**
 * Backing keys: the secret material behind a KMS key, one per version. Stored only sealed under the master key
 * (bound to the key ARN and version, so a sealed value moved to another key or version does not open), cached
 * unsealed in memory for the hot path, never logged or returned.
 */
const BACKING_KEY_BYTES: Partial<Record<KeySpec, number>> = {
  SYMMETRIC_DEFAULT: 32, HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64,
};

export const sealContext = (arn: string, version: number): string => `kms:${arn}:${version}`;
const cacheKey = (arn: string, version: number): string => `${arn}#${version}`;

export function backingKeyBytes(spec: KeySpec): number {
  const n = BACKING_KEY_BYTES[spec];
  if (!n) throw new Error(`no backing key size for ${spec}`);
  return n;
}

/** AWS's KeyMaterialId is 64 hex digits; ours is derived from key and version, so it names without revealing. */
export const keyMaterialId = (arn: string, version: number): string =>
  createHash('sha256').update(`vigil-kms-material:${arn}:${version}`).digest('hex');

/** Generates and stores backing key `version` of `key` (inside the caller's transaction). */
export async function addMaterial(k: Kms, key: KeyDoc, version: number, rotationType?: RotationType): Promise<void> {
  const material = randomBytes(backingKeyBytes(key.KeySpec));
  const doc: MaterialDoc = {
    KeyArn: key.Arn, Version: version, CreatedAt: k.now().toISOString(), Sealed: k.deps.secrets.seal(material, sealContext(key.Arn, version)),
  };
  if (rotationType) doc.RotationType = rotationType;
  if (!(await k.res.create(key.AccountId, KMS, 'material', materialId(key.KeyId, version), doc, key.KeyId))) {
    throw new Error(`backing key ${version} of ${key.Arn} already exists`);
  }
  k.materials.set(cacheKey(key.Arn, version), material);
}

/** The backing key `version` of `key`, or undefined when there is no such version (a forged or foreign blob). */
export async function backingKey(k: Kms, key: KeyDoc, version: number): Promise<Buffer | undefined> {
  const hit = k.materials.get(cacheKey(key.Arn, version));
  if (hit) return hit;
  if (!Number.isInteger(version) || version < 1 || version > key.CurrentVersion) return undefined;
  const rec = await k.res.get<MaterialDoc>(key.AccountId, KMS, 'material', materialId(key.KeyId, version));
  if (!rec) return undefined;
  const material = k.deps.secrets.open(rec.doc.Sealed, sealContext(key.Arn, version));
  k.materials.set(cacheKey(key.Arn, version), material);
  return material;
}

export async function listMaterials(k: Kms, key: KeyDoc): Promise<MaterialDoc[]> {
  return (await listAll<MaterialDoc>(k.res, key.AccountId, 'material', { parentId: key.KeyId })).map((r) => r.doc);
}

/** Destroys every backing key of `key`: in the store and in this process's cache. */
export async function deleteMaterials(k: Kms, key: KeyDoc): Promise<void> {
  for (const m of await listMaterials(k, key)) await k.res.delete(key.AccountId, KMS, 'material', materialId(key.KeyId, m.Version));
  forgetMaterials(k, key.Arn);
}

export function forgetMaterials(k: Kms, arn: string): void {
  const prefix = `${arn}#`;
  k.materials.deleteWhere((id) => id.startsWith(prefix));
}
