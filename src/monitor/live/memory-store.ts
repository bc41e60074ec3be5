/** An in-memory ProfileStore for tests: the SQL store's semantics without a database. */
import { DatasetProfile } from '../profile.js';
import type { ProfileStore } from './profiler.js';
import { mergePartials, type MergedProfile, type ProfilePartial, type StoredPartial } from './store.js';

export class MemoryProfileStore implements ProfileStore {
  readonly rows: StoredPartial[] = [];
  failNext = 0;

  insert(partials: readonly ProfilePartial[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('database unreachable'));
    }
    // Serialized like the SQL store, so tests see what a reader would.
    for (const p of partials) this.rows.push({ ...p, writerId: 'mem', spanMinutes: 1, profile: DatasetProfile.deserialize(p.profile.serialize()) });
    return Promise.resolve();
  }

  partials(accountId: string, region: string, endpoint: string, variant: string | undefined, start: Date, end: Date): Promise<StoredPartial[]> {
    return Promise.resolve(this.rows.filter((r) => r.accountId === accountId && r.region === region && r.endpoint === endpoint
      && (variant === undefined || r.variant === variant) && r.minute >= start.getTime() && r.minute < end.getTime()));
  }

  async merged(accountId: string, region: string, endpoint: string, variant: string | undefined, start: Date, end: Date): Promise<MergedProfile | undefined> {
    return mergePartials(await this.partials(accountId, region, endpoint, variant, start, end), start, end);
  }

  /** Roll-ups only change storage, not what a reader merges: nothing to imitate. */
  rollUp(): Promise<number> {
    return Promise.resolve(0);
  }

  deleteBefore(before: Date): Promise<number> {
    const keep = this.rows.filter((r) => r.minute >= before.getTime());
    const n = this.rows.length - keep.length;
    this.rows.splice(0, this.rows.length, ...keep);
    return Promise.resolve(n);
  }
}
