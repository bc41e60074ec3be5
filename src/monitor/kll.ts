/**
 * KLL quantile sketch, behaviourally identical to Deequ's `QuantileNonSample` + `NonSampleCompactor`
 * (the sketch SageMaker's data-quality container writes into statistics.json; spec §2.1):
 *
 * - level h holds items of weight 2^h; capacity(h) = 2 * (ceil(k * c^h / 2) + 1); level 0 takes new items;
 * - `update` appends to level 0 and condenses only when the total item count exceeds the summed capacity,
 *   so level 0 may grow past its own capacity while upper levels have room;
 * - `condense` compacts the first level at or above its capacity (one compaction per call);
 * - a compaction sorts the even-length prefix, keeps every second item starting at `offset`
 *   (offset flips before every odd-numbered compaction: 0,1,1,0,0,1,1,…, no randomness), and leaves the
 *   last (unsorted) item behind when the length is odd;
 * - `merge` concatenates level-wise (this level's items first) and condenses while size >= capacity.
 *
 * Reproducing these rules (not just "a KLL") is what makes `sketch.data` and the bucket counts match the
 * container's output byte for byte on single-partition data.
 */
import { sortDoubles, sortRuns } from './kll-sort.js';
import type { KllBucket, KllSketchJson } from './schema.js';

export const DEFAULT_SKETCH_SIZE = 2048;
export const DEFAULT_SHRINKING_FACTOR = 0.64;
/** SageMaker materializes 10 buckets, "not currently configurable". */
export const DEFAULT_BUCKETS = 10;

export class KllSketch {
  readonly k: number;
  readonly c: number;
  /** Per level: items (first `lengths[h]` slots used). */
  private levels: Float64Array[] = [];
  private lengths: number[] = [];
  /** Per level: Deequ's NonSampleCompactor.numOfCompress and offset. */
  private compressions: number[] = [];
  private offsets: number[] = [];
  private caps: number[] = [];
  private size = 0;
  private totalCapacity = 0;
  // Level-0 fast path: kept in fields so `update` touches no arrays of arrays.
  private l0: Float64Array;
  private l0len = 0;

  constructor(k: number = DEFAULT_SKETCH_SIZE, c: number = DEFAULT_SHRINKING_FACTOR) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`KLL sketch size must be a positive integer, got ${k}`);
    if (!(c > 0 && c <= 1)) throw new Error(`KLL shrinking factor must be in (0, 1], got ${c}`);
    this.k = k;
    this.c = c;
    this.expand();
    this.l0 = this.levels[0];
  }

  /** Number of items held (not the number of values represented; see `count`). */
  get itemsHeld(): number {
    return this.size;
  }

  /** Number of values represented: Σ items × 2^level. */
  get count(): number {
    this.sync();
    let n = 0;
    for (let h = 0; h < this.levels.length; h++) n += this.lengths[h] * 2 ** h;
    return n;
  }

  get isEmpty(): boolean {
    return this.itemsHeld === 0;
  }

  capacity(height: number): number {
    return 2 * (Math.ceil((this.k * Math.pow(this.c, height)) / 2) + 1);
  }

  update(x: number): void {
    let buf = this.l0;
    if (this.l0len === buf.length) buf = this.growLevel0();
    buf[this.l0len++] = x;
    this.size++;
    if (this.size > this.totalCapacity) {
      this.lengths[0] = this.l0len;
      this.condense();
      this.l0len = this.lengths[0];
    }
  }

  /** Deequ's merge: mutates and returns this. Merging an empty sketch changes nothing (see profile docs). */
  mergeInto(that: KllSketch): this {
    this.sync();
    that.sync();
    if (that.size === 0) return this;
    if (this.size === 0 && this.levels.length === 1) {
      this.copyFrom(that);
      return this;
    }
    while (this.levels.length < that.levels.length) this.expand();
    for (let h = 0; h < that.levels.length; h++) {
      this.appendToLevel(h, that.levels[h], 0, that.lengths[h], 1);
    }
    this.size = this.countItems();
    while (this.size >= this.totalCapacity) this.condense();
    this.l0 = this.levels[0];
    this.l0len = this.lengths[0];
    return this;
  }

  merge(that: KllSketch): KllSketch {
    return this.clone().mergeInto(that);
  }

  clone(): KllSketch {
    const out = new KllSketch(this.k, this.c);
    this.sync();
    out.copyFrom(this);
    return out;
  }

  /** The `sketch.data` of statistics.json: level buffers, level 0 first, in buffer order. */
  data(): number[][] {
    this.sync();
    return this.levels.map((lv, h) => Array.from(lv.subarray(0, this.lengths[h])));
  }

  toJson(): KllSketchJson {
    return { parameters: { c: this.c, k: this.k }, data: this.data() };
  }

  /** Deequ's `reconstruct`: rebuild from statistics.json. Compaction state (offsets) starts afresh, as there. */
  static fromJson(json: KllSketchJson): KllSketch {
    return KllSketch.fromLevels(json.parameters.k, json.parameters.c, json.data.map((d) => Float64Array.from(d)));
  }

  /** Rebuild from level buffers plus (optionally) per-level compaction state, for Vigil's own serialization. */
  static fromLevels(k: number, c: number, data: Float64Array[], compressions?: number[], offsets?: number[]): KllSketch {
    const s = new KllSketch(k, c);
    while (s.levels.length < Math.max(1, data.length)) s.expand();
    for (let h = 0; h < data.length; h++) {
      s.lengths[h] = 0;
      s.appendToLevel(h, data[h], 0, data[h].length, 1);
      s.compressions[h] = compressions?.[h] ?? 0;
      s.offsets[h] = offsets?.[h] ?? 0;
    }
    s.size = s.countItems();
    s.l0 = s.levels[0];
    s.l0len = s.lengths[0];
    return s;
  }

  /** Per-level compaction state, for lossless serialization. */
  state(): { data: Float64Array[]; compressions: number[]; offsets: number[] } {
    this.sync();
    return {
      data: this.levels.map((lv, h) => lv.slice(0, this.lengths[h])),
      compressions: this.compressions.slice(),
      offsets: this.offsets.slice(),
    };
  }

  /** Σ weights of items <= x (Deequ getRank). */
  rank(x: number): number {
    return this.weightWhere(x, true);
  }

  /** Σ weights of items < x (Deequ getRankExclusive). */
  rankExclusive(x: number): number {
    return this.weightWhere(x, false);
  }

  /**
   * Equal-width buckets over [min, max] with sketch counts, as Deequ's KLLSketch.computeMetricFrom:
   * bucket i counts items in [low_i, high_i), the last one [low, high] so that max is included.
   */
  buckets(min: number, max: number, n: number = DEFAULT_BUCKETS): KllBucket[] {
    const out: KllBucket[] = [];
    for (let i = 0; i < n; i++) {
      const lower = min + ((max - min) * i) / n;
      const upper = min + ((max - min) * (i + 1)) / n;
      const high = i === n - 1 ? this.rank(upper) : this.rankExclusive(upper);
      out.push({ lower_bound: lower, upper_bound: upper, count: high - this.rankExclusive(lower) });
    }
    return out;
  }

  /** Weighted items sorted by value, for CDF-based distances: [values, cumulative weights]. */
  sortedWithCumulativeWeights(): { values: Float64Array; cumulative: Float64Array } {
    this.sync();
    const pairs: [number, number][] = [];
    for (let h = 0; h < this.levels.length; h++) {
      const w = 2 ** h;
      for (let i = 0; i < this.lengths[h]; i++) pairs.push([this.levels[h][i], w]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    const values = new Float64Array(pairs.length);
    const cumulative = new Float64Array(pairs.length);
    let run = 0;
    for (let i = 0; i < pairs.length; i++) {
      run += pairs[i][1];
      values[i] = pairs[i][0];
      cumulative[i] = run;
    }
    return { values, cumulative };
  }

  // ---- internals ---------------------------------------------------------------------------------------

  private weightWhere(x: number, inclusive: boolean): number {
    this.sync();
    let rank = 0;
    for (let h = 0; h < this.levels.length; h++) {
      const lv = this.levels[h];
      const len = this.lengths[h];
      let c = 0;
      if (inclusive) {
        for (let i = 0; i < len; i++) if (lv[i] <= x) c++;
      } else {
        for (let i = 0; i < len; i++) if (lv[i] < x) c++;
      }
      rank += c * 2 ** h;
    }
    return rank;
  }

  /** Level 0 length lives in `l0len` during updates; publish it before any other operation. */
  private sync(): void {
    this.lengths[0] = this.l0len;
    this.levels[0] = this.l0;
  }

  private expand(): void {
    const h = this.levels.length;
    const cap = this.capacity(h);
    this.levels.push(new Float64Array(h === 0 ? Math.min(cap + 2, 1 << 16) : cap + 2));
    this.lengths.push(0);
    this.compressions.push(0);
    this.offsets.push(0);
    this.caps.push(cap);
    this.totalCapacity += cap;
  }

  private growLevel0(): Float64Array {
    this.sync();
    const bigger = new Float64Array(this.l0.length * 2);
    bigger.set(this.l0);
    this.levels[0] = bigger;
    this.l0 = bigger;
    return bigger;
  }

  private countItems(): number {
    let n = 0;
    for (let h = 0; h < this.levels.length; h++) n += this.lengths[h];
    return n;
  }

  private appendToLevel(h: number, src: Float64Array, from: number, to: number, step: number): void {
    const need = this.lengths[h] + Math.ceil((to - from) / step);
    let lv = this.levels[h];
    if (need > lv.length) {
      const bigger = new Float64Array(Math.max(need, lv.length * 2));
      bigger.set(lv.subarray(0, this.lengths[h]));
      lv = bigger;
      this.levels[h] = bigger;
    }
    let n = this.lengths[h];
    for (let i = from; i < to; i += step) lv[n++] = src[i];
    this.lengths[h] = n;
  }

  private condense(): void {
    for (let h = 0; h < this.levels.length; h++) {
      if (this.lengths[h] >= this.caps[h]) {
        if (h + 1 >= this.levels.length) this.expand();
        this.compact(h);
        this.size = this.countItems();
        return;
      }
    }
  }

  private compact(h: number): void {
    const buf = this.levels[h];
    const items = this.lengths[h];
    const len = items - (items % 2);
    if (this.compressions[h] % 2 === 1) this.offsets[h] = 1 - this.offsets[h];
    // Sorting the even prefix in place is safe: the odd leftover (last slot) is outside it. Levels above 0 are
    // runs appended by compactions below (already sorted), which merging sorts much faster than radix.
    if (h === 0) sortDoubles(buf, len);
    else sortRuns(buf, len);
    this.appendToLevel(h + 1, buf, this.offsets[h], len, 2);
    if (items % 2 === 1) {
      buf[0] = buf[items - 1];
      this.lengths[h] = 1;
    } else {
      this.lengths[h] = 0;
    }
    this.compressions[h]++;
  }

  private copyFrom(that: KllSketch): void {
    this.levels = that.levels.map((lv, h) => lv.slice(0, Math.max(that.lengths[h], this.capacity(h) + 2)));
    this.lengths = that.lengths.slice();
    this.compressions = that.compressions.slice();
    this.offsets = that.offsets.slice();
    this.caps = that.caps.slice();
    this.size = that.size;
    this.totalCapacity = that.totalCapacity;
    this.l0 = this.levels[0];
    this.l0len = this.lengths[0];
  }
}
