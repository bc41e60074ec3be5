import type { Kms } from './context.js';
import { KMS, SCHEDULE_OWNER } from './store.js';

/**
 * When the scheduler must act on a key: one row per (task, time, key) under SCHEDULE_OWNER, so a sweep reads only
 * what is due, in time order, across all accounts, with one indexed prefix listing on either SQL engine.
 * Deleting a row is also how a sweeper claims it: only one replica's delete succeeds.
 */
export type DueTask = 'deletion' | 'rotation';

export interface DueEntry {
  id: string;
  account: string;
  /** The key's record id (`<region>/<uuid>`). */
  keyRecordId: string;
  when: string;
}

const entryId = (task: DueTask, when: string, account: string, keyRecordId: string): string =>
  `${task}|${when}|${account}|${keyRecordId}`;

export async function addDue(k: Kms, task: DueTask, when: string, account: string, keyRecordId: string): Promise<string> {
  const id = entryId(task, when, account, keyRecordId);
  await k.res.create(SCHEDULE_OWNER, KMS, 'due', id, { task }, undefined);
  return id;
}

/** Removes an entry; true when this caller removed it (the claim). */
export async function removeDue(k: Kms, id: string | undefined): Promise<boolean> {
  return id ? k.res.delete(SCHEDULE_OWNER, KMS, 'due', id) : false;
}

/** Entries of `task` due at or before `now`, oldest first, at most `limit`. */
export async function listDue(k: Kms, task: DueTask, now: Date, limit: number): Promise<DueEntry[]> {
  const nowIso = now.toISOString();
  const rows = await k.res.list(SCHEDULE_OWNER, KMS, 'due', { idPrefix: `${task}|`, limit });
  const out: DueEntry[] = [];
  for (const r of rows) {
    const [, when, account, keyRecordId] = r.id.split('|');
    if (when > nowIso) break;
    out.push({ id: r.id, account, keyRecordId, when });
  }
  return out;
}

const SWEEP_BATCH = 100;

/**
 * Runs `handle` on every entry of `task` due by `now`; returns how many it handled (true results). `handle` must
 * remove the entry (removeDue) whatever it decides; an entry whose handling throws stays for the next run.
 */
export async function sweepDue(k: Kms, task: DueTask, now: Date, handle: (e: DueEntry) => Promise<boolean>): Promise<number> {
  let done = 0;
  for (;;) {
    const due = await listDue(k, task, now, SWEEP_BATCH);
    let failed = false;
    for (const e of due) {
      try {
        if (await handle(e)) done++;
      } catch (err) {
        failed = true;
        k.deps.log.error({ err, task, key: e.keyRecordId }, 'KMS scheduled task failed; will retry');
      }
    }
    // A failed entry is still listed: stop rather than meet it again in this run.
    if (failed || due.length < SWEEP_BATCH) return done;
  }
}
