/**
 * What `vigil baseline` and `vigil analyze` share: reading the inputs (format and header detection, progress,
 * warnings), loading a preprocessor module, and writing the output files locally or to S3.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  emptyStats,
  guessFormat,
  isS3Uri,
  listInputs,
  putText,
  readBatches,
  s3Client,
  INPUT_FORMATS,
  type InputFile,
  type InputFormat,
  type OutputPosition,
  type Preprocessor,
  type ReadStats,
  type Row,
} from '../monitor/inputs/index.js';
import { profileRows } from '../monitor/jobs.js';
import { profileCsvFiles } from '../monitor/parallel.js';
import type { DatasetProfile } from '../monitor/profile.js';
import { UsageError } from './usage-error.js';
import { Progress } from './baseline-progress.js';

/** Exit codes of `vigil baseline` / `vigil analyze` (documented in docs/model-monitor.md). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_VIOLATIONS = 3;

export interface InputOptions {
  input: string;
  format?: InputFormat;
  /** undefined = detect from the first line. */
  header?: boolean;
  output: OutputPosition;
  preprocessor?: string;
}

export function parseFormat(value: string | undefined): InputFormat | undefined {
  if (value === undefined) return undefined;
  if (!(INPUT_FORMATS as readonly string[]).includes(value)) throw new UsageError(`--format must be one of ${INPUT_FORMATS.join(', ')}, got '${value}'`);
  return value as InputFormat;
}

export function parseOutputPosition(value: string | undefined): OutputPosition {
  if (value === undefined) return 'omit';
  if (!['omit', 'start', 'end'].includes(value)) throw new UsageError(`--capture-output must be one of omit, start, end, got '${value}'`);
  return value as OutputPosition;
}

export function parseHeaderFlags(header: boolean | undefined, noHeader: boolean | undefined): boolean | undefined {
  if (header && noHeader) throw new UsageError('--header and --no-header cannot be combined');
  return header ? true : noHeader ? false : undefined;
}

export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} is required`);
  return value;
}

/** Loads a preprocessor module; it must export `preprocess_handler(record)` (SageMaker's name for it). */
export async function loadPreprocessor(file: string | undefined): Promise<Preprocessor | undefined> {
  if (file === undefined) return undefined;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`--preprocessor ${file}: cannot load: ${(err as Error).message.split('\n')[0]}`);
  }
  const fn = mod.preprocess_handler ?? (mod.default as Record<string, unknown> | undefined)?.preprocess_handler;
  if (typeof fn !== 'function') throw new UsageError(`--preprocessor ${file}: the module does not export a function named preprocess_handler`);
  return fn as Preprocessor;
}

export interface OpenedInput {
  files: InputFile[];
  format: InputFormat;
  header: boolean;
  stats: ReadStats;
  progress: Progress;
  /** All rows of all files, in batches. */
  batches(): AsyncGenerator<Row[]>;
}

/** Lists the input files and settles format and header (from the first file's name and first line if not given). */
export async function openInput(o: InputOptions, s3?: S3Client): Promise<OpenedInput> {
  const files = await listInputs(o.input, s3);
  const first = files[0];
  const firstLines = o.format !== undefined && (o.format !== 'csv' || o.header !== undefined) ? [] : await peekLines(first, 2);
  const format = o.format ?? guessFormat(first.name, firstLines[0]);
  if (format === undefined) throw new UsageError(`cannot tell the format of ${first.name}; pass --format csv|jsonl|capture`);
  const header = format === 'csv' ? (o.header ?? looksLikeHeader(firstLines[0] ?? '', firstLines[1])) : false;
  const total = files.every((f) => f.size !== undefined) ? files.reduce((a, f) => a + (f.size ?? 0), 0) : undefined;
  const progress = new Progress(total);
  const stats = emptyStats();
  const preprocess = await loadPreprocessor(o.preprocessor);
  if (preprocess && format === 'csv') throw new UsageError('--preprocessor applies to capture and jsonl input, not csv');
  async function* batches(): AsyncGenerator<Row[]> {
    for (const f of files) {
      const stream = await f.open((n) => progress.addBytes(n));
      yield* readBatches(format!, stream, { header, output: o.output, preprocess, stats, name: f.name });
    }
  }
  return { files, format, header, stats, progress, batches };
}

/**
 * The input's profile. Local uncompressed CSV goes through the columnar reader, on several threads when it is
 * big (see monitor/parallel.ts); everything else, and CSV with quotes, through the row readers.
 */
export async function profileInput(input: OpenedInput): Promise<DatasetProfile> {
  const paths = input.files.map((f) => (f.name.endsWith('.gz') ? undefined : f.path));
  if (input.format === 'csv' && paths.every((p) => p !== undefined)) {
    const profile = await profileCsvFiles(paths as string[], { header: input.header, stats: input.stats, onBytes: (n) => input.progress.addBytes(n) });
    if (profile !== undefined) {
      input.progress.setRows(profile.itemCount);
      return profile;
    }
  }
  return profileRows(input.batches(), { onProgress: (n) => input.progress.setRows(n) });
}

async function peekLines(file: InputFile, n: number): Promise<string[]> {
  const stream = await file.open();
  let text = '';
  for await (const chunk of stream) {
    text += (chunk as Buffer).toString('utf8');
    if (text.split('\n').length > n || text.length > 1 << 20) break;
  }
  stream.destroy();
  return text.replace(/^\uFEFF/, '').split('\n').slice(0, n).map((l) => l.replace(/\r$/, ''));
}

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/**
 * CSV header detection when neither --header nor --no-header is given: the first line is a header when none
 * of its cells is empty or a number while the second line has at least one number. A table of only strings is
 * ambiguous and read without a header (SageMaker's default); pass --header then.
 */
export function looksLikeHeader(first: string, second: string | undefined): boolean {
  if (first.includes('"')) return false;
  const cells = first.split(',');
  if (cells.some((c) => c.trim() === '' || NUMBER.test(c))) return false;
  return second !== undefined && second.split(',').some((c) => NUMBER.test(c));
}

/** One-line warnings about what the readers skipped or repaired. */
function readWarnings(stats: ReadStats): string[] {
  const w: string[] = [];
  if (stats.shortRows) w.push(`${stats.shortRows} CSV rows had fewer cells than the header (missing cells read as empty)`);
  if (stats.longRows) w.push(`${stats.longRows} CSV rows had more cells than the header (extra cells ignored)`);
  if (stats.invalidUtf8Lines) w.push(`${stats.invalidUtf8Lines} lines had bytes that are not UTF-8 (read as U+FFFD)`);
  if (stats.malformed) w.push(`${stats.malformed} records were malformed and skipped, e.g. ${stats.samples[0] ?? ''}`);
  if (stats.skipped) w.push(`${stats.skipped} capture records were skipped (shadow traffic or dropped by the preprocessor)`);
  return w;
}

/**
 * After profiling: ends the progress line and prints the read warnings. False, after saying so on stderr, when the
 * input had no data rows.
 */
export function finishInput(command: 'baseline' | 'analyze', input: OpenedInput, inputName: string, rows: number): boolean {
  input.progress.done();
  for (const w of readWarnings(input.stats)) process.stderr.write(`vigil ${command}: warning: ${w}\n`);
  if (rows > 0) return true;
  process.stderr.write(`vigil ${command}: ${inputName} has no data rows; nothing to ${command}\n`);
  return false;
}

/** Writes name → text into a local directory (created if needed) or under an s3:// prefix. */
export async function writeOutputs(dest: string, files: Record<string, string>, s3?: S3Client): Promise<void> {
  if (isS3Uri(dest)) {
    const client = s3 ?? s3Client();
    for (const [name, text] of Object.entries(files)) await putText(dest, name, text, client);
    return;
  }
  await mkdir(dest, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dest, name), text);
}

/** Runs a command body, turning failures into one stderr line and an exit code (no stack traces). */
export async function runCommand(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    process.stderr.write(`vigil ${name}: ${oneLine(err)}\n`);
    return EXIT_FAILURE;
  }
}

function oneLine(err: unknown): string {
  const e = err as Error & { $metadata?: unknown; Code?: string };
  const msg = err instanceof Error ? err.message : String(err);
  return (e.name && e.name !== 'Error' && e.$metadata ? `${e.name}: ${msg}` : msg).split('\n')[0];
}
