/**
 * Iteration order of a Scala 2.12 `mutable.HashMap[String, _]`, emulated.
 *
 * Why this exists: Deequ's chi-square distance (Distance.scala) walks `mutable.Map`s in hash order. That order
 * decides (a) which category wins a tie in `minBy` when small categories are regrouped — a real semantic
 * difference — and (b) the summation order of the χ² statistic, i.e. its last bits. Deequ's own test vectors
 * (e.g. 8.789790456457125) only reproduce bit-for-bit in this order, not in insertion or sorted order.
 *
 * Model (scala.collection.mutable.HashTable, 2.12): 16 buckets initially, load factor 0.75, resize doubles when
 * size exceeds the threshold; bucket index = top bits of rotateRight(byteswap32(String.hashCode), seed) where the
 * seed is fixed at construction (bitCount(15) = 4); new entries go to the head of their bucket chain; iteration
 * runs from the last bucket down to bucket 0, each chain head first. Removing keeps the others' order; updating
 * an existing key keeps its position.
 */

/** Java's String.hashCode over UTF-16 code units (int32 arithmetic). */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

function reverseBytes(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | ((v >>> 24) & 0xff)) | 0;
}

/** scala.util.hashing.byteswap32 */
function byteswap32(v: number): number {
  const hc = reverseBytes(Math.imul(v, 0x9e3775cd | 0));
  return Math.imul(hc, 0x9e3775cd | 0);
}

const SEED = 4; // Integer.bitCount(16 - 1), captured once when the table is created

/** A string-keyed map whose `keys()` follow Scala 2.12 mutable.HashMap iteration order. */
export class ScalaHashMap<V> {
  private table: string[][] = Array.from({ length: 16 }, () => []);
  private threshold = 12;
  private readonly values = new Map<string, V>();

  /** Build by inserting entries in the given order (as `mutable.Map(a -> 1, b -> 2, …)` or `.map(...)` do). */
  static from<V>(entries: Iterable<readonly [string, V]>): ScalaHashMap<V> {
    const m = new ScalaHashMap<V>();
    for (const [k, v] of entries) m.set(k, v);
    return m;
  }

  get size(): number {
    return this.values.size;
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  set(key: string, value: V): void {
    if (!this.values.has(key)) {
      this.table[this.index(key)].unshift(key);
      if (this.values.size + 1 > this.threshold) this.resize(this.table.length * 2);
    }
    this.values.set(key, value);
  }

  delete(key: string): void {
    if (!this.values.delete(key)) return;
    const chain = this.table[this.index(key)];
    chain.splice(chain.indexOf(key), 1);
  }

  /** Keys in Scala iteration order. */
  keys(): string[] {
    const out: string[] = [];
    for (let i = this.table.length - 1; i >= 0; i--) out.push(...this.table[i]);
    return out;
  }

  entries(): [string, V][] {
    return this.keys().map((k) => [k, this.values.get(k) as V]);
  }

  /** Scala `minBy(_._2)`: the first entry in iteration order with the smallest value. */
  minBy(score: (v: V) => number): [string, V] | undefined {
    let best: [string, V] | undefined;
    let bestScore = Infinity;
    for (const [k, v] of this.entries()) {
      const s = score(v);
      if (best === undefined || s < bestScore) {
        best = [k, v];
        bestScore = s;
      }
    }
    return best;
  }

  private index(key: string): number {
    const h = byteswap32(javaStringHash(key));
    const rotated = ((h >>> SEED) | (h << (32 - SEED))) >>> 0;
    return rotated >>> Math.clz32(this.table.length - 1);
  }

  private resize(newSize: number): void {
    const old = this.table;
    this.table = Array.from({ length: newSize }, () => []);
    // HashTable.resize walks old buckets from the top, each chain head first, pushing onto new chain heads.
    for (let i = old.length - 1; i >= 0; i--) {
      for (const key of old[i]) this.table[this.index(key)].unshift(key);
    }
    this.threshold = Math.floor((newSize * 750) / 1000);
  }
}
