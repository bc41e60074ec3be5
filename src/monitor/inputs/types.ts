/**
 * Shared shapes of the Model Monitor input readers. A reader turns bytes into rows; a row maps a column name to
 * one scalar. CSV cells stay strings (type inference is the profile's job, as Deequ infers from text), JSON
 * scalars keep their JSON type. `null` means missing (an empty CSV cell, a JSON null, a short row's tail).
 */
export type Value = string | number | boolean | null;
export type Row = Record<string, Value>;

/** Bytes in: a Node Readable is an AsyncIterable<Buffer | string>, so both plain iterables and streams fit. */
export type ByteSource = AsyncIterable<Buffer | Uint8Array | string>;

/** What a reader skipped or repaired, so the CLI can warn instead of failing silently. */
export interface ReadStats {
  /** Rows produced. */
  rows: number;
  /** CSV rows shorter than the header (missing tail cells read as null). */
  shortRows: number;
  /** CSV rows longer than the header (cells beyond it dropped, as Spark's PERMISSIVE mode does). */
  longRows: number;
  /** Lines with bytes that are not valid UTF-8 (each bad byte sequence read as U+FFFD). */
  invalidUtf8Lines: number;
  /** JSON lines / capture records that are not a JSON object, or a capture payload that could not be decoded. */
  malformed: number;
  /** Capture records skipped on purpose (ShadowExperiment traffic, preprocessor returned nothing). */
  skipped: number;
  /** First few malformed-line descriptions (`file:line: why`), capped so a bad file cannot fill memory. */
  samples: string[];
}

export function emptyStats(): ReadStats {
  return { rows: 0, shortRows: 0, longRows: 0, invalidUtf8Lines: 0, malformed: 0, skipped: 0, samples: [] };
}

const MAX_SAMPLES = 5;

export function noteMalformed(stats: ReadStats, where: string): void {
  stats.malformed++;
  if (stats.samples.length < MAX_SAMPLES) stats.samples.push(where);
}

/**
 * The SageMaker record preprocessor (`record_preprocessor_script`): gets one capture record (the parsed JSON line)
 * and returns the row (a flat object), several rows, or nothing (null/undefined/[]) to drop the record.
 * May be async so the server can run user code out of process.
 */
export type Preprocessor = (record: object) => PreprocessResult | Promise<PreprocessResult>;
export type PreprocessResult = object | object[] | null | undefined;
