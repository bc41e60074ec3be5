import { isPlainObject } from './flatten.js';
import type { Preprocessor, ReadStats } from './types.js';

/**
 * Runs the record preprocessor and normalizes what it returns: an object is one row, an array is several, and
 * null/undefined/[] drop the record (counted as skipped). Anything else is the script's bug: it fails the job
 * with a message naming the type, as SageMaker fails an execution whose preprocessor returns garbage.
 */
export async function applyPreprocessor(fn: Preprocessor, record: object, stats: ReadStats): Promise<object[]> {
  let out = fn(record);
  if (out !== null && typeof out === 'object' && typeof (out as Promise<unknown>).then === 'function') out = await out;
  if (out === null || out === undefined) {
    stats.skipped++;
    return [];
  }
  const list = Array.isArray(out) ? out : [out];
  if (list.length === 0) stats.skipped++;
  for (const item of list) {
    if (!isPlainObject(item)) {
      throw new Error(`preprocess_handler must return an object, an array of objects, or null; got ${describe(item)}`);
    }
  }
  return list as object[];
}

function describe(x: unknown): string {
  if (x === null) return 'null inside an array';
  if (Array.isArray(x)) return 'a nested array';
  return typeof x;
}
