import { flattenObject, isPlainObject } from './flatten.js';
import { lines, REPLACEMENT } from './lines.js';
import { applyPreprocessor } from './preprocess.js';
import { emptyStats, noteMalformed, type ByteSource, type Preprocessor, type ReadStats, type Row } from './types.js';

export interface JsonLinesOptions {
  stats?: ReadStats;
  /** Applied to each parsed object before flattening (same contract as for capture records). */
  preprocess?: Preprocessor;
  /** Name used in malformed-line samples. */
  name?: string;
}

const BATCH = 512;

/**
 * JSON Lines: one JSON object per line, flattened (see flattenObject). Blank lines are skipped; a line that is not
 * valid JSON, or is an array or scalar, is counted as malformed and skipped, so a truncated last line of a
 * crashed writer does not fail a whole job.
 */
export async function* readJsonLinesBatches(source: ByteSource, opts: JsonLinesOptions = {}): AsyncGenerator<Row[]> {
  const stats = opts.stats ?? emptyStats();
  let batch: Row[] = [];
  for await (const { text, line } of lines(source)) {
    if (text.trim() === '') continue;
    if (text.includes(REPLACEMENT)) stats.invalidUtf8Lines++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      noteMalformed(stats, `${opts.name ?? 'input'}:${line}: ${(err as Error).message}`);
      continue;
    }
    if (!isPlainObject(value)) {
      noteMalformed(stats, `${opts.name ?? 'input'}:${line}: expected a JSON object`);
      continue;
    }
    const objects = opts.preprocess ? await applyPreprocessor(opts.preprocess, value, stats) : [value];
    for (const o of objects) {
      try {
        batch.push(flattenObject(o));
        stats.rows++;
      } catch (err) {
        noteMalformed(stats, `${opts.name ?? 'input'}:${line}: ${(err as Error).message}`);
      }
    }
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
