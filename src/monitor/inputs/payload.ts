import { parse as parseCsvSync } from 'csv-parse/sync';
import { scalar } from './flatten.js';
import type { Value } from './types.js';

/** One row's cells as decoded from a payload: positional (CSV, JSON arrays) or keyed (JSON objects). */
export type Part = { kind: 'cells'; cells: Value[] } | { kind: 'object'; object: Record<string, unknown> };

interface CapturedPayload {
  observedContentType?: unknown;
  data?: unknown;
  encoding?: unknown;
}

/**
 * The text of a captured payload and whether it is CSV or JSON. CSV/JSON encodings carry the body as text;
 * BASE64 carries bytes, which we read as UTF-8 text when the observed content type says CSV or JSON
 * (`text/csv`, `application/json`, `application/jsonlines`, …) and otherwise cannot interpret.
 */
export function payloadText(p: unknown): { format: 'csv' | 'json' | 'jsonlines'; text: string } {
  if (typeof p !== 'object' || p === null) throw new Error('payload is not an object');
  const { observedContentType, data, encoding } = p as CapturedPayload;
  if (typeof data !== 'string') throw new Error('payload has no string "data"');
  const media = typeof observedContentType === 'string' ? mediaType(observedContentType) : '';
  const byType = textFormatOf(media);
  if (encoding === 'CSV') return { format: 'csv', text: data };
  if (encoding === 'JSON') return { format: byType === 'jsonlines' ? 'jsonlines' : 'json', text: data };
  if (encoding === 'BASE64') {
    if (!byType) throw new Error(`BASE64 payload of content type '${media || 'unknown'}' is neither CSV nor JSON`);
    return { format: byType, text: Buffer.from(data, 'base64').toString('utf8') };
  }
  throw new Error(`unknown payload encoding ${JSON.stringify(encoding)}`);
}

function mediaType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

function textFormatOf(media: string): 'csv' | 'json' | 'jsonlines' | undefined {
  return media.includes('jsonl') || media.includes('jsonlines') ? 'jsonlines' : media.includes('json') ? 'json' : media.includes('csv') ? 'csv' : undefined;
}

/**
 * Whether a BASE64 payload of this content type is readable (its media type says CSV or JSON); the others are
 * refused by payloadText. Lets a caller skip encoding a body only to have it refused.
 */
export function base64Readable(contentType: string): boolean {
  return textFormatOf(mediaType(contentType)) !== undefined;
}

/** Input payload → one part per row. A CSV body with several lines is several rows (a batch request). */
export function inputParts(p: unknown): Part[] {
  const { format, text } = payloadText(p);
  if (format === 'csv') return csvLines(text).map((cells) => ({ kind: 'cells', cells }));
  if (format === 'jsonlines') return jsonLines(text).flatMap(jsonInputParts);
  return jsonInputParts(JSON.parse(text));
}

/**
 * JSON request bodies: `{"instances": [...]}` (TensorFlow Serving / SageMaker convention) is one row per
 * instance; an array of scalars is one row (like a CSV line); an array of arrays or objects is one row each; any
 * other object is one row of its (flattened) members.
 */
function jsonInputParts(v: unknown): Part[] {
  if (isObject(v) && Array.isArray(v.instances)) return v.instances.map(instancePart);
  if (Array.isArray(v)) return v.every(isScalar) ? [instancePart(v)] : v.map(instancePart);
  return [instancePart(v)];
}

function instancePart(x: unknown): Part {
  if (isObject(x)) return { kind: 'object', object: x };
  if (Array.isArray(x)) return { kind: 'cells', cells: x.flat(Infinity).map(scalar) };
  return { kind: 'cells', cells: [scalar(x)] };
}

/**
 * Output payload → one part per input row. CSV: one line per row, or one line with one cell per row, or, for a
 * single-row request, everything. JSON: `{"predictions": [...]}` or an array with one element per row, or, for a
 * single-row request, the whole value. Throws when the counts cannot be paired.
 */
export function outputParts(p: unknown, rows: number): Part[] {
  const { format, text } = payloadText(p);
  if (format === 'csv') {
    const lines = csvLines(text);
    if (lines.length === rows) return lines.map((cells) => ({ kind: 'cells', cells }));
    if (lines.length === 1 && lines[0].length === rows) return lines[0].map((c) => ({ kind: 'cells', cells: [c] }));
    if (rows === 1) return [{ kind: 'cells', cells: lines.flat() }];
    throw new Error(`output has ${lines.length} CSV lines for ${rows} input rows`);
  }
  const v: unknown = format === 'jsonlines' ? jsonLines(text) : JSON.parse(text);
  const list = isObject(v) && Array.isArray(v.predictions) ? v.predictions : Array.isArray(v) ? v : undefined;
  if (list && list.length === rows) return list.map(instancePart);
  if (rows === 1) return [instancePart(v)];
  throw new Error(`output has ${list ? list.length : 1} predictions for ${rows} input rows`);
}

function csvLines(text: string): Value[][] {
  if (!text.includes('"')) {
    return text
      .split('\n')
      .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
      .filter((l) => l.length > 0)
      .map((l) => l.split(',').map(cell));
  }
  const records = parseCsvSync(text, { relax_column_count: true, relax_quotes: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n'] }) as string[][];
  return records.map((r) => r.map(cell));
}

function cell(c: string): Value {
  return c === '' ? null : c;
}

function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isScalar(x: unknown): boolean {
  return x === null || (typeof x !== 'object' && typeof x !== 'function');
}
