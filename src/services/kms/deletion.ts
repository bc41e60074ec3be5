import type { Kms } from './context.js';
import { handlers } from './define.js';
import { kmsErrors } from './errors.js';
import { DAY_MS, purgeKey, saveKey } from './key-records.js';
import type { Operations } from './model.js';
import { isDeleted, resolveKey } from './resolve.js';
import { addDue, removeDue, sweepDue, type DueEntry } from './schedule-index.js';
import { KMS, type KeyDoc } from './store.js';
import { keyRecordId } from './arns.js';

/** AWS: the waiting period is 7 to 30 days, 30 by default. */
const MIN_WINDOW_DAYS = 7;
const MAX_WINDOW_DAYS = 30;

export function deletionHandlers(k: Kms) {
  return handlers<Operations>()({
    ScheduleKeyDeletion: {
      handler: async (i, ctx) => {
        const days = i.PendingWindowInDays ?? MAX_WINDOW_DAYS;
        if (days < MIN_WINDOW_DAYS || days > MAX_WINDOW_DAYS) {
          throw kmsErrors.validation(`PendingWindowInDays should be between ${MIN_WINDOW_DAYS} and ${MAX_WINDOW_DAYS}, but it is ${days}`);
        }
        return k.tx(async () => {
          const { key } = await resolveKey(k, ctx, i.KeyId);
          if (key.KeyState === 'PendingDeletion') throw kmsErrors.pendingDeletion(key.Arn);
          const deletionDate = new Date(k.now().getTime() + days * DAY_MS);
          await removeDue(k, key.RotationDue);
          const scheduled: KeyDoc = {
            ...key, KeyState: 'PendingDeletion', DeletionDate: deletionDate.toISOString(), PendingDeletionWindowInDays: days,
            RotationDue: undefined,
            DeletionDue: await addDue(k, 'deletion', deletionDate.toISOString(), key.AccountId, keyRecordId(key.Region, key.KeyId)),
          };
          await saveKey(k, scheduled);
          return { KeyId: key.Arn, DeletionDate: deletionDate, KeyState: 'PendingDeletion' as const, PendingWindowInDays: days };
        });
      },
    },
    CancelKeyDeletion: {
      handler: async (i, ctx) => k.tx(async () => {
        const { key } = await resolveKey(k, ctx, i.KeyId);
        if (key.KeyState !== 'PendingDeletion') throw kmsErrors.invalidState(`${key.Arn} is not pending deletion.`);
        await removeDue(k, key.DeletionDue);
        // AWS leaves a key whose deletion was cancelled disabled; the owner enables it deliberately.
        await saveKey(k, { ...key, KeyState: 'Disabled', DeletionDate: undefined, PendingDeletionWindowInDays: undefined, DeletionDue: undefined });
        return { KeyId: key.Arn };
      }),
    },
  });
}

/** Deletes one due key; false when another replica got there first or the deletion was cancelled meanwhile. */
async function deleteDueKey(k: Kms, e: DueEntry, now: Date): Promise<boolean> {
  return k.tx(async () => {
    if (!(await removeDue(k, e.id))) return false;
    const rec = await k.res.get<KeyDoc>(e.account, KMS, 'key', e.keyRecordId);
    if (!rec || !isDeleted(rec.doc, now)) return false;
    await purgeKey(k, { ...rec.doc, DeletionDue: undefined });
    k.deps.log.info({ keyArn: rec.doc.Arn }, 'KMS key deleted at the end of its waiting period');
    return true;
  });
}

/** The scheduler job: deletes every key whose waiting period has ended; returns how many it deleted. */
export function sweepDeletions(k: Kms, now: Date): Promise<number> {
  return sweepDue(k, 'deletion', now, (e) => deleteDueKey(k, e, now));
}
