import type { Row, Value } from './types.js';

/** Nesting deeper than this is not a feature table any more; such a line is rejected rather than exploded. */
const MAX_DEPTH = 16;

/**
 * Flattens a parsed JSON object into one row: nested objects become dotted keys (`{"a":{"b":1}}` → `a.b`), arrays
 * become indexed keys (`{"v":[1,2]}` → `v.0`, `v.1`), so an embedding is a set of numeric features. Empty objects
 * and arrays contribute no column. Throws on nesting deeper than 16 levels.
 */
export function flattenObject(obj: object, prefix = '', into: Row = {}): Row {
  walk(obj, prefix, into, 0);
  return into;
}

function walk(x: unknown, key: string, into: Row, depth: number): void {
  if (x === null || typeof x !== 'object') {
    // A plain store to `__proto__` would hit the prototype setter and vanish; JSON may carry that key.
    if (key === '__proto__') Object.defineProperty(into, key, { value: scalar(x), enumerable: true, writable: true, configurable: true });
    else into[key] = scalar(x);
    return;
  }
  if (depth >= MAX_DEPTH) throw new Error(`nested more than ${MAX_DEPTH} levels deep`);
  const join = key === '' ? '' : `${key}.`;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) walk(x[i], `${join}${i}`, into, depth + 1);
  } else {
    for (const [k, v] of Object.entries(x)) walk(v, `${join}${k}`, into, depth + 1);
  }
}

export function scalar(x: unknown): Value {
  if (x === null || x === undefined) return null;
  if (typeof x === 'string' || typeof x === 'boolean') return x;
  if (typeof x === 'number') return Number.isFinite(x) ? x : null;
  return String(x);
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
