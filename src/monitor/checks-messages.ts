/**
 * `description` strings of constraint_violations.json.
 *
 * Verified against real container output (spec §3.1): data_type_check and the numerical baseline_drift_check.
 * The others were not found in any public output; they follow the same sentence pattern and are marked
 * inferred. Computed values print as Java's Double.toString (the container is a JVM program); thresholds print
 * as written in constraints.json (the one real sample shows `threshold: 0`, not `0.0`).
 */
import { javaDouble } from './constraints.js';

const pct = (fraction: number): string => javaDouble(fraction * 100);
const asWritten = (n: number): string => String(n);

/** Verified wording. */
export function dataTypeMessage(type: string, threshold: number, observed: number): string {
  return `Data type match requirement is not met. Expected data type: ${type}, Expected match: ${pct(threshold)}%. Observed: Only ${pct(observed)}% of data is ${type}.`;
}

/** Verified wording. */
export function numericalDriftMessage(distance: number, threshold: number): string {
  return `Numerical distance: ${javaDouble(distance)} exceeds numerical threshold: ${asWritten(threshold)}`;
}

/** Inferred by analogy with the numerical wording. */
export function categoricalDriftMessage(distance: number, threshold: number): string {
  return `Categorical distance: ${javaDouble(distance)} exceeds categorical threshold: ${asWritten(threshold)}`;
}

/** Inferred. For ChiSquared the compared value is a p-value, and drift means it fell below the threshold. */
export function chiSquaredDriftMessage(pValue: number, statistic: number, threshold: number): string {
  return `Categorical chi-squared p-value: ${javaDouble(pValue)} (statistic: ${javaDouble(statistic)}) is below categorical threshold: ${asWritten(threshold)}`;
}

/** Inferred. */
export function completenessMessage(expected: number, observed: number): string {
  return `Data completeness requirement is not met. Expected completeness: ${pct(expected)}%. Observed: Only ${pct(observed)}% of data is complete.`;
}

/** Inferred. */
export function domainMessage(threshold: number, observed: number, unexpected: readonly string[]): string {
  const shown = unexpected.slice(0, 10).map((v) => JSON.stringify(v)).join(', ');
  const more = unexpected.length > 10 ? `, … (${unexpected.length} in total)` : '';
  return `Categorical value match requirement is not met. Expected match: ${pct(threshold)}%. Observed: Only ${pct(observed)}% of data is within the baseline domain. Unexpected values: ${shown}${more}.`;
}

/** Inferred. */
export function missingColumnMessage(current: number, baseline: number): string {
  return `There are missing columns in current dataset. Number of columns in current dataset: ${current}, Number of columns in baseline constraints: ${baseline}`;
}

/** Inferred. */
export function extraColumnMessage(current: number, baseline: number): string {
  return `There are extra columns in current dataset. Number of columns in current dataset: ${current}, Number of columns in baseline constraints: ${baseline}`;
}
