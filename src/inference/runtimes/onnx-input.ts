import { parse as parseCsvRecords } from 'csv-parse/sync';

/**
 * Request bodies → one [rows, features] float batch for the model's input. Every rejection is a PayloadError whose
 * message is written for the person who sent the request: it says which row and column is wrong and why.
 */

export class PayloadError extends Error {
  /** The status a model server would have answered with (400 bad payload, 415 unreadable type, 406 Accept). */
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

export type FloatArray = Float32Array | Float64Array;

export interface Batch {
  data: FloatArray;
  rows: number;
  cols: number;
}

export interface InputShape {
  /** F when the model fixes it; undefined when the feature dimension is symbolic (then row 1 decides). */
  features: number | undefined;
  /** The model's input is float64 (`double`) rather than float32. */
  float64: boolean;
}

const EMPTY = 'the request body is empty';

function alloc(shape: InputShape, n: number): FloatArray {
  return shape.float64 ? new Float64Array(n) : new Float32Array(n);
}

function show(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

function countError(row: number, got: number, cols: number, shape: InputShape): PayloadError {
  const expected = shape.features !== undefined ? `the model expects ${cols}` : `row 1 has ${cols}`;
  return new PayloadError(`row ${row} has ${got} feature${got === 1 ? '' : 's'}; ${expected}`);
}

/**
 * A CSV field as a number. `nan` (any case) is an explicit missing value; an empty field is an error rather than a
 * silent 0 or NaN, because it is far more often a broken client than an intended gap.
 */
function csvNumber(field: string, row: number, col: number): number {
  const v = +field;
  if (v === v && (v !== 0 || field.trim() !== '')) return v;
  const t = field.trim();
  if (t === '') throw new PayloadError(`row ${row} column ${col} is empty`);
  if (t.toLowerCase() === 'nan') return NaN;
  throw new PayloadError(`row ${row} column ${col}: '${show(t)}' is not a number`);
}

function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

function countFields(text: string, from: number, to: number): number {
  let n = 1;
  for (let i = text.indexOf(',', from); i >= 0 && i < to; i = text.indexOf(',', i + 1)) n++;
  return n;
}

/**
 * Unquoted numeric CSV, parsed straight into the tensor's array: one allocation, no intermediate string[][] (this is
 * the request path the benchmark measures). Blank lines are skipped.
 *
 * The allocation is sized from the data, never from the raw newline count (a few MB of blank lines must not cost
 * rows × F floats): only non-blank lines can be rows, and a valid row of `cols` non-empty fields takes at least
 * 2 × cols characters with its newline, so at most (length + 1) / (2 × cols) rows can parse. The smaller of the two
 * is exact for ordinary bodies and at most half a float per body character otherwise.
 */
function parsePlainCsv(text: string, shape: InputShape): Batch {
  let nonBlank = 0;
  for (let pos = 0; pos <= text.length;) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    if (!isBlank(text, pos, end)) nonBlank++;
    pos = end + 1;
  }
  let cols = shape.features ?? 0;
  let out: FloatArray | undefined;
  let capacity = 0;
  let rows = 0;
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    if (!isBlank(text, pos, end)) {
      rows++;
      if (out === undefined) {
        if (shape.features === undefined) cols = countFields(text, pos, end);
        capacity = Math.min(nonBlank, Math.floor((text.length + 1) / (2 * Math.max(cols, 1))));
        out = alloc(shape, capacity * cols);
      }
      if (rows > capacity) {
        // Only a row that is going to fail gets here (see above); grow rather than write past the end.
        capacity = Math.min(nonBlank, capacity * 2 + 1);
        const bigger = alloc(shape, capacity * cols);
        bigger.set(out);
        out = bigger;
      }
      const base = (rows - 1) * cols;
      let col = 0;
      let start = pos;
      for (;;) {
        let comma = text.indexOf(',', start);
        if (comma < 0 || comma > end) comma = end;
        if (col < cols) out[base + col] = csvNumber(text.slice(start, comma), rows, col + 1);
        col++;
        if (comma === end) break;
        start = comma + 1;
      }
      if (col !== cols) throw countError(rows, col, cols, shape);
    }
    pos = end + 1;
  }
  if (out === undefined) throw new PayloadError('the request body has no rows');
  return { data: rows * cols === out.length ? out : out.subarray(0, rows * cols), rows, cols };
}

/** Rows before the first one that is not `cols` long: no more can be written before the request fails. */
function rowsOfLength(n: number, lengthOf: (r: number) => number | undefined, cols: number): number {
  let r = 0;
  while (r < n && lengthOf(r) === cols) r++;
  return r;
}

/** CSV with quoted fields: rare for feature vectors, so the general parser (csv-parse) handles it. */
function parseQuotedCsv(text: string, shape: InputShape): Batch {
  let records: string[][];
  try {
    records = parseCsvRecords(text, { relax_column_count: true, skip_empty_lines: true, skip_records_with_empty_values: true });
  } catch (err) {
    throw new PayloadError(`the CSV body cannot be parsed: ${(err as Error).message}`);
  }
  if (records.length === 0) throw new PayloadError('the request body has no rows');
  const cols = shape.features ?? records[0].length;
  // Sized from the records that can be written (a body of many one-field records must not cost records × F floats).
  const out = alloc(shape, rowsOfLength(records.length, (r) => records[r].length, cols) * cols);
  for (let r = 0; r < records.length; r++) {
    const record = records[r];
    if (record.length !== cols) throw countError(r + 1, record.length, cols, shape);
    for (let c = 0; c < cols; c++) out[r * cols + c] = csvNumber(record[c], r + 1, c + 1);
  }
  return { data: out, rows: records.length, cols };
}

export function parseCsv(body: Buffer, shape: InputShape): Batch {
  if (body.length === 0) throw new PayloadError(EMPTY);
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.includes('"') ? parseQuotedCsv(text, shape) : parsePlainCsv(text, shape);
}

const JSON_FORMS = 'expected {"instances": [[…], …]}, {"instances": [{"features": […]}, …]}, {"inputs": [[…], …]}, a list of rows [[…], …] or one row […]';

/** A bare list whose first item is a value (not a row) is one row. */
const isValue = (v: unknown): boolean => typeof v === 'number' || v === null || typeof v === 'string' || typeof v === 'boolean';

function rowsOf(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc.length > 0 && isValue(doc[0]) ? [doc] : doc;
  if (doc !== null && typeof doc === 'object') {
    const o = doc as Record<string, unknown>;
    if (o.instances !== undefined) {
      if (!Array.isArray(o.instances)) throw new PayloadError(`"instances" must be a list; ${JSON_FORMS}`);
      return o.instances;
    }
    if (o.inputs !== undefined) {
      if (!Array.isArray(o.inputs)) throw new PayloadError(`"inputs" must be a list; ${JSON_FORMS}`);
      return o.inputs.length > 0 && isValue(o.inputs[0]) ? [o.inputs] : o.inputs;
    }
  }
  throw new PayloadError(`the JSON body has an unsupported form; ${JSON_FORMS}`);
}

function featuresOf(row: unknown, r: number): unknown[] {
  if (Array.isArray(row)) return row;
  if (row !== null && typeof row === 'object' && Array.isArray((row as { features?: unknown }).features)) {
    return (row as { features: unknown[] }).features;
  }
  throw new PayloadError(`row ${r} is not a list of numbers or a {"features": […]} object`);
}

/** featuresOf(row).length, or undefined where featuresOf would throw. */
function lengthOfRow(row: unknown): number | undefined {
  if (Array.isArray(row)) return row.length;
  const features = row !== null && typeof row === 'object' ? (row as { features?: unknown }).features : undefined;
  return Array.isArray(features) ? features.length : undefined;
}

export function parseJson(body: Buffer, shape: InputShape): Batch {
  if (body.length === 0) throw new PayloadError(EMPTY);
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new PayloadError(`the request body is not valid JSON: ${(err as Error).message}`);
  }
  const rows = rowsOf(doc);
  if (rows.length === 0) throw new PayloadError('the request has no rows');
  const first = featuresOf(rows[0], 1);
  const cols = shape.features ?? first.length;
  // Sized from the rows that can be written (`[[…F values…], [], [], …]` must not cost rows × F floats); the loop
  // below reports the first bad row exactly as before, before writing anything for it.
  const out = alloc(shape, rowsOfLength(rows.length, (r) => lengthOfRow(rows[r]), cols) * cols);
  for (let r = 0; r < rows.length; r++) {
    const values = r === 0 ? first : featuresOf(rows[r], r + 1);
    if (values.length !== cols) throw countError(r + 1, values.length, cols, shape);
    for (let c = 0; c < cols; c++) {
      const v = values[c];
      // null is JSON's only spelling of a missing value (NaN cannot be written in JSON).
      if (typeof v === 'number') out[r * cols + c] = v;
      else if (v === null) out[r * cols + c] = NaN;
      else throw new PayloadError(`row ${r + 1} column ${c + 1}: ${show(JSON.stringify(v) ?? String(v))} is not a number`);
    }
  }
  return { data: out, rows: rows.length, cols };
}
