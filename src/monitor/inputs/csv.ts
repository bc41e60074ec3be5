import { Readable, pipeline } from 'node:stream';
import { Parser, type Options as CsvParseOptions } from 'csv-parse';
import { textChunks, REPLACEMENT } from './lines.js';
import { CsvShape } from './csv-shape.js';
import { emptyStats, type ByteSource, type ReadStats, type Row } from './types.js';

export interface CsvReadOptions {
  /** First record names the columns (default false: columns are `_c0`, `_c1`, … as Spark names them). */
  header?: boolean;
  /** One character; default `,`. */
  delimiter?: string;
  /** Filled in as rows are read. */
  stats?: ReadStats;
  /** Tests only: send everything through csv-parse, to prove the fast path reads the same rows. */
  disableFastPath?: boolean;
}

/**
 * Streams CSV rows in batches (one batch per input chunk, so the per-row cost of async iteration disappears).
 *
 * Unquoted lines, by far the common case for ML features, are split by hand: csv-parse costs several times more
 * per value. The first double quote anywhere hands the rest of the input, from the start of that line, to
 * csv-parse, which then owns quoting (embedded delimiters, doubled quotes, newlines inside quotes). Before that
 * point no quote was seen, so every line boundary is a record boundary and the hand-off is exact. Both paths
 * apply the same rules (tested against each other): records end at `\n` or `\r\n`; empty lines are skipped;
 * cells are not trimmed. Row shaping (header, ragged rows, empty cells) is CsvShape's job.
 */
export async function* readCsvBatches(source: ByteSource, opts: CsvReadOptions = {}): AsyncGenerator<Row[]> {
  const delimiter = opts.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new Error(`CSV delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}`);
  }
  const stats = opts.stats ?? emptyStats();
  const shape = new CsvShape(opts.header ?? false, stats);
  const texts = textChunks(source)[Symbol.asyncIterator]();
  let pending = '';
  let linesSeen = 0;
  for (;;) {
    const next = await texts.next();
    if (next.done) break;
    const text = pending + next.value;
    const quote = opts.disableFastPath ? 0 : text.indexOf('"');
    if (quote >= 0) {
      // Lines wholly before the quote's line are still plain; the rest goes to csv-parse.
      const cut = text.lastIndexOf('\n', quote) + 1;
      yield* fastBatches(text.slice(0, cut), delimiter, shape);
      linesSeen += countNewlines(text, cut);
      yield* parseRest(text.slice(cut), texts, delimiter, shape, linesSeen);
      return;
    }
    const cut = text.lastIndexOf('\n') + 1;
    pending = text.slice(cut);
    if (cut === 0) continue;
    linesSeen += countNewlines(text, cut);
    yield* fastBatches(text.slice(0, cut), delimiter, shape);
  }
  if (pending.length > 0) yield* fastBatches(pending, delimiter, shape);
}

/** Row by row, for callers that do not care about batching. */
export async function* readCsv(source: ByteSource, opts: CsvReadOptions = {}): AsyncGenerator<Row> {
  for await (const batch of readCsvBatches(source, opts)) yield* batch;
}

/**
 * Rows wanted per batch. Small on purpose: a batch lives until the consumer has profiled it, and batches of
 * megabytes outlive V8's young generation, get promoted and make every GC a full one (1 MB batches ran 2.5×
 * slower than 64 KB ones on the 1M×20 benchmark).
 */
const BATCH = 512;

/** Complete unquoted lines (the text ends at a line boundary or at end of input). */
function* fastBatches(text: string, delimiter: string, shape: CsvShape): Generator<Row[]> {
  let out: Row[] = [];
  if (text.length === 0) return;
  const hasBadBytes = text.includes(REPLACEMENT);
  const lines = text.split('\n');
  // A trailing '\n' leaves one empty string after the split; it is not a line.
  const n = text.endsWith('\n') ? lines.length - 1 : lines.length;
  for (let i = 0; i < n; i++) {
    let line = lines[i];
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (line.length === 0) continue;
    if (hasBadBytes && line.includes(REPLACEMENT)) shape.stats.invalidUtf8Lines++;
    const row = shape.accept(line.split(delimiter));
    if (row) out.push(row);
    if (out.length >= BATCH) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

async function* parseRest(
  head: string,
  texts: AsyncIterator<string>,
  delimiter: string,
  shape: CsvShape,
  linesBefore: number,
): AsyncGenerator<Row[]> {
  async function* rest(): AsyncGenerator<string> {
    if (head.length > 0) yield head;
    for (;;) {
      const next = await texts.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const options: CsvParseOptions = {
    delimiter,
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    // Spark keeps a stray quote inside an unquoted cell as text; so do we.
    relax_quotes: true,
    skip_empty_lines: true,
    info: false,
  };
  const parser = new Parser(options);
  // pipeline, not pipe: a failing source must fail the parser's iteration too.
  pipeline(Readable.from(rest(), { objectMode: false }), parser, () => {});
  let batch: Row[] = [];
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      if (fields.some((f) => f.includes(REPLACEMENT))) shape.stats.invalidUtf8Lines++;
      const row = shape.accept(fields);
      if (row) batch.push(row);
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
  } catch (err) {
    const e = err as Error & { lines?: number; code?: string };
    if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
      throw new Error(`CSV line ${linesBefore + (e.lines ?? 0)}: ${e.message}`);
    }
    throw err;
  }
  if (batch.length > 0) yield batch;
}
