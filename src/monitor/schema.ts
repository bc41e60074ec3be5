/**
 * SageMaker Model Monitor `statistics.json` (data-quality baseline and per-execution statistics), as the
 * built-in `sagemaker-model-monitor-analyzer` container writes it (spec sagemaker-monitor.md §2.1).
 *
 * Field names are SageMaker's snake_case on purpose: these objects are serialized as-is. Counts that the
 * container writes as doubles (`count : 24.0`, `k : 2048.0`, `distinct_count : 1.0`) are plain numbers here;
 * JSON does not distinguish, and `formatStatistics`-style writers are free to print `.0`.
 */

export type InferredType = 'Fractional' | 'Integral' | 'String' | 'Unknown';

export const INFERRED_TYPES: readonly InferredType[] = ['Fractional', 'Integral', 'String', 'Unknown'];

export interface CommonStatistics {
  num_present: number;
  num_missing: number;
}

/** One of the (always 10) equal-width buckets between the feature's min and max. */
export interface KllBucket {
  lower_bound: number;
  upper_bound: number;
  /** Sketch-estimated count (weights of sketch items in the bucket); exact while no compaction happened. */
  count: number;
}

export interface KllSketchJson {
  parameters: { c: number; k: number };
  /** Compactor buffers, level 0 first; an item at level i stands for 2^i values. */
  data: number[][];
}

export interface KllDistribution {
  buckets: KllBucket[];
  sketch: KllSketchJson;
}

export interface NumericalStatistics {
  common: CommonStatistics;
  mean: number;
  sum: number;
  /** Population standard deviation (divides by n, not n-1). */
  std_dev: number;
  min: number;
  max: number;
  /** Absent only in hand-written or foreign files; Vigil always writes it. */
  distribution?: { kll: KllDistribution };
}

export interface CategoricalBucket {
  value: string;
  count: number;
}

export interface StringStatistics {
  common: CommonStatistics;
  /** Approximate (HyperLogLog++) distinct count; a double in SageMaker's output. */
  distinct_count: number;
  /** Absent when the column has too many distinct values to histogram (or in foreign files). */
  distribution?: { categorical: { buckets: CategoricalBucket[] } };
}

export interface FeatureStatistics {
  name: string;
  inferred_type: InferredType;
  numerical_statistics?: NumericalStatistics;
  string_statistics?: StringStatistics;
}

export interface Statistics {
  version: number;
  dataset: { item_count: number };
  features: FeatureStatistics[];
}

/**
 * Parse a statistics.json text. Tolerant of what real producers write (Jackson's `"key" : value` spacing,
 * `0.0` for integers, `"NaN"`/`"Infinity"` strings or bare NaN/Infinity tokens for non-finite doubles,
 * unknown extra keys such as custom statistics) and strict about structure: a missing or mistyped field
 * throws an Error naming its JSON path, e.g. `statistics.json: features[2].numerical_statistics.mean:
 * expected a number, got string "abc"`.
 */
export function parseStatistics(text: string): Statistics {
  const root = parseJsonTolerant(text);
  const r = obj(root, '$');
  const features = arr(r.features, 'features').map((f, i) => parseFeature(f, `features[${i}]`));
  return {
    version: num(r.version, 'version'),
    dataset: { item_count: count(obj(r.dataset, 'dataset').item_count, 'dataset.item_count') },
    features,
  };
}

function parseFeature(x: unknown, path: string): FeatureStatistics {
  const f = obj(x, path);
  const name = str(f.name, `${path}.name`);
  const t = str(f.inferred_type, `${path}.inferred_type`);
  if (!(INFERRED_TYPES as readonly string[]).includes(t)) {
    fail(`${path}.inferred_type`, `expected one of ${INFERRED_TYPES.join('|')}, got ${show(t)}`);
  }
  const out: FeatureStatistics = { name, inferred_type: t as InferredType };
  if (f.numerical_statistics !== undefined && f.numerical_statistics !== null) {
    out.numerical_statistics = parseNumerical(f.numerical_statistics, `${path}.numerical_statistics`);
  }
  if (f.string_statistics !== undefined && f.string_statistics !== null) {
    out.string_statistics = parseString(f.string_statistics, `${path}.string_statistics`);
  }
  if ((t === 'Fractional' || t === 'Integral') && !out.numerical_statistics) {
    fail(path, `inferred_type ${t} requires numerical_statistics`);
  }
  return out;
}

function parseCommon(x: unknown, path: string): CommonStatistics {
  const c = obj(x, path);
  return { num_present: count(c.num_present, `${path}.num_present`), num_missing: count(c.num_missing, `${path}.num_missing`) };
}

function parseNumerical(x: unknown, path: string): NumericalStatistics {
  const n = obj(x, path);
  const out: NumericalStatistics = {
    common: parseCommon(n.common, `${path}.common`),
    mean: num(n.mean, `${path}.mean`),
    sum: num(n.sum, `${path}.sum`),
    std_dev: num(n.std_dev, `${path}.std_dev`),
    min: num(n.min, `${path}.min`),
    max: num(n.max, `${path}.max`),
  };
  if (n.distribution !== undefined && n.distribution !== null) {
    const d = obj(n.distribution, `${path}.distribution`);
    out.distribution = { kll: parseKll(d.kll, `${path}.distribution.kll`) };
  }
  return out;
}

function parseKll(x: unknown, path: string): KllDistribution {
  const k = obj(x, path);
  const buckets = arr(k.buckets, `${path}.buckets`).map((b, i) => {
    const p = `${path}.buckets[${i}]`;
    const o = obj(b, p);
    return { lower_bound: num(o.lower_bound, `${p}.lower_bound`), upper_bound: num(o.upper_bound, `${p}.upper_bound`), count: count(o.count, `${p}.count`) };
  });
  const s = obj(k.sketch, `${path}.sketch`);
  const params = obj(s.parameters, `${path}.sketch.parameters`);
  const c = num(params.c, `${path}.sketch.parameters.c`);
  if (!(c > 0 && c <= 1)) fail(`${path}.sketch.parameters.c`, `expected a shrinking factor in (0, 1], got ${show(params.c)}`);
  const kk = count(params.k, `${path}.sketch.parameters.k`);
  if (kk < 2) fail(`${path}.sketch.parameters.k`, `expected a sketch size >= 2, got ${show(params.k)}`);
  const data = arr(s.data, `${path}.sketch.data`).map((level, i) =>
    arr(level, `${path}.sketch.data[${i}]`).map((v, j) => num(v, `${path}.sketch.data[${i}][${j}]`)),
  );
  return { buckets, sketch: { parameters: { c, k: kk }, data } };
}

function parseString(x: unknown, path: string): StringStatistics {
  const s = obj(x, path);
  const out: StringStatistics = {
    common: parseCommon(s.common, `${path}.common`),
    distinct_count: num(s.distinct_count, `${path}.distinct_count`),
  };
  if (s.distribution !== undefined && s.distribution !== null) {
    const d = obj(s.distribution, `${path}.distribution`);
    const cat = obj(d.categorical, `${path}.distribution.categorical`);
    const buckets = arr(cat.buckets, `${path}.distribution.categorical.buckets`).map((b, i) => {
      const p = `${path}.distribution.categorical.buckets[${i}]`;
      const o = obj(b, p);
      return { value: str(o.value, `${p}.value`), count: count(o.count, `${p}.count`) };
    });
    out.distribution = { categorical: { buckets } };
  }
  return out;
}

// ---- helpers -------------------------------------------------------------------------------------------

function fail(path: string, what: string): never {
  throw new Error(`statistics.json: ${path === '$' ? 'top level' : path}: ${what}`);
}

function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object') return 'object';
  return `${typeof v} ${String(v)}`;
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (v === undefined) fail(path, 'missing (expected an object)');
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `expected an object, got ${show(v)}`);
  return v as Record<string, unknown>;
}

function arr(v: unknown, path: string): unknown[] {
  if (v === undefined) fail(path, 'missing (expected an array)');
  if (!Array.isArray(v)) fail(path, `expected an array, got ${show(v)}`);
  return v;
}

function str(v: unknown, path: string): string {
  if (v === undefined) fail(path, 'missing (expected a string)');
  if (typeof v !== 'string') fail(path, `expected a string, got ${show(v)}`);
  return v;
}

// Jackson writes non-finite doubles as quoted "NaN" / "Infinity" / "-Infinity" by default.
const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '+Infinity': Infinity, '-Infinity': -Infinity };

function num(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v in NON_FINITE) return NON_FINITE[v];
  if (v === undefined) fail(path, 'missing (expected a number)');
  fail(path, `expected a number, got ${show(v)}`);
}

/** A count: a non-negative integer, possibly written as a double (`24.0`). */
function count(v: unknown, path: string): number {
  const n = num(v, path);
  if (!Number.isInteger(n) || n < 0) fail(path, `expected a non-negative whole number, got ${show(v)}`);
  return n;
}

/** JSON.parse, retried once with bare NaN/Infinity tokens (outside strings) quoted, as Jackson may emit them. */
function parseJsonTolerant(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    const quoted = quoteBareNonFinite(text);
    if (quoted !== text) {
      try {
        return JSON.parse(quoted);
      } catch {
        /* report the original error */
      }
    }
    throw new Error(`statistics.json: not valid JSON: ${(first as Error).message}`);
  }
}

function quoteBareNonFinite(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      // copy the string literal verbatim, honouring escapes
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const m = /^(-Infinity|\+Infinity|Infinity|NaN)/.exec(text.slice(i, i + 9));
    if (m) {
      out += `"${m[1]}"`;
      i += m[1].length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}
