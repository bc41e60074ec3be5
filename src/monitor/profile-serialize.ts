/**
 * Compact, versioned binary form of a DatasetProfile (little-endian), lossless: a deserialized profile
 * merges and renders exactly like the original, including KLL compaction state that statistics.json drops.
 *
 *   "VGPF" u8 version=1  f64 itemCount  u32 featureCount  feature*
 *   feature  := str name  f64×4 type counts (fractional, integral, boolean, string)
 *               f64×7 moments (n, sum, sumCompensation, avg, m2, min, max)  kll  categorical
 *   kll      := u32 k  f64 c  u32 levels  (u32 compressions  u8 offset  u32 len  f64×len)*
 *   categorical := u8 0  u32 n (str value f64 count)*  u32 n (f64 key f64 count u8 hasSpelling [str])*
 *                | u8 1  u8[16384] HyperLogLog registers
 *   str      := u32 byteLength  UTF-8 bytes
 */
import { HyperLogLog } from './hll.js';
import { KllSketch } from './kll.js';
import { Categorical } from './profile-categorical.js';
import { FeatureProfile } from './profile-feature.js';

const MAGIC = [0x56, 0x47, 0x50, 0x46]; // "VGPF"
const VERSION = 1;

class Writer {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  private readonly enc = new TextEncoder();

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }
  u8(x: number): void {
    this.ensure(1);
    this.view.setUint8(this.pos, x);
    this.pos += 1;
  }
  u32(x: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, x, true);
    this.pos += 4;
  }
  f64(x: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, x, true);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  str(s: string): void {
    const b = this.enc.encode(s);
    this.u32(b.length);
    this.bytes(b);
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

class Reader {
  private pos = 0;
  private readonly view: DataView;
  private readonly dec = new TextDecoder('utf-8', { fatal: true });
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error(`profile: truncated at byte ${this.pos} (need ${n} more)`);
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }
  u32(): number {
    this.need(4);
    const x = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return x;
  }
  f64(): number {
    this.need(8);
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  str(): string {
    return this.dec.decode(this.bytes(this.u32()));
  }
  get atEnd(): boolean {
    return this.pos === this.buf.length;
  }
}

export function serializeProfile(itemCount: number, features: readonly FeatureProfile[]): Uint8Array {
  const w = new Writer();
  w.bytes(Uint8Array.from(MAGIC));
  w.u8(VERSION);
  w.f64(itemCount);
  w.u32(features.length);
  for (const f of features) {
    w.str(f.name);
    for (const x of [f.nFractional, f.nIntegral, f.nBoolean, f.nString, f.n, f.sum, f.sumCompensation, f.avg, f.m2, f.min, f.max]) w.f64(x);
    const st = f.kll.state();
    w.u32(f.kll.k);
    w.f64(f.kll.c);
    w.u32(st.data.length);
    st.data.forEach((lv, h) => {
      w.u32(st.compressions[h]);
      w.u8(st.offsets[h]);
      w.u32(lv.length);
      for (let i = 0; i < lv.length; i++) w.f64(lv[i]);
    });
    const cat = f.categorical;
    if (cat.hll !== null) {
      w.u8(1);
      w.bytes(cat.hll.registers);
    } else {
      w.u8(0);
      const strings = cat.strings as Map<string, number>;
      w.u32(strings.size);
      for (const [s, c] of strings) {
        w.str(s);
        w.f64(c);
      }
      w.u32(cat.numSize);
      cat.forEachNumber((x, c, sp) => {
        w.f64(x);
        w.f64(c);
        w.u8(sp === undefined ? 0 : 1);
        if (sp !== undefined) w.str(sp);
      });
    }
  }
  return w.done();
}

export function deserializeProfile(bytes: Uint8Array): { itemCount: number; features: FeatureProfile[] } {
  const r = new Reader(bytes);
  for (const m of MAGIC) if (r.u8() !== m) throw new Error('profile: not a Vigil dataset profile (bad magic)');
  const version = r.u8();
  if (version !== VERSION) throw new Error(`profile: unsupported version ${version} (this build reads ${VERSION})`);
  const itemCount = r.f64();
  const n = r.u32();
  const features: FeatureProfile[] = [];
  for (let j = 0; j < n; j++) {
    const name = r.str();
    const v = Array.from({ length: 11 }, () => r.f64());
    const k = r.u32();
    const c = r.f64();
    const levels = r.u32();
    const data: Float64Array[] = [];
    const compressions: number[] = [];
    const offsets: number[] = [];
    for (let h = 0; h < levels; h++) {
      compressions.push(r.u32());
      offsets.push(r.u8());
      const len = r.u32();
      const lv = new Float64Array(len);
      for (let i = 0; i < len; i++) lv[i] = r.f64();
      data.push(lv);
    }
    const kll = KllSketch.fromLevels(k, c, data, compressions, offsets);
    let cat: Categorical;
    const tag = r.u8();
    if (tag === 1) {
      cat = Categorical.restore(null, [], new HyperLogLog(r.bytes(1 << 14)));
    } else if (tag === 0) {
      const strings = new Map<string, number>();
      const ns = r.u32();
      for (let i = 0; i < ns; i++) {
        const s = r.str();
        strings.set(s, r.f64());
      }
      const nums: [number, number, string | undefined][] = [];
      const nn = r.u32();
      for (let i = 0; i < nn; i++) {
        const x = r.f64();
        const cnt = r.f64();
        nums.push([x, cnt, r.u8() === 1 ? r.str() : undefined]);
      }
      cat = Categorical.restore(strings, nums, null);
    } else {
      throw new Error(`profile: feature ${JSON.stringify(name)}: bad categorical tag ${tag}`);
    }
    const f = new FeatureProfile(name, kll, cat);
    [f.nFractional, f.nIntegral, f.nBoolean, f.nString, f.n, f.sum, f.sumCompensation, f.avg, f.m2, f.min, f.max] = v;
    features.push(f);
  }
  if (!r.atEnd) throw new Error('profile: trailing bytes after the last feature');
  return { itemCount, features };
}
