import type { Value } from '../profile.js';
import { DatasetProfile } from '../profile.js';
import { MINUTE_MS, type ProfileKey, type ProfilePartial } from './store.js';

/** Minutes of markers written after a stall (e.g. a suspended laptop) at most; older gaps read as missing. */
const MAX_BACKFILL_MINUTES = 60;

interface Minute {
  start: number;
  profile: DatasetProfile;
}

/**
 * The profiles one process is building for one endpoint variant: the open minute, and minutes that ended but are
 * not yet written. Also remembers up to which minute it has written, so idle minutes get an empty marker.
 */
export class VariantSeries {
  current: Minute | undefined;
  /** Ended minutes not yet written; normally none or one, more after a late record or a failed write. */
  readonly closed: Minute[] = [];
  /** Minutes before this (epoch ms) are written or marked. */
  written: number;
  lastSeen: number;
  /** Set when dropped for idleness: cached references must look the series up again. */
  removed = false;

  constructor(readonly key: ProfileKey, minute: number) {
    this.written = minute;
    this.lastSeen = minute;
  }

  /** The profile rows of the minute starting at `minute` go to. */
  profileFor(minute: number): DatasetProfile {
    const cur = this.current;
    if (cur !== undefined && cur.start === minute) return cur.profile;
    if (minute < this.written || (cur !== undefined && minute < cur.start)) {
      // A record stamped before a minute already closed (a request that straddled the boundary): its own partial.
      let late = this.closed.find((m) => m.start === minute);
      if (!late) {
        late = { start: minute, profile: DatasetProfile.empty() };
        this.closed.push(late);
      }
      return late.profile;
    }
    if (cur !== undefined) this.closed.push(cur);
    const next = { start: minute, profile: DatasetProfile.empty() };
    this.current = next;
    if (minute > this.lastSeen) this.lastSeen = minute;
    return next.profile;
  }

  /**
   * Partials for every minute before `upTo` not yet written: profiled minutes as they are, idle ones as empty
   * markers. `includeOpen` also takes the open minute (shutdown: write what there is).
   */
  drain(upTo: number, includeOpen: boolean): ProfilePartial[] {
    const cur = this.current;
    if (cur !== undefined && (cur.start < upTo || includeOpen)) {
      this.closed.push(cur);
      this.current = undefined;
    }
    const out: ProfilePartial[] = [];
    const seen = new Set<number>();
    for (let i = this.closed.length - 1; i >= 0; i--) {
      const m = this.closed[i];
      if (m.start >= upTo && !includeOpen) continue;
      out.push({ ...this.key, minute: m.start, profile: m.profile });
      seen.add(m.start);
      this.closed.splice(i, 1);
    }
    for (let m = Math.max(this.written, upTo - MAX_BACKFILL_MINUTES * MINUTE_MS); m < upTo; m += MINUTE_MS) {
      if (!seen.has(m)) out.push({ ...this.key, minute: m, profile: DatasetProfile.empty() });
    }
    if (upTo > this.written) this.written = upTo;
    return out.sort((a, b) => a.minute - b.minute);
  }
}

/**
 * Adds rows to a profile keeping at most `maxFeatures` features: keys beyond the budget are left out (counted in
 * the return value) so a client sending ever-new JSON keys cannot grow memory without bound.
 */
export function addCapped(profile: DatasetProfile, row: Record<string, Value>, maxFeatures: number): number {
  const have = profile.allFeatures().length;
  let width = 0;
  for (const _ in row) width++;
  if (have + width <= maxFeatures) {
    profile.add(row);
    return 0;
  }
  const kept: Record<string, Value> = {};
  let budget = maxFeatures - have;
  let dropped = 0;
  for (const k in row) {
    if (profile.feature(k) !== undefined) kept[k] = row[k];
    else if (budget > 0) {
      kept[k] = row[k];
      budget--;
    } else dropped++;
  }
  profile.add(kept);
  return dropped;
}
