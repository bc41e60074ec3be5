import { randomUUID } from 'node:crypto';
import type { KeySpec, KeyUsageType } from './api.generated.js';
import { keyArn, keyRecordId } from './arns.js';
import type { Kms } from './context.js';
import { kmsErrors } from './errors.js';
import { addMaterial, deleteMaterials } from './material.js';
import { addDue, removeDue } from './schedule-index.js';
import { KMS, listAll, type KeyDoc, type Tag } from './store.js';

export const DAY_MS = 24 * 3600 * 1000;

/** Replaces a key document (inside the caller's transaction). */
export async function saveKey(k: Kms, key: KeyDoc): Promise<void> {
  if (!(await k.res.update(key.AccountId, KMS, 'key', keyRecordId(key.Region, key.KeyId), key))) throw kmsErrors.keyNotFound(key.Arn);
}

export interface NewKey {
  account: string;
  region: string;
  description: string;
  keySpec: KeySpec;
  keyUsage: KeyUsageType;
  keyManager: 'CUSTOMER' | 'AWS';
  /** Builds the key policy once the key's ARN is known. */
  policy: (arn: string) => string;
  tags: Tag[];
  /** Turn automatic rotation on at creation (AWS managed keys rotate yearly). */
  rotationPeriodInDays?: number;
}

/** Creates a key with its first backing key (version 1). */
export async function insertKey(k: Kms, nk: NewKey): Promise<KeyDoc> {
  const keyId = randomUUID();
  const arn = keyArn(nk.region, nk.account, keyId);
  const now = k.now();
  const key: KeyDoc = {
    KeyId: keyId, Arn: arn, AccountId: nk.account, Region: nk.region, CreationDate: now.toISOString(),
    Description: nk.description, KeySpec: nk.keySpec, KeyUsage: nk.keyUsage, KeyManager: nk.keyManager,
    KeyState: 'Enabled', Policy: nk.policy(arn), Tags: nk.tags, CurrentVersion: 1, OnDemandRotations: 0,
  };
  await k.tx(async () => {
    if (nk.rotationPeriodInDays) await scheduleRotation(k, key, nk.rotationPeriodInDays, now);
    await k.res.create(nk.account, KMS, 'key', keyRecordId(nk.region, keyId), key);
    await addMaterial(k, key, 1);
  });
  return key;
}

/** Sets (or moves) the key's next automatic rotation, `periodDays` after `from`; mutates `key`, caller saves it. */
export function scheduleRotation(k: Kms, key: KeyDoc, periodDays: number, from: Date): Promise<void> {
  return scheduleRotationAt(k, key, periodDays, new Date(from.getTime() + periodDays * DAY_MS));
}

export async function scheduleRotationAt(k: Kms, key: KeyDoc, periodDays: number, next: Date): Promise<void> {
  await removeDue(k, key.RotationDue);
  const when = next.toISOString();
  key.Rotation = { PeriodInDays: periodDays, NextRotationDate: when };
  key.RotationDue = await addDue(k, 'rotation', when, key.AccountId, keyRecordId(key.Region, key.KeyId));
}

/**
 * Deletes a key for good: backing keys (store and cache), aliases, grants, schedule entries, metadata. After
 * this no ciphertext under the key can ever be decrypted again.
 */
export async function purgeKey(k: Kms, key: KeyDoc): Promise<void> {
  await k.tx(async () => {
    await deleteMaterials(k, key);
    for (const kind of ['alias', 'grant']) {
      for (const r of await listAll(k.res, key.AccountId, kind, { parentId: key.KeyId })) await k.res.delete(key.AccountId, KMS, kind, r.id);
    }
    await removeDue(k, key.DeletionDue);
    await removeDue(k, key.RotationDue);
    await k.res.delete(key.AccountId, KMS, 'key', keyRecordId(key.Region, key.KeyId));
  });
}
