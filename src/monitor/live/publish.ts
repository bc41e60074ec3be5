import type { MetricPoint } from '../../metrics/types.js';
import { DatasetProfile } from '../profile.js';
import { profileDrift, type FeatureDrift, type PreparedBaseline } from './drift.js';
import { MINUTE_MS, type StoredPartial } from './store.js';

/** Vigil's own namespace: SageMaker's `aws/sagemaker/Endpoints/data-metrics` belongs to schedule executions. */
export const LIVE_DRIFT_NAMESPACE = 'Vigil/ModelMonitor';
export const FEATURE_DRIFT = 'FeatureDrift';
export const FEATURE_DRIFT_PSI = 'FeatureDriftPSI';
export const WINDOW_ROWS = 'DriftWindowRows';

interface Target {
  accountId: string;
  region: string;
  endpoint: string;
  prepared: PreparedBaseline;
}

/**
 * Metric points for the minute ending at `minute` (their period is that last minute): per variant and for all
 * variants together, over the rolling window and over the last minute alone.
 *
 *   FeatureDrift     {Endpoint, [VariantName,] Feature, Window}  L∞ distance (baseline_drift_check's), Window `1m` | `<N>m`
 *   FeatureDriftPSI  {Endpoint, [VariantName,] Feature, Window}  PSI, rolling window only (one minute is too few rows)
 *   DriftWindowRows  {Endpoint, [VariantName,] Window}           rows profiled in the window (how much to trust it)
 */
export function driftPoints(t: Target, parts: readonly StoredPartial[], minute: number, windowMinutes: number): MetricPoint[] {
  const last = minute - MINUTE_MS;
  const byVariant = new Map<string, StoredPartial[]>();
  for (const p of parts) {
    let list = byVariant.get(p.variant);
    if (!list) byVariant.set(p.variant, (list = []));
    list.push(p);
  }
  const out: MetricPoint[] = [];
  const groups: [Record<string, string>, readonly StoredPartial[]][] = [[{ Endpoint: t.endpoint }, parts]];
  for (const [variant, list] of byVariant) groups.push([{ Endpoint: t.endpoint, VariantName: variant }, list]);
  for (const [dims, list] of groups) {
    const windows: [string, DatasetProfile, boolean][] = [[`${windowMinutes}m`, merge(list), true]];
    if (windowMinutes > 1) windows.push(['1m', merge(list.filter((p) => p.minute === last)), false]);
    for (const [label, profile, withPsi] of windows) {
      if (profile.itemCount === 0) continue;
      const point = (metricName: string, value: number, extra: Record<string, string>): MetricPoint => ({
        accountId: t.accountId, region: t.region, namespace: LIVE_DRIFT_NAMESPACE, metricName,
        dimensions: { ...dims, ...extra, Window: label }, periodStart: last, periodSeconds: 60,
        sum: value, count: 1, min: value, max: value, unit: metricName === WINDOW_ROWS ? 'Count' : 'None',
      });
      out.push(point(WINDOW_ROWS, profile.itemCount, {}));
      for (const d of profileDrift(t.prepared, profile, withPsi)) out.push(...featurePoints(d, point));
    }
  }
  return out;
}

function featurePoints(d: FeatureDrift, point: (name: string, value: number, extra: Record<string, string>) => MetricPoint): MetricPoint[] {
  const out = [point(FEATURE_DRIFT, d.distance, { Feature: d.feature })];
  if (d.psi !== undefined) out.push(point(FEATURE_DRIFT_PSI, d.psi, { Feature: d.feature }));
  return out;
}

function merge(parts: readonly StoredPartial[]): DatasetProfile {
  let p = DatasetProfile.empty();
  for (const x of parts) p = p.merge(x.profile);
  return p;
}
