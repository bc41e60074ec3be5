/**
 * SageMaker Model Monitor `constraints.json` (data quality), spec sagemaker-monitor.md §2.2.
 *
 * Defaults are the ones the built-in container applies (analytics_input.py): thresholds 1.0 for data type and
 * domain content, comparison 0.1 / Robust, categorical 0.1 / LInfinity. Older docs show 0.1 for the first two;
 * both parse. Per-feature overrides are accepted where SageMaker's files put them: `monitoringConfigOverrides`
 * on the feature (docs) and `monitoring_config_overrides` inside `string_constraints` / `num_constraints`
 * (SDK test data); the feature-level object wins on conflicts.
 */
import type { InferredType } from './schema.js';

export type EnabledDisabled = 'Enabled' | 'Disabled';
export type ComparisonMethod = 'Simple' | 'Robust';
export type CategoricalDriftMethod = 'LInfinity' | 'ChiSquared';

export interface DistributionConstraints {
  perform_comparison: EnabledDisabled;
  comparison_threshold: number;
  comparison_method: ComparisonMethod;
  categorical_comparison_threshold: number;
  categorical_drift_method: CategoricalDriftMethod;
}

export interface MonitoringConfig {
  evaluate_constraints: EnabledDisabled;
  emit_metrics: EnabledDisabled;
  datatype_check_threshold: number;
  domain_content_threshold: number;
  distribution_constraints: DistributionConstraints;
}

/** A partial monitoring config, as found in per-feature overrides. */
export type MonitoringConfigOverrides = Partial<Omit<MonitoringConfig, 'distribution_constraints'>> & {
  distribution_constraints?: Partial<DistributionConstraints>;
};

export interface FeatureConstraints {
  name: string;
  inferred_type: InferredType;
  completeness?: number;
  num_constraints?: { is_non_negative?: boolean; monitoring_config_overrides?: MonitoringConfigOverrides };
  string_constraints?: { domains?: string[]; monitoring_config_overrides?: MonitoringConfigOverrides };
  monitoringConfigOverrides?: MonitoringConfigOverrides;
}

export interface Constraints {
  version: number;
  features: FeatureConstraints[];
  monitoring_config: MonitoringConfig;
}

export const DEFAULT_DISTRIBUTION_CONSTRAINTS: Readonly<DistributionConstraints> = Object.freeze({
  perform_comparison: 'Enabled',
  comparison_threshold: 0.1,
  comparison_method: 'Robust',
  categorical_comparison_threshold: 0.1,
  categorical_drift_method: 'LInfinity',
});

export function defaultMonitoringConfig(): MonitoringConfig {
  return {
    evaluate_constraints: 'Enabled',
    emit_metrics: 'Enabled',
    datatype_check_threshold: 1.0,
    domain_content_threshold: 1.0,
    distribution_constraints: { ...DEFAULT_DISTRIBUTION_CONSTRAINTS },
  };
}

/** The monitoring config that applies to one feature: global config with its overrides laid on top. */
export function effectiveConfig(c: Constraints, feature: FeatureConstraints | undefined): MonitoringConfig {
  const base = c.monitoring_config;
  const layers = [feature?.num_constraints?.monitoring_config_overrides, feature?.string_constraints?.monitoring_config_overrides, feature?.monitoringConfigOverrides];
  let out: MonitoringConfig = { ...base, distribution_constraints: { ...base.distribution_constraints } };
  for (const o of layers) {
    if (!o) continue;
    const { distribution_constraints, ...rest } = o;
    out = { ...out, ...stripUndefined(rest), distribution_constraints: { ...out.distribution_constraints, ...stripUndefined(distribution_constraints ?? {}) } };
  }
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// ---- parsing -------------------------------------------------------------------------------------------

const TYPES: readonly string[] = ['Integral', 'Fractional', 'String', 'Unknown', 'Boolean'];

class ConstraintsError extends Error {
  constructor(path: string, what: string) {
    super(`constraints.json: ${path}: ${what}`);
    this.name = 'ConstraintsError';
  }
}

/**
 * Parse constraints.json text. Missing monitoring_config fields take the container defaults; unknown keys
 * (e.g. the legacy `enable_comparisons`, `min_domain_mass`) are ignored; wrong types throw a ConstraintsError
 * naming the JSON path. `"Enabled"`/`"Disabled"` are matched case-insensitively and booleans are accepted.
 */
export function parseConstraints(text: string): Constraints {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new ConstraintsError('top level', `not valid JSON: ${(e as Error).message}`);
  }
  const r = obj(root, 'top level');
  const features = r.features === undefined ? [] : arr(r.features, 'features').map((f, i) => parseFeature(f, `features[${i}]`));
  const seen = new Set<string>();
  for (const [i, f] of features.entries()) {
    if (seen.has(f.name)) throw new ConstraintsError(`features[${i}].name`, `duplicate feature ${JSON.stringify(f.name)}`);
    seen.add(f.name);
  }
  const mc = r.monitoring_config === undefined || r.monitoring_config === null ? {} : obj(r.monitoring_config, 'monitoring_config');
  const overrides = parseOverrides(mc, 'monitoring_config');
  const d = defaultMonitoringConfig();
  return {
    version: r.version === undefined ? 0 : num(r.version, 'version'),
    features,
    monitoring_config: {
      ...d,
      ...stripUndefined({ ...overrides, distribution_constraints: undefined }),
      distribution_constraints: { ...d.distribution_constraints, ...stripUndefined(overrides.distribution_constraints ?? {}) },
    },
  };
}

function parseFeature(x: unknown, path: string): FeatureConstraints {
  const f = obj(x, path);
  const name = str(f.name, `${path}.name`);
  const t = str(f.inferred_type, `${path}.inferred_type`);
  if (!TYPES.includes(t)) throw new ConstraintsError(`${path}.inferred_type`, `expected one of Integral|Fractional|String|Unknown, got ${JSON.stringify(t)}`);
  const out: FeatureConstraints = { name, inferred_type: t as InferredType };
  if (f.completeness !== undefined && f.completeness !== null) {
    const c = num(f.completeness, `${path}.completeness`);
    if (!(c >= 0 && c <= 1)) throw new ConstraintsError(`${path}.completeness`, `expected a fraction in [0, 1], got ${c}`);
    out.completeness = c;
  }
  if (f.num_constraints !== undefined && f.num_constraints !== null) {
    const n = obj(f.num_constraints, `${path}.num_constraints`);
    out.num_constraints = {};
    if (n.is_non_negative !== undefined) out.num_constraints.is_non_negative = bool(n.is_non_negative, `${path}.num_constraints.is_non_negative`);
    if (n.monitoring_config_overrides !== undefined) out.num_constraints.monitoring_config_overrides = parseOverrides(obj(n.monitoring_config_overrides, `${path}.num_constraints.monitoring_config_overrides`), `${path}.num_constraints.monitoring_config_overrides`);
  }
  if (f.string_constraints !== undefined && f.string_constraints !== null) {
    const s = obj(f.string_constraints, `${path}.string_constraints`);
    out.string_constraints = {};
    if (s.domains !== undefined) out.string_constraints.domains = arr(s.domains, `${path}.string_constraints.domains`).map((v, i) => scalarString(v, `${path}.string_constraints.domains[${i}]`));
    if (s.monitoring_config_overrides !== undefined) out.string_constraints.monitoring_config_overrides = parseOverrides(obj(s.monitoring_config_overrides, `${path}.string_constraints.monitoring_config_overrides`), `${path}.string_constraints.monitoring_config_overrides`);
  }
  if (f.monitoringConfigOverrides !== undefined && f.monitoringConfigOverrides !== null) {
    out.monitoringConfigOverrides = parseOverrides(obj(f.monitoringConfigOverrides, `${path}.monitoringConfigOverrides`), `${path}.monitoringConfigOverrides`);
  }
  return out;
}

function parseOverrides(o: Record<string, unknown>, path: string): MonitoringConfigOverrides {
  const out: MonitoringConfigOverrides = {};
  if (o.evaluate_constraints !== undefined) out.evaluate_constraints = enabled(o.evaluate_constraints, `${path}.evaluate_constraints`);
  if (o.emit_metrics !== undefined) out.emit_metrics = enabled(o.emit_metrics, `${path}.emit_metrics`);
  if (o.datatype_check_threshold !== undefined) out.datatype_check_threshold = fraction(o.datatype_check_threshold, `${path}.datatype_check_threshold`);
  if (o.domain_content_threshold !== undefined) out.domain_content_threshold = fraction(o.domain_content_threshold, `${path}.domain_content_threshold`);
  if (o.distribution_constraints !== undefined && o.distribution_constraints !== null) {
    const p = `${path}.distribution_constraints`;
    const d = obj(o.distribution_constraints, p);
    const dc: Partial<DistributionConstraints> = {};
    if (d.perform_comparison !== undefined) dc.perform_comparison = enabled(d.perform_comparison, `${p}.perform_comparison`);
    if (d.comparison_threshold !== undefined) dc.comparison_threshold = nonNegative(d.comparison_threshold, `${p}.comparison_threshold`);
    if (d.comparison_method !== undefined) dc.comparison_method = oneOf(d.comparison_method, ['Simple', 'Robust'] as const, `${p}.comparison_method`);
    if (d.categorical_comparison_threshold !== undefined) dc.categorical_comparison_threshold = nonNegative(d.categorical_comparison_threshold, `${p}.categorical_comparison_threshold`);
    if (d.categorical_drift_method !== undefined) dc.categorical_drift_method = oneOf(d.categorical_drift_method, ['LInfinity', 'ChiSquared'] as const, `${p}.categorical_drift_method`);
    out.distribution_constraints = dc;
  }
  return out;
}

// ---- value helpers -------------------------------------------------------------------------------------

function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConstraintsError(path, `expected an object, got ${v === undefined ? 'nothing' : show(v)}`);
  return v as Record<string, unknown>;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new ConstraintsError(path, `expected an array, got ${v === undefined ? 'nothing' : show(v)}`);
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new ConstraintsError(path, `expected a string, got ${v === undefined ? 'nothing' : show(v)}`);
  return v;
}

/** Domain values are strings, but hand-edited files sometimes list numbers or booleans; keep their JSON text. */
function scalarString(v: unknown, path: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ConstraintsError(path, `expected a string, got ${show(v)}`);
}

function num(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new ConstraintsError(path, `expected a number, got ${v === undefined ? 'nothing' : show(v)}`);
}

function nonNegative(v: unknown, path: string): number {
  const n = num(v, path);
  if (n < 0) throw new ConstraintsError(path, `expected a non-negative number, got ${n}`);
  return n;
}

function fraction(v: unknown, path: string): number {
  const n = num(v, path);
  if (n < 0 || n > 1) throw new ConstraintsError(path, `expected a fraction in [0, 1], got ${n}`);
  return n;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ConstraintsError(path, `expected a boolean, got ${show(v)}`);
}

function enabled(v: unknown, path: string): EnabledDisabled {
  if (typeof v === 'boolean') return v ? 'Enabled' : 'Disabled';
  if (typeof v === 'string') {
    const l = v.toLowerCase();
    if (l === 'enabled') return 'Enabled';
    if (l === 'disabled') return 'Disabled';
  }
  throw new ConstraintsError(path, `expected "Enabled" or "Disabled", got ${show(v)}`);
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string): T {
  if (typeof v === 'string') {
    const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
    if (hit) return hit;
  }
  throw new ConstraintsError(path, `expected one of ${allowed.join('|')}, got ${show(v)}`);
}

// ---- writing -------------------------------------------------------------------------------------------

/**
 * Serialize in the container's layout: Jackson pretty-print (`"key" : value`, `[ {` on one line), whole
 * numbers in double fields written `1.0`, `version` `0.0`.
 */
export function formatConstraints(c: Constraints): string {
  // The container writes the categorical pair only when it was overridden (SDK real outputs omit it).
  const { categorical_comparison_threshold: t, categorical_drift_method: m, ...dc } = c.monitoring_config.distribution_constraints;
  const isDefault = t === DEFAULT_DISTRIBUTION_CONSTRAINTS.categorical_comparison_threshold && m === DEFAULT_DISTRIBUTION_CONSTRAINTS.categorical_drift_method;
  const distribution_constraints = isDefault ? dc : c.monitoring_config.distribution_constraints;
  return jacksonPretty({ ...c, monitoring_config: { ...c.monitoring_config, distribution_constraints } }, '') + '\n';
}

/** Field names whose values SageMaker writes as doubles. */
const DOUBLE_FIELDS = new Set(['version', 'completeness', 'datatype_check_threshold', 'domain_content_threshold', 'comparison_threshold', 'categorical_comparison_threshold']);

export function jacksonPretty(v: unknown, indent: string, key?: string): string {
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[ ]';
    return `[ ${v.map((x) => jacksonPretty(x, indent)).join(', ')} ]`;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{ }';
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)} : ${jacksonPretty(x, inner, k)}`).join(',\n')}\n${indent}}`;
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return JSON.stringify(String(v));
    return key !== undefined && DOUBLE_FIELDS.has(key) ? javaDouble(v) : String(v);
  }
  return JSON.stringify(v);
}

/** Java's Double.toString for finite values: integers get `.0`, scientific outside [1e-3, 1e7). */
export function javaDouble(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : x < 0 ? '-Infinity' : 'NaN';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const ax = Math.abs(x);
  if (ax >= 1e-3 && ax < 1e7) {
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mant, exp] = x.toExponential().split('e');
  const m = mant.includes('.') ? mant : `${mant}.0`;
  return `${m}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}
