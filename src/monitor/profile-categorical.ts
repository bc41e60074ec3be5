/**
 * Bounded value histogram of one feature: exact counts while the feature has at most `CATEGORICAL_CAP`
 * distinct values, then a HyperLogLog for the distinct count only.
 *
 * Why the split: the histogram becomes `string_statistics.distribution.categorical` (and constraint
 * domains) for String features. Beyond the cap the exact map is dropped — memory stays bounded — and the
 * feature's statistics carry `distinct_count` (estimated) but no categorical distribution: a partial
 * histogram would bias categorical drift distances, and features with thousands of categories are not
 * meaningful drift subjects anyway (Deequ's own profiler only histograms columns with <= 120 values).
 *
 * Values that classify as numbers are kept in a separate open-addressing table keyed by their double, so
 * numeric columns (the common case) cost a hash probe, not a string-keyed Map operation. The table keeps
 * the first spelling of each number: a String feature reports `"1.0"` if that is how it first appeared
 * (differently spelled equal numbers, e.g. `1` and `1.0`, share one bucket: a known simplification).
 */
import { HyperLogLog, hashNumber, hashString } from './hll.js';

// Local aliases of imports (see profile-feature.ts: avoids getter calls under CJS-transpiling runners).
const hashNum = hashNumber;
const hashStr = hashString;

export const CATEGORICAL_CAP = 4096;
const MAX_SLOTS = CATEGORICAL_CAP * 2;

export class Categorical {
  /** String (and Boolean) values; null once overflowed. */
  strings: Map<string, number> | null = new Map();
  private keys = new Float64Array(64);
  private counts = new Float64Array(64);
  private spellings: (string | undefined)[] = new Array<string | undefined>(64);
  private used = new Uint8Array(64);
  private mask = 63;
  numSize = 0;
  hll: HyperLogLog | null = null;

  get overflowed(): boolean {
    return this.hll !== null;
  }

  addString(s: string): void {
    const m = this.strings;
    if (m === null) {
      (this.hll as HyperLogLog).addHash(hashStr(s));
      return;
    }
    const c = m.get(s);
    if (c !== undefined) {
      m.set(s, c + 1);
    } else {
      m.set(s, 1);
      if (m.size + this.numSize > CATEGORICAL_CAP) this.overflow();
    }
  }

  /** `spelling` is the cell text when the value came from a string, undefined for native numbers. */
  addNumber(x: number, spelling: string | undefined, times = 1): void {
    const h = hashNum(x);
    if (this.hll !== null) {
      this.hll.addHash(h);
      return;
    }
    const keys = this.keys;
    const used = this.used;
    const mask = this.mask;
    let i = h & mask;
    while (used[i] === 1) {
      if (Object.is(keys[i], x)) {
        this.counts[i] += times;
        return;
      }
      i = (i + 1) & mask;
    }
    used[i] = 1;
    keys[i] = x;
    this.counts[i] = times;
    this.spellings[i] = spelling;
    this.numSize++;
    if (this.numSize + (this.strings as Map<string, number>).size > CATEGORICAL_CAP) this.overflow();
    else if (this.numSize * 2 > this.keys.length && this.keys.length < MAX_SLOTS) this.grow();
  }

  /** Exact (while not overflowed) or estimated number of distinct values. */
  distinctCount(): number {
    if (this.hll !== null) return this.hll.estimate();
    return this.numSize + (this.strings as Map<string, number>).size;
  }

  /** Value → count over all tracked values, or null once overflowed. */
  histogram(): Map<string, number> | null {
    if (this.strings === null) return null;
    const out = new Map(this.strings);
    this.forEachNumber((x, count, spelling) => {
      const key = spelling ?? String(x);
      out.set(key, (out.get(key) ?? 0) + count);
    });
    return out;
  }

  forEachNumber(fn: (x: number, count: number, spelling: string | undefined) => void): void {
    for (let i = 0; i < this.keys.length; i++) if (this.used[i] === 1) fn(this.keys[i], this.counts[i], this.spellings[i]);
  }

  merge(other: Categorical): Categorical {
    const out = this.clone();
    if (out.hll === null && other.hll === null) {
      for (const [s, c] of other.strings as Map<string, number>) {
        const m = out.strings;
        if (m === null) {
          out.addString(s);
        } else {
          m.set(s, (m.get(s) ?? 0) + c);
          if (m.size + out.numSize > CATEGORICAL_CAP) out.overflow();
        }
      }
      other.forEachNumber((x, c, sp) => out.addNumber(x, sp, c));
      return out;
    }
    const hll = out.hll ?? out.overflow();
    hll.mergeInto(other.hll ?? other.seededHll());
    return out;
  }

  clone(): Categorical {
    const out = new Categorical();
    out.strings = this.strings === null ? null : new Map(this.strings);
    out.keys = this.keys.slice();
    out.counts = this.counts.slice();
    out.spellings = this.spellings.slice();
    out.used = this.used.slice();
    out.mask = this.mask;
    out.numSize = this.numSize;
    out.hll = this.hll?.clone() ?? null;
    return out;
  }

  /** Rebuild from serialized parts (see profile-serialize.ts). */
  static restore(strings: Map<string, number> | null, numbers: [number, number, string | undefined][], hll: HyperLogLog | null): Categorical {
    const out = new Categorical();
    if (hll !== null) {
      out.strings = null;
      out.hll = hll;
      out.clearNumbers();
      return out;
    }
    out.strings = strings ?? new Map();
    for (const [x, c, sp] of numbers) out.addNumber(x, sp, c);
    return out;
  }

  private seededHll(): HyperLogLog {
    const hll = new HyperLogLog();
    for (const s of (this.strings as Map<string, number>).keys()) hll.addHash(hashString(s));
    this.forEachNumber((x) => hll.addHash(hashNumber(x)));
    return hll;
  }

  private overflow(): HyperLogLog {
    const hll = this.seededHll();
    this.hll = hll;
    this.strings = null;
    this.clearNumbers();
    return hll;
  }

  private clearNumbers(): void {
    this.keys = new Float64Array(0);
    this.counts = new Float64Array(0);
    this.spellings = [];
    this.used = new Uint8Array(0);
    this.mask = 0;
    this.numSize = 0;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const oldSp = this.spellings;
    const oldUsed = this.used;
    const size = oldKeys.length * 2;
    this.keys = new Float64Array(size);
    this.counts = new Float64Array(size);
    this.spellings = new Array<string | undefined>(size);
    this.used = new Uint8Array(size);
    this.mask = size - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      if (oldUsed[j] !== 1) continue;
      let i = hashNumber(oldKeys[j]) & this.mask;
      while (this.used[i] === 1) i = (i + 1) & this.mask;
      this.used[i] = 1;
      this.keys[i] = oldKeys[j];
      this.counts[i] = oldCounts[j];
      this.spellings[i] = oldSp[j];
    }
  }
}
