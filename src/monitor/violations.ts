/** `constraint_violations.json` (spec §3.1): types, Jackson-style writer and a tolerant reader. */
import { jacksonPretty } from './constraints.js';

export const CONSTRAINT_CHECK_TYPES = [
  'data_type_check',
  'completeness_check',
  'baseline_drift_check',
  'missing_column_check',
  'extra_column_check',
  'categorical_values_check',
] as const;

export type ConstraintCheckType = (typeof CONSTRAINT_CHECK_TYPES)[number];

export interface Violation {
  feature_name: string;
  constraint_check_type: ConstraintCheckType;
  description: string;
}

export interface ConstraintViolations {
  violations: Violation[];
}

/** Serialize as the container does (`"violations" : [ {` …); an empty run writes `"violations" : [ ]`. */
export function formatViolations(v: ConstraintViolations): string {
  const clean = { violations: v.violations.map((x) => ({ feature_name: x.feature_name, constraint_check_type: x.constraint_check_type, description: x.description })) };
  return jacksonPretty(clean, '') + '\n';
}

/**
 * Read a constraint_violations.json. Unknown check types are kept (other monitor kinds write their own, e.g.
 * model quality's `LessThanThreshold`), so the type is widened to string there; structure errors throw.
 */
export function parseViolations(text: string): { violations: { feature_name: string; constraint_check_type: string; description: string }[] } {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new Error(`constraint_violations.json: not valid JSON: ${(e as Error).message}`);
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) throw new Error('constraint_violations.json: top level: expected an object');
  const list = (root as Record<string, unknown>).violations;
  if (list === undefined) return { violations: [] };
  if (!Array.isArray(list)) throw new Error('constraint_violations.json: violations: expected an array');
  return {
    violations: list.map((x, i) => {
      const o = x as Record<string, unknown>;
      const field = (k: string): string => {
        const v = typeof o === 'object' && o !== null ? o[k] : undefined;
        if (typeof v !== 'string') throw new Error(`constraint_violations.json: violations[${i}].${k}: expected a string`);
        return v;
      };
      return { feature_name: field('feature_name'), constraint_check_type: field('constraint_check_type'), description: field('description') };
    }),
  };
}
