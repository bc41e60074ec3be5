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
import { HyperLogLog, hashNumber, hashString, hashStringRange } from './hll.js';

// Local aliases of imports (see profile-feature.ts: avoids getter calls under CJS-transpiling runners).
const hashNum = hashNumber;
const hashStr = hashString;
const hashRange = hashStringRange;

/**
 * A flat copy of a cell cut from a big chunk of text. V8 substrings of 13+ characters are views that keep their
 * whole parent alive, so a histogram key would pin a megabyte chunk; keys are inserted rarely (≤ CATEGORICAL_CAP).
 */
function detach(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

export const CATEGORICAL_CAP = 4096;
/**
 * Bound on the total size of the distinct keys a feature keeps (string values and number spellings), counted in
 * string length (UTF-16 code units: bytes for Latin-1 text). Past it the feature overflows as past CATEGORICAL_CAP:
 * 4096 distinct 4 MB cells must not stay in memory.
 */
export const CATEGORICAL_KEY_BYTES_CAP = 1 << 20;
/** A single key longer than this overflows the feature at once (it is not a category). */
export const CATEGORICAL_MAX_KEY_LENGTH = 1024;
const MAX_SLOTS = CATEGORICAL_CAP * 2;
const CACHE_SLOTS = 256;
const CACHE_MASK = CACHE_SLOTS - 1;
// ~i of any slot index is negative but never this.
const OVERFLOWED = -(1 << 30);

export class Categorical {
  /** String (and Boolean) values; null once overflowed. Counts may lag behind the cache (see `strings`). */
  private map: Map<string, number> | null = new Map();
  // Columnar cells hit a small direct-mapped cache of recent keys first: a hash and a compare in place of
  // slicing the cell and two Map operations. Hits count here and are flushed into `map` before it is read.
  private cacheKeys: (string | undefined)[] = new Array<string | undefined>(CACHE_SLOTS);
  private cacheCounts = new Float64Array(CACHE_SLOTS);
  private cacheUsed = false;
  private keys = new Float64Array(64);
  private counts = new Float64Array(64);
  private spellings: (string | undefined)[] = new Array<string | undefined>(64);
  private used = new Uint8Array(64);
  private mask = 63;
  numSize = 0;
  /** Total length of the stored keys (string values and number spellings); 0 once overflowed. */
  keyBytes = 0;
  hll: HyperLogLog | null = null;

  get overflowed(): boolean {
    return this.hll !== null;
  }

  addString(s: string): void {
    const m = this.map;
    if (m === null) {
      (this.hll as HyperLogLog).addHash(hashStr(s));
      return;
    }
    const c = m.get(s);
    if (c !== undefined) {
      m.set(s, c + 1);
    } else {
      m.set(s, 1);
      this.keyBytes += s.length;
      if (this.overLimit(s.length)) this.overflow();
    }
  }

  /** Whether the keys stored so far (the last one `length` long) exceed a bound. */
  private overLimit(length: number): boolean {
    return (this.map as Map<string, number>).size + this.numSize > CATEGORICAL_CAP || length > CATEGORICAL_MAX_KEY_LENGTH || this.keyBytes > CATEGORICAL_KEY_BYTES_CAP;
  }

  /** `addString(text.slice(start, end))`, slicing only to insert a new key. */
  addStringCell(text: string, start: number, end: number): void {
    const m = this.map;
    const h = hashRange(text, start, end);
    if (m === null) {
      (this.hll as HyperLogLog).addHash(h);
      return;
    }
    const slot = h & CACHE_MASK;
    const cached = this.cacheKeys[slot];
    if (cached !== undefined && cached.length === end - start && text.startsWith(cached, start)) {
      this.cacheCounts[slot]++;
      return;
    }
    const s = text.slice(start, end);
    const c = m.get(s);
    let key: string | undefined;
    if (c !== undefined) {
      m.set(s, c + 1);
      // Short slices are copies; a longer one would pin its chunk, so only freshly detached keys get cached.
      if (s.length < 13) key = s;
    } else {
      // Too long a key is not kept, not even detached: the feature overflows and counts it in the HyperLogLog.
      if (s.length > CATEGORICAL_MAX_KEY_LENGTH) {
        this.overflow().addHash(h);
        return;
      }
      key = detach(s);
      m.set(key, 1);
      this.keyBytes += key.length;
      if (this.overLimit(key.length)) {
        this.overflow();
        return;
      }
    }
    // With many distinct values the cache would thrash: stop filling it.
    if (key !== undefined && m.size <= CACHE_SLOTS) {
      this.evict(slot);
      this.cacheKeys[slot] = key;
      this.cacheUsed = true;
    }
  }

  /** String (and Boolean) value → count; null once overflowed. */
  get strings(): Map<string, number> | null {
    if (this.cacheUsed) this.flush();
    return this.map;
  }

  private evict(slot: number): void {
    const key = this.cacheKeys[slot];
    const c = this.cacheCounts[slot];
    if (key !== undefined && c > 0) {
      const m = this.map as Map<string, number>;
      m.set(key, (m.get(key) as number) + c);
    }
    this.cacheKeys[slot] = undefined;
    this.cacheCounts[slot] = 0;
  }

  private flush(): void {
    for (let i = 0; i < CACHE_SLOTS; i++) this.evict(i);
    this.cacheUsed = false;
  }

  /** `addNumber(x, text.slice(start, end))`, slicing only to insert a new key. */
  addNumberCell(x: number, text: string, start: number, end: number): void {
    const i = this.slot(x);
    if (i >= 0) this.counts[i]++;
    else if (i === OVERFLOWED) return;
    else if (end - start > CATEGORICAL_MAX_KEY_LENGTH) this.overflow().addHash(hashNum(x));
    else this.insert(~i, x, 1, detach(text.slice(start, end)));
  }

  /** `spelling` is the cell text when the value came from a string, undefined for native numbers. */
  addNumber(x: number, spelling: string | undefined, times = 1): void {
    const i = this.slot(x);
    if (i >= 0) this.counts[i] += times;
    else if (i !== OVERFLOWED) this.insert(~i, x, times, spelling);
  }

  /** x's slot if tracked, else ~(free slot) for it; OVERFLOWED once the HyperLogLog took over (x added there). */
  private slot(x: number): number {
    const h = hashNum(x);
    if (this.hll !== null) {
      this.hll.addHash(h);
      return OVERFLOWED;
    }
    const keys = this.keys;
    const used = this.used;
    const mask = this.mask;
    let i = h & mask;
    while (used[i] === 1) {
      if (Object.is(keys[i], x)) return i;
      i = (i + 1) & mask;
    }
    return ~i;
  }

  private insert(i: number, x: number, times: number, spelling: string | undefined): void {
    const used = this.used;
    const keys = this.keys;
    used[i] = 1;
    keys[i] = x;
    this.counts[i] = times;
    this.spellings[i] = spelling;
    this.numSize++;
    const length = spelling === undefined ? 0 : spelling.length;
    this.keyBytes += length;
    if (this.overLimit(length)) this.overflow();
    else if (this.numSize * 2 > this.keys.length && this.keys.length < MAX_SLOTS) this.grow();
  }

  /** Exact (while not overflowed) or estimated number of distinct values. */
  distinctCount(): number {
    if (this.hll !== null) return this.hll.estimate();
    return this.numSize + (this.map as Map<string, number>).size;
  }

  /** Value → count over all tracked values, or null once overflowed. */
  histogram(): Map<string, number> | null {
    const strings = this.strings;
    if (strings === null) return null;
    const out = new Map(strings);
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
        const m = out.map;
        if (m === null) {
          out.addString(s);
        } else {
          const had = m.get(s);
          m.set(s, (had ?? 0) + c);
          if (had === undefined) {
            out.keyBytes += s.length;
            if (out.overLimit(s.length)) out.overflow();
          }
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
    const strings = this.strings;
    out.map = strings === null ? null : new Map(strings);
    out.keys = this.keys.slice();
    out.counts = this.counts.slice();
    out.spellings = this.spellings.slice();
    out.used = this.used.slice();
    out.mask = this.mask;
    out.numSize = this.numSize;
    out.keyBytes = this.keyBytes;
    out.hll = this.hll?.clone() ?? null;
    return out;
  }

  /** Rebuild from serialized parts (see profile-serialize.ts). */
  static restore(strings: Map<string, number> | null, numbers: [number, number, string | undefined][], hll: HyperLogLog | null): Categorical {
    const out = new Categorical();
    if (hll !== null) {
      out.map = null;
      out.hll = hll;
      out.clearNumbers();
      return out;
    }
    out.map = new Map();
    // Through the same bounds as live insertion: a profile written before them (or by hand) must not exceed them.
    let longest = 0;
    for (const [s, c] of strings ?? []) {
      out.map.set(s, c);
      out.keyBytes += s.length;
      if (s.length > longest) longest = s.length;
    }
    if (out.overLimit(longest)) {
      out.overflow();
      for (const [x] of numbers) (out.hll as HyperLogLog).addHash(hashNumber(x));
      return out;
    }
    for (const [x, c, sp] of numbers) out.addNumber(x, sp, c);
    return out;
  }

  private seededHll(): HyperLogLog {
    const hll = new HyperLogLog();
    for (const s of (this.map as Map<string, number>).keys()) hll.addHash(hashString(s));
    this.forEachNumber((x) => hll.addHash(hashNumber(x)));
    return hll;
  }

  private overflow(): HyperLogLog {
    const hll = this.seededHll();
    this.hll = hll;
    this.map = null;
    this.keyBytes = 0;
    this.cacheKeys.fill(undefined);
    this.cacheCounts.fill(0);
    this.cacheUsed = false;
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
