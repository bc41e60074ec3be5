import type { Db } from '../../state/types.js';
import { DatasetProfile } from '../profile.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
/** 9 parameters a row: far below both engines' bound-parameter limits. */
const BATCH_ROWS = 200;
const COLUMNS = 'account_id, region, endpoint, variant, minute_start, span_minutes, writer_id, item_count, profile';
const ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** Which endpoint variant a profile describes. */
export interface ProfileKey {
  accountId: string;
  region: string;
  endpoint: string;
  variant: string;
}

/** One writer's profile of one variant over one minute. */
export interface ProfilePartial extends ProfileKey {
  /** Epoch milliseconds, a multiple of 60 000. */
  minute: number;
  profile: DatasetProfile;
}

export interface StoredPartial extends ProfilePartial {
  writerId: string;
  /** 1 for a minute as written, 60 for an hour rolled up from its minutes. */
  spanMinutes: number;
}

export interface MergedProfile {
  profile: DatasetProfile;
  /** Minutes of the window some writer profiled (idle minutes count: a writer leaves an empty marker). */
  minutes: number;
  /** Minute starts in [start, end). */
  expectedMinutes: number;
  /** Minute starts in the window no writer profiled: rescan captures for these. */
  missingMinutes: number[];
}

interface Row {
  variant: string;
  minute_start: number | string;
  span_minutes: number | string;
  writer_id: string;
  profile: string;
}

const encode = (p: DatasetProfile): string => Buffer.from(p.serialize()).toString('base64');
const decode = (text: string): DatasetProfile => DatasetProfile.deserialize(Buffer.from(text, 'base64'));

/**
 * Per-minute profiles in `monitor_profiles` (migration 3), one SQL for SQLite and PostgreSQL. Like metric points,
 * rows are partials tagged with their writer: inserts never conflict and readers merge. Profiles travel as base64
 * TEXT of DatasetProfile.serialize(), lossless (KLL compaction state included), so a merge of stored minutes is
 * the profile of their rows.
 */
export class SqlProfileStore {
  constructor(private readonly db: Db, private readonly writerId: string) {}

  async insert(partials: readonly ProfilePartial[]): Promise<void> {
    if (partials.length === 0) return;
    const rows = partials.map((p) => {
      if (p.minute % MINUTE_MS !== 0) throw new RangeError(`profile minute ${p.minute} is not aligned to a minute`);
      return [p.accountId, p.region, p.endpoint, p.variant, p.minute, 1, this.writerId, p.profile.itemCount, encode(p.profile)];
    });
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < rows.length; i += BATCH_ROWS) {
        const batch = rows.slice(i, i + BATCH_ROWS);
        await tx.run(`INSERT INTO monitor_profiles (${COLUMNS}) VALUES ${batch.map(() => ROW).join(', ')}`, batch.flat());
      }
    });
  }

  /**
   * Every partial of the endpoint (one variant, or all when undefined) lying wholly in [start, end), oldest
   * first. A rolled-up hour only partly inside the window is left out (its minutes then read as missing).
   */
  async partials(accountId: string, region: string, endpoint: string, variant: string | undefined, start: Date, end: Date): Promise<StoredPartial[]> {
    const params: unknown[] = [accountId, region, endpoint, start.getTime(), end.getTime()];
    let sql = 'SELECT variant, minute_start, span_minutes, writer_id, profile FROM monitor_profiles'
      + ' WHERE account_id = ? AND region = ? AND endpoint = ? AND minute_start >= ? AND minute_start + span_minutes * 60000 <= ?';
    if (variant !== undefined) {
      sql += ' AND variant = ?';
      params.push(variant);
    }
    const rows = await this.db.query<Row>(`${sql} ORDER BY minute_start, variant, writer_id`, params);
    return rows.map((r) => ({
      accountId, region, endpoint, variant: r.variant, minute: Number(r.minute_start), spanMinutes: Number(r.span_minutes),
      writerId: r.writer_id, profile: decode(r.profile),
    }));
  }

  /**
   * All partials of the window merged into one profile, or undefined when no writer profiled any minute of it.
   * An hourly monitoring execution uses this instead of rescanning the hour's captures when missingMinutes is
   * empty.
   */
  async merged(accountId: string, region: string, endpoint: string, variant: string | undefined, start: Date, end: Date): Promise<MergedProfile | undefined> {
    return mergePartials(await this.partials(accountId, region, endpoint, variant, start, end), start, end);
  }

  /** Retention: removes every partial starting before `before`; returns how many rows went. */
  deleteBefore(before: Date): Promise<number> {
    return this.db.run('DELETE FROM monitor_profiles WHERE minute_start < ?', [before.getTime()]);
  }

  /**
   * Replaces the minute rows of each whole hour in the `lookbackHours` before `before` by one row per endpoint
   * variant and hour; returns the hour rows written. Only hours profiled in all 60 minutes are rolled up, so a gap
   * stays visible to merged() (those minute rows simply age out). Replicas may run this concurrently: each hour
   * is read and deleted in one transaction, and one that deletes other rows than it read (another replica got
   * there first, or a late partial arrived) is undone, so no row is ever counted twice or lost.
   */
  async rollUp(before: Date, lookbackHours = 6): Promise<number> {
    const cutoff = before.getTime() - (before.getTime() % HOUR_MS);
    const groups = await this.db.query<{ account_id: string; region: string; endpoint: string; variant: string; hour: number | string }>(
      'SELECT DISTINCT account_id, region, endpoint, variant, minute_start - (minute_start % 3600000) AS hour FROM monitor_profiles'
        + ' WHERE span_minutes = 1 AND minute_start >= ? AND minute_start < ? ORDER BY hour, account_id, region, endpoint, variant',
      [cutoff - lookbackHours * HOUR_MS, cutoff],
    );
    let written = 0;
    for (const g of groups) {
      const key = { accountId: g.account_id, region: g.region, endpoint: g.endpoint, variant: g.variant };
      if (await this.#rollUpHour(key, Number(g.hour)).catch(() => false)) written++;
    }
    return written;
  }

  async #rollUpHour(k: ProfileKey, hour: number): Promise<boolean> {
    const where = 'account_id = ? AND region = ? AND endpoint = ? AND variant = ? AND span_minutes = 1 AND minute_start >= ? AND minute_start < ?';
    const params = [k.accountId, k.region, k.endpoint, k.variant, hour, hour + HOUR_MS];
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ minute_start: number | string; profile: string }>(`SELECT minute_start, profile FROM monitor_profiles WHERE ${where}`, params);
      if (new Set(rows.map((r) => Number(r.minute_start))).size < 60) return false;
      if ((await tx.run(`DELETE FROM monitor_profiles WHERE ${where}`, params)) !== rows.length) throw new Error('profiles changed during roll-up');
      let merged = DatasetProfile.empty();
      for (const r of rows) merged = merged.merge(decode(r.profile));
      await tx.run(`INSERT INTO monitor_profiles (${COLUMNS}) VALUES ${ROW}`, [k.accountId, k.region, k.endpoint, k.variant, hour, 60, this.writerId, merged.itemCount, encode(merged)]);
      return true;
    });
  }
}

/** Merges partials (any order of writers) and reports which minutes of [start, end) they cover. */
export function mergePartials(parts: readonly (ProfilePartial & { spanMinutes?: number })[], start: Date, end: Date): MergedProfile | undefined {
  if (parts.length === 0) return undefined;
  let profile = DatasetProfile.empty();
  const covered = new Set<number>();
  for (const p of parts) {
    profile = profile.merge(p.profile);
    for (let i = 0; i < (p.spanMinutes ?? 1); i++) covered.add(p.minute + i * MINUTE_MS);
  }
  const missingMinutes: number[] = [];
  const first = Math.ceil(start.getTime() / MINUTE_MS) * MINUTE_MS;
  for (let m = first; m < end.getTime(); m += MINUTE_MS) if (!covered.has(m)) missingMinutes.push(m);
  return { profile, minutes: covered.size, expectedMinutes: covered.size + missingMinutes.length, missingMinutes };
}
