import { flattenObject, isPlainObject } from './flatten.js';
import { lines, REPLACEMENT } from './lines.js';
import { inputParts, outputParts, type Part } from './payload.js';
import { applyPreprocessor } from './preprocess.js';
import { emptyStats, noteMalformed, type ByteSource, type Preprocessor, type ReadStats, type Row } from './types.js';

/** Where the model's output goes in a capture row: left out (default), before the inputs, or after them. */
export type OutputPosition = 'omit' | 'start' | 'end';

export interface CaptureReadOptions {
  output?: OutputPosition;
  /** SageMaker's record_preprocessor_script: replaces the built-in decoding of each record. */
  preprocess?: Preprocessor;
  stats?: ReadStats;
  /** Name used in malformed-line samples. */
  name?: string;
}

const BATCH = 512;

/**
 * SageMaker data-capture JSON Lines (spec §1.3) → feature rows.
 *
 * - Records with `eventMetadata.invocationSource == "ShadowExperiment"` are skipped (shadow traffic is not the
 *   production distribution), before any preprocessor runs, as SageMaker's wrapper does.
 * - With a preprocessor, its result is the row (or rows, or nothing); it sees the parsed record unchanged.
 * - Otherwise `endpointInput` is decoded (CSV, JSON or BASE64 → see payload.ts): CSV and JSON arrays give
 *   positional columns `_c0`, `_c1`, …; JSON objects give their (flattened) keys. With `output` 'start'/'end',
 *   the decoded `endpointOutput` is added: positional rows continue the numbering (start: outputs take `_c0…`),
 *   keyed rows get `prediction` (one value), `prediction.0…` (several) or `prediction.<key>` (an object).
 * - A line that is not JSON, lacks endpointInput, or whose payload cannot be decoded is counted as malformed
 *   and skipped.
 */
export async function* readCaptureBatches(source: ByteSource, opts: CaptureReadOptions = {}): AsyncGenerator<Row[]> {
  const stats = opts.stats ?? emptyStats();
  const where = (line: number) => `${opts.name ?? 'input'}:${line}`;
  let batch: Row[] = [];
  for await (const { text, line } of lines(source)) {
    if (text.trim() === '') continue;
    if (text.includes(REPLACEMENT)) stats.invalidUtf8Lines++;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (err) {
      noteMalformed(stats, `${where(line)}: ${(err as Error).message}`);
      continue;
    }
    if (!isPlainObject(record)) {
      noteMalformed(stats, `${where(line)}: expected a JSON object`);
      continue;
    }
    if (isShadow(record)) {
      stats.skipped++;
      continue;
    }
    try {
      const rows = opts.preprocess
        ? (await applyPreprocessor(opts.preprocess, record, stats)).map((o) => flattenObject(o))
        : decodeRecord(record, opts.output ?? 'omit');
      for (const r of rows) batch.push(r);
      stats.rows += rows.length;
    } catch (err) {
      // A preprocessor contract violation is the user's bug in every record: fail loudly, once.
      if ((err as Error).message.startsWith('preprocess_handler')) throw err;
      noteMalformed(stats, `${where(line)}: ${(err as Error).message}`);
    }
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function isShadow(record: Record<string, unknown>): boolean {
  const meta = record.eventMetadata;
  return isPlainObject(meta) && meta.invocationSource === 'ShadowExperiment';
}

export function decodeRecord(record: Record<string, unknown>, output: OutputPosition): Row[] {
  const data = record.captureData;
  if (!isPlainObject(data) || data.endpointInput === undefined) throw new Error('no captureData.endpointInput');
  const inputs = inputParts(data.endpointInput);
  if (output === 'omit' || data.endpointOutput === undefined) return inputs.map((p) => rowOf(p));
  const outputs = outputParts(data.endpointOutput, inputs.length);
  return inputs.map((p, i) => combine(p, outputs[i], output));
}

function rowOf(p: Part): Row {
  if (p.kind === 'object') return flattenObject(p.object);
  const row: Row = {};
  p.cells.forEach((v, i) => (row[`_c${i}`] = v));
  return row;
}

function combine(input: Part, out: Part, position: 'start' | 'end'): Row {
  if (input.kind === 'cells') {
    const outCells = out.kind === 'cells' ? out.cells : Object.values(flattenObject(out.object));
    const cells = position === 'start' ? [...outCells, ...input.cells] : [...input.cells, ...outCells];
    return rowOf({ kind: 'cells', cells });
  }
  const prediction: Row =
    out.kind === 'object'
      ? flattenObject(out.object, 'prediction')
      : out.cells.length === 1
        ? { prediction: out.cells[0] }
        : flattenObject(out.cells, 'prediction');
  const features = flattenObject(input.object);
  return position === 'start' ? { ...prediction, ...features } : { ...features, ...prediction };
}
