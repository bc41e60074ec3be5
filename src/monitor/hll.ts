/**
 * HyperLogLog distinct-count sketch (p = 14: 16 384 one-byte registers, ~0.8 % standard error), used for
 * `distinct_count` once a String feature has more distinct values than the exact categorical histogram
 * keeps. Deequ's ApproxCountDistinct is HLL++ too; its hash (Spark XxHash64, seed 42) is not reproduced,
 * so estimates agree with SageMaker's only within the sketches' error.
 *
 * Estimation uses Ertl's improved raw estimator ("New cardinality estimation algorithms for HyperLogLog
 * sketches", 2017), which needs no empirical bias tables and is accurate from 0 to 2^32.
 * Mergeable (register-wise max); adding a value twice changes nothing, so a sketch can be seeded from the
 * keys of an exact histogram at any time.
 */

export const HLL_P = 14;
const M = 1 << HLL_P;
const Q = 32 - HLL_P; // bits left for the rank
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** murmur3 32-bit finalizer: full avalanche for a 32-bit input. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a double by its bit pattern (numbers live in their own domain, distinct from strings). */
export function hashNumber(x: number): number {
  f64[0] = x;
  return fmix(Math.imul(u32[0] ^ 0x9e3779b9, 0xcc9e2d51) ^ fmix(u32[1] + 0x7f4a7c15));
}

/** Hash of a string's UTF-16 code units (FNV-1a style mix, murmur finalizer). */
export function hashString(s: string): number {
  return hashStringRange(s, 0, s.length);
}

/** `hashString(s.slice(start, end))` without the substring. */
export function hashStringRange(s: string, start: number, end: number): number {
  let h = 0x811c9dc5 ^ (end - start);
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h ^ 0x5bd1e995);
}

export class HyperLogLog {
  readonly registers: Uint8Array;

  constructor(registers?: Uint8Array) {
    if (registers && registers.length !== M) throw new Error(`HyperLogLog expects ${M} registers, got ${registers.length}`);
    this.registers = registers ? registers.slice() : new Uint8Array(M);
  }

  /** Add a 32-bit hash. */
  addHash(h: number): void {
    const idx = h >>> Q;
    const w = (h << HLL_P) >>> 0;
    // rank = position of the first 1 bit in the remaining Q bits, Q + 1 if all zero
    const r = w === 0 ? Q + 1 : Math.clz32(w) + 1;
    if (r > this.registers[idx]) this.registers[idx] = r;
  }

  mergeInto(other: HyperLogLog): this {
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < M; i++) if (b[i] > a[i]) a[i] = b[i];
    return this;
  }

  clone(): HyperLogLog {
    return new HyperLogLog(this.registers);
  }

  estimate(): number {
    const hist = new Float64Array(Q + 2);
    for (let i = 0; i < M; i++) hist[this.registers[i]]++;
    let z = M * tau(1 - hist[Q + 1] / M);
    for (let k = Q; k >= 1; k--) z = 0.5 * (z + hist[k]);
    z += M * sigma(hist[0] / M);
    const alphaInf = 1 / (2 * Math.LN2);
    return Math.round((alphaInf * M * M) / z);
  }
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const zPrev = z;
    z += x * y;
    y += y;
    if (z === zPrev) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const zPrev = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
    if (z === zPrev) return z / 3;
  }
}
