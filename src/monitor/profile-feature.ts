/**
 * Streaming profile of one feature (column): Deequ type counts, numeric moments, KLL sketch, bounded
 * categorical histogram. Constant memory: the KLL holds O(k) items, the histogram at most CATEGORICAL_CAP
 * entries (then a fixed-size HyperLogLog).
 *
 * Numeric statistics follow Spark/Deequ so single-partition results match the container exactly:
 * moments use Spark's CentralMomentAgg update (Welford: stable), std_dev is the population value
 * sqrt(M2 / n), mean is sum / count (Deequ's MeanState). The sum is Neumaier-compensated, which equals
 * Spark's plain sum whenever that is exact (integers, short decimals) and is more accurate otherwise.
 *
 * Missing values are not counted here: a feature's missing count is the dataset's row count minus the
 * feature's present count, so rows that lack the key entirely count as missing too.
 */
import { KllSketch } from './kll.js';
import { Categorical } from './profile-categorical.js';
import { Kind, classifyRange, classifyString, determineType, parsed, type DeequType, type TypeCounts } from './type-inference.js';

// Imported bindings copied to module constants: under CJS-transpiling runners (tsx, vitest) every access
// to an import is a getter call, which measurably slows the per-cell path.
const classify = classifyString;
const classifyCell = classifyRange;
const parsedValue = parsed;
const FRACTIONAL = Kind.Fractional;
const INTEGRAL = Kind.Integral;
const BOOLEAN = Kind.Boolean;

/** One cell as read: CSV cells are strings; JSON readers may pass numbers and booleans. */
export type Value = string | number | boolean | null | undefined;

export class FeatureProfile {
  readonly name: string;
  nFractional = 0;
  nIntegral = 0;
  nBoolean = 0;
  nString = 0;
  /** Numeric moments over values that classified as Fractional or Integral. */
  n = 0;
  sum = 0;
  sumCompensation = 0;
  avg = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  kll: KllSketch;
  categorical: Categorical;

  constructor(name: string, kll?: KllSketch, categorical?: Categorical) {
    this.name = name;
    this.kll = kll ?? new KllSketch();
    this.categorical = categorical ?? new Categorical();
  }

  get present(): number {
    return this.nFractional + this.nIntegral + this.nBoolean + this.nString;
  }

  typeCounts(missing: number): TypeCounts {
    return { unknown: missing, fractional: this.nFractional, integral: this.nIntegral, boolean: this.nBoolean, string: this.nString };
  }

  inferredType(): DeequType {
    return determineType(this.typeCounts(0));
  }

  /** Hot path: one cell. Empty string, null and undefined are missing (nothing to record). */
  add(v: Value): void {
    if (typeof v === 'string') {
      if (v.length === 0) return;
      const kind = classify(v);
      if (kind === FRACTIONAL || kind === INTEGRAL) {
        if (kind === FRACTIONAL) this.nFractional++;
        else this.nIntegral++;
        const x = parsedValue.value;
        this.addNumeric(x);
        this.categorical.addNumber(x, v);
      } else {
        if (kind === BOOLEAN) this.nBoolean++;
        else this.nString++;
        this.categorical.addString(v);
      }
    } else if (typeof v === 'number') {
      this.addNativeNumber(v);
    } else if (typeof v === 'boolean') {
      this.nBoolean++;
      this.categorical.addString(v ? 'true' : 'false');
    }
  }

  /**
   * `add(text.slice(start, end))` for a non-empty cell (end > start) of a chunk of CSV text, without making the
   * substring unless the value is a new histogram key: the columnar CSV path's per-cell entry point.
   */
  addCell(text: string, start: number, end: number): void {
    const kind = classifyCell(text, start, end);
    if (kind === FRACTIONAL || kind === INTEGRAL) {
      if (kind === FRACTIONAL) this.nFractional++;
      else this.nIntegral++;
      const x = parsedValue.value;
      this.addNumeric(x);
      this.categorical.addNumberCell(x, text, start, end);
    } else {
      if (kind === BOOLEAN) this.nBoolean++;
      else this.nString++;
      this.categorical.addStringCell(text, start, end);
    }
  }

  /** Native numbers: integers count as Integral, other finite values as Fractional. NaN and ±Infinity are
   * classified by their text ("NaN", "Infinity"), which Deequ's regexes call String. */
  addNativeNumber(x: number): void {
    if (x - x !== 0) {
      this.nString++;
      this.categorical.addString(String(x));
      return;
    }
    if (Number.isInteger(x)) this.nIntegral++;
    else this.nFractional++;
    this.addNumeric(x);
    this.categorical.addNumber(x, undefined);
  }

  /** Columnar fast path for already-numeric data (e.g. a Float64Array column). */
  addNumbers(xs: ArrayLike<number>): void {
    for (let i = 0; i < xs.length; i++) this.addNativeNumber(xs[i]);
  }

  private addNumeric(x: number): void {
    // Spark CentralMomentAgg.update
    const n = ++this.n;
    const delta = x - this.avg;
    const deltaN = delta / n;
    this.avg += deltaN;
    this.m2 += delta * (delta - deltaN);
    // Neumaier summation
    const s = this.sum;
    const t = s + x;
    if (Math.abs(s) >= Math.abs(x)) this.sumCompensation += s - t + x;
    else this.sumCompensation += x - t + s;
    this.sum = t;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.kll.update(x);
  }

  get totalSum(): number {
    return this.sum + this.sumCompensation;
  }

  get mean(): number {
    return this.n === 0 ? NaN : this.totalSum / this.n;
  }

  /** Population standard deviation. */
  get stdDev(): number {
    return this.n === 0 ? NaN : Math.sqrt(this.m2 / this.n);
  }

  merge(other: FeatureProfile): FeatureProfile {
    const out = new FeatureProfile(this.name, this.kll.merge(other.kll), this.categorical.merge(other.categorical));
    out.nFractional = this.nFractional + other.nFractional;
    out.nIntegral = this.nIntegral + other.nIntegral;
    out.nBoolean = this.nBoolean + other.nBoolean;
    out.nString = this.nString + other.nString;
    // Spark CentralMomentAgg.merge; an empty side is an exact identity (the formula would round avg).
    const n1 = this.n;
    const n2 = other.n;
    const n = n1 + n2;
    out.n = n;
    if (n1 === 0 || n2 === 0) {
      const src = n1 === 0 ? other : this;
      out.avg = src.avg;
      out.m2 = src.m2;
    } else {
      const delta = other.avg - this.avg;
      const deltaN = delta / n;
      out.avg = this.avg + deltaN * n2;
      out.m2 = this.m2 + other.m2 + delta * deltaN * n1 * n2;
    }
    const s = this.sum;
    const x = other.sum;
    const t = s + x;
    out.sumCompensation = this.sumCompensation + other.sumCompensation + (Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s);
    out.sum = t;
    out.min = Math.min(this.min, other.min);
    out.max = Math.max(this.max, other.max);
    return out;
  }
}
