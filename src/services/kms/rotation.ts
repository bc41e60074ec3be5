import type { RequestContext } from '../../gateway/context.js';
import type { Kms } from './context.js';
import { handlers } from './define.js';
import { kmsErrors } from './errors.js';
import { DAY_MS, saveKey, scheduleRotation, scheduleRotationAt } from './key-records.js';
import { addMaterial, keyMaterialId, listMaterials } from './material.js';
import type { Operations, RotationType, RotationsListEntry } from './model.js';
import { arrayPage, pageFields } from './paging.js';
import { requireEnabled, resolveKey } from './resolve.js';
import { removeDue, sweepDue, type DueEntry } from './schedule-index.js';
import { KMS, type KeyDoc } from './store.js';

/**
 * Rotation adds a backing-key version; new ciphertexts use the newest, old ones name theirs in the blob, and
 * old versions are kept until the key is deleted. Automatic rotation runs from the scheduler, every
 * RotationPeriodInDays (90–2560, default 365); RotateKeyOnDemand at most 10 times per key (AWS's limits).
 */
export const DEFAULT_ROTATION_DAYS = 365;
const MIN_ROTATION_DAYS = 90;
const MAX_ROTATION_DAYS = 2560;
const MAX_ON_DEMAND_ROTATIONS = 10;

/** Only symmetric encryption keys rotate (AWS: HMAC and asymmetric keys answer UnsupportedOperationException). */
function requireRotatable(key: KeyDoc): void {
  if (key.KeySpec !== 'SYMMETRIC_DEFAULT') {
    throw kmsErrors.unsupported(`${key.Arn} key spec is ${key.KeySpec}, which does not support key rotation.`);
  }
}

/** Adds the next backing-key version and makes it current (mutates `key`; the caller saves it). */
export async function addVersion(k: Kms, key: KeyDoc, type: RotationType): Promise<void> {
  key.CurrentVersion += 1;
  await addMaterial(k, key, key.CurrentVersion, type);
}

async function rotatableKey(k: Kms, ctx: RequestContext, keyId: string): Promise<KeyDoc> {
  const { key } = await resolveKey(k, ctx, keyId);
  requireEnabled(key);
  requireRotatable(key);
  return key;
}

function rotationEntry(key: KeyDoc, m: { Version: number; CreatedAt: string; RotationType?: RotationType }): RotationsListEntry {
  return {
    KeyId: key.Arn, KeyMaterialId: keyMaterialId(key.Arn, m.Version), RotationDate: new Date(m.CreatedAt),
    RotationType: m.RotationType ?? 'AUTOMATIC', KeyMaterialState: m.Version === key.CurrentVersion ? 'CURRENT' : 'NON_CURRENT',
  };
}

export function rotationHandlers(k: Kms) {
  return handlers<Operations>()({
    EnableKeyRotation: {
      handler: async (i, ctx) => {
        const days = i.RotationPeriodInDays ?? DEFAULT_ROTATION_DAYS;
        if (!Number.isInteger(days) || days < MIN_ROTATION_DAYS || days > MAX_ROTATION_DAYS) {
          throw kmsErrors.validation(`1 validation error detected: Value '${days}' at 'rotationPeriodInDays' failed to satisfy constraint: ` +
            `Member must have value between ${MIN_ROTATION_DAYS} and ${MAX_ROTATION_DAYS}`);
        }
        await k.tx(async () => {
          const key = await rotatableKey(k, ctx, i.KeyId);
          // The next rotation is one period from now, also when only the period changes.
          await scheduleRotation(k, key, days, k.now());
          await saveKey(k, key);
        });
      },
    },
    DisableKeyRotation: {
      handler: async (i, ctx) => {
        await k.tx(async () => {
          const key = await rotatableKey(k, ctx, i.KeyId);
          await removeDue(k, key.RotationDue);
          await saveKey(k, { ...key, Rotation: undefined, RotationDue: undefined });
        });
      },
    },
    GetKeyRotationStatus: {
      readOnly: true,
      handler: async (i, ctx) => {
        const { key } = await resolveKey(k, ctx, i.KeyId);
        requireRotatable(key);
        if (!key.Rotation) return { KeyRotationEnabled: false, KeyId: key.Arn };
        return {
          KeyRotationEnabled: true, KeyId: key.Arn, RotationPeriodInDays: key.Rotation.PeriodInDays,
          NextRotationDate: new Date(key.Rotation.NextRotationDate),
        };
      },
    },
    RotateKeyOnDemand: {
      handler: async (i, ctx) => k.tx(async () => {
        const key = await rotatableKey(k, ctx, i.KeyId);
        if (key.OnDemandRotations >= MAX_ON_DEMAND_ROTATIONS) {
          throw kmsErrors.limitExceeded(`${key.Arn} has reached the limit of ${MAX_ON_DEMAND_ROTATIONS} on-demand rotations.`);
        }
        key.OnDemandRotations += 1;
        // On-demand rotation leaves the automatic schedule as it is (AWS RotateKeyOnDemand docs).
        await addVersion(k, key, 'ON_DEMAND');
        await saveKey(k, key);
        return { KeyId: key.Arn };
      }),
    },
    ListKeyRotations: {
      readOnly: true,
      handler: async (i, ctx) => {
        const { key } = await resolveKey(k, ctx, i.KeyId);
        requireRotatable(key);
        // The original material is not a rotation; AWS lists rotations only.
        const rotations = (await listMaterials(k, key)).filter((m) => m.Version > 1).map((m) => rotationEntry(key, m));
        const page = arrayPage(rotations, i.Limit, i.Marker, 100);
        return { Rotations: page.items, ...pageFields(page) };
      },
    },
  });
}

/** Rotates one due key; keys disabled or pending deletion leave the schedule until EnableKey puts them back. */
async function rotateDueKey(k: Kms, e: DueEntry, now: Date): Promise<boolean> {
  return k.tx(async () => {
    if (!(await removeDue(k, e.id))) return false;
    const rec = await k.res.get<KeyDoc>(e.account, KMS, 'key', e.keyRecordId);
    if (!rec || rec.doc.RotationDue !== e.id) return false;
    const key: KeyDoc = { ...rec.doc, RotationDue: undefined };
    if (key.KeyState !== 'Enabled' || !key.Rotation) {
      await saveKey(k, key);
      return false;
    }
    await addVersion(k, key, 'AUTOMATIC');
    // Keep the cadence of the schedule, but never schedule into the past after a long outage.
    const period = key.Rotation.PeriodInDays;
    let next = Date.parse(key.Rotation.NextRotationDate) + period * DAY_MS;
    if (next <= now.getTime()) next = now.getTime() + period * DAY_MS;
    await scheduleRotationAt(k, key, period, new Date(next));
    await saveKey(k, key);
    k.deps.log.info({ keyArn: key.Arn, version: key.CurrentVersion }, 'KMS key rotated');
    return true;
  });
}

/** The scheduler job: rotates every key whose next rotation date has come; returns how many it rotated. */
export function sweepRotations(k: Kms, now: Date): Promise<number> {
  return sweepDue(k, 'rotation', now, (e) => rotateDueKey(k, e, now));
}
