/** Model Monitor input readers: bytes → batches of rows, in bounded memory. See docs/model-monitor.md. */
import { readCaptureBatches, type OutputPosition } from './capture.js';
import { readCsvBatches } from './csv.js';
import { readJsonLinesBatches } from './jsonl.js';
import type { ByteSource, Preprocessor, ReadStats, Row } from './types.js';

export type InputFormat = 'csv' | 'jsonl' | 'capture';
export const INPUT_FORMATS: readonly InputFormat[] = ['csv', 'jsonl', 'capture'];

export interface ReadOptions {
  /** CSV only (default false). */
  header?: boolean;
  /** CSV only (default `,`). */
  delimiter?: string;
  /** capture only (default 'omit'). */
  output?: OutputPosition;
  /** capture and jsonl. */
  preprocess?: Preprocessor;
  stats?: ReadStats;
  /** Name used in messages. */
  name?: string;
}

/** Rows of one byte stream in the given format, in batches. */
export function readBatches(format: InputFormat, source: ByteSource, opts: ReadOptions = {}): AsyncGenerator<Row[]> {
  switch (format) {
    case 'csv':
      return readCsvBatches(source, { header: opts.header, delimiter: opts.delimiter, stats: opts.stats });
    case 'jsonl':
      return readJsonLinesBatches(source, { stats: opts.stats, preprocess: opts.preprocess, name: opts.name });
    case 'capture':
      return readCaptureBatches(source, { output: opts.output, preprocess: opts.preprocess, stats: opts.stats, name: opts.name });
  }
}

/** Row by row. */
export async function* readRows(format: InputFormat, source: ByteSource, opts: ReadOptions = {}): AsyncGenerator<Row> {
  for await (const batch of readBatches(format, source, opts)) yield* batch;
}

/**
 * Guesses the format from a file name: `.csv` → csv, `.jsonl`/`.json` → capture when the first line has
 * `captureData`, else jsonl. Callers pass the first line they peeked, if any.
 */
export function guessFormat(name: string, firstLine?: string): InputFormat | undefined {
  const base = name.replace(/\.gz$/, '').toLowerCase();
  if (base.endsWith('.csv')) return 'csv';
  if (base.endsWith('.jsonl') || base.endsWith('.json') || base.endsWith('.ndjson')) {
    return firstLine !== undefined && firstLine.includes('"captureData"') ? 'capture' : 'jsonl';
  }
  return undefined;
}

export type { Row, Value, ReadStats, Preprocessor, ByteSource } from './types.js';
export { emptyStats } from './types.js';
export type { OutputPosition } from './capture.js';
export { listInputs, readText, putText, isS3Uri, s3Client, type InputFile } from './sources.js';
