import { describe, expect, it } from 'vitest';
import { parseCsv, parseJson, PayloadError, type InputShape } from './onnx-input.js';

const fixed: InputShape = { features: 3, float64: false };
const open: InputShape = { features: undefined, float64: false };
const b = (s: string): Buffer => Buffer.from(s);

function payloadError(fn: () => unknown): PayloadError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PayloadError) return err;
    throw err;
  }
  throw new Error('expected a PayloadError');
}

/** Bytes of the array behind a batch (a subarray keeps its whole buffer alive). */
const allocated = (data: Float32Array | Float64Array): number => data.buffer.byteLength;

describe('parseCsv', () => {
  it('sizes the batch from the rows in the body, not its newline count', () => {
    const wide: InputShape = { features: 30, float64: false };
    const row = Array.from({ length: 30 }, (_, i) => String(i)).join(',');
    // One row and a million blank lines: once 1M × 30 floats (120 MB) before any row was parsed.
    const blankTail = `${row}\n${'\n'.repeat(1_000_000)}`;
    const before = process.memoryUsage().arrayBuffers;
    const batch = parseCsv(b(blankTail), wide);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
    expect(batch.rows).toBe(1);
    expect(Array.from(batch.data)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(allocated(batch.data)).toBe(30 * 4);
    // Blank lines between rows, with CRs and spaces, and F from the first row.
    const spaced = parseCsv(b(`${row}\r\n${' \r\n'.repeat(100_000)}${row}\n\n`), { features: undefined, float64: true });
    expect(spaced.rows).toBe(2);
    expect(allocated(spaced.data)).toBe(2 * 30 * 8);
    // Short non-blank lines cannot all be rows: at most (length + 1) / (2 × F) rows are allocated, and the body fails.
    const short = `${row}\n${'1\n'.repeat(500_000)}`;
    expect(payloadError(() => parseCsv(b(short), wide)).message).toBe('row 2 has 1 feature; the model expects 30');
    // A first row with an empty field (capacity rounds to 0 rows) still gets its own message.
    expect(payloadError(() => parseCsv(b('1,,3'), fixed)).message).toBe('row 1 column 2 is empty');
    expect(payloadError(() => parseCsv(b('1,2,3\n1,2'), fixed)).message).toBe('row 2 has 2 features; the model expects 3');
  });

  it('sizes quoted CSV and JSON batches from the rows that can be written', () => {
    const wide: InputShape = { features: 30, float64: true };
    const row = Array.from({ length: 30 }, (_, i) => i);
    expect(payloadError(() => parseCsv(b(`"${row.join('","')}"\n${'"1"\n'.repeat(20_000)}`), wide)).message)
      .toBe('row 2 has 1 feature; the model expects 30');
    // Once 100k × 30 float64s (24 MB).
    const json = `[${JSON.stringify(row)}${',[]'.repeat(100_000)}]`;
    const before = process.memoryUsage().arrayBuffers;
    expect(payloadError(() => parseJson(b(json), wide)).message).toBe('row 2 has 0 features; the model expects 30');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 1024 * 1024);
    const ok = parseJson(b(JSON.stringify({ instances: [row, { features: row }] })), wide);
    expect(ok.rows).toBe(2);
    expect(allocated(ok.data)).toBe(2 * 30 * 8);
    expect(allocated(parseCsv(b(`"${row.join('","')}"\n"${row.join('","')}"`), wide).data)).toBe(2 * 30 * 8);
  });

  it('reads one row into a float32 batch', () => {
    const batch = parseCsv(b('1,2.5,-3e2'), fixed);
    expect(batch.rows).toBe(1);
    expect(batch.cols).toBe(3);
    expect(batch.data).toBeInstanceOf(Float32Array);
    expect(Array.from(batch.data)).toEqual([1, 2.5, -300]);
  });

  it('reads many rows, skipping blank lines, CRLF, spaces, a BOM and a trailing newline', () => {
    const batch = parseCsv(b('\uFEFF1,2,3\r\n\r\n 4 , 5,6\n7,8,9\n'), fixed);
    expect(batch.rows).toBe(3);
    expect(batch.data.length).toBe(9);
    expect(Array.from(batch.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('takes F from the first row when the model leaves it open, and writes float64 when asked', () => {
    const batch = parseCsv(b('1,2\n3,4'), { features: undefined, float64: true });
    expect(batch.cols).toBe(2);
    expect(batch.data).toBeInstanceOf(Float64Array);
    expect(payloadError(() => parseCsv(b('1,2\n3'), open)).message).toBe('row 2 has 1 feature; row 1 has 2');
  });

  it('reads quoted fields through csv-parse', () => {
    expect(Array.from(parseCsv(b('"1","2",3\n"4",5,"6"'), fixed).data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(payloadError(() => parseCsv(b('"1,2,3'), fixed)).message).toMatch(/^the CSV body cannot be parsed/);
    expect(payloadError(() => parseCsv(b('"1","x",3'), fixed)).message).toBe("row 1 column 2: 'x' is not a number");
  });

  it('accepts nan as an explicit missing value', () => {
    expect(Number.isNaN(parseCsv(b('1,NaN,3'), fixed).data[1])).toBe(true);
  });

  it('explains every bad payload', () => {
    expect(payloadError(() => parseCsv(b(''), fixed)).message).toBe('the request body is empty');
    expect(payloadError(() => parseCsv(b('\n \n'), fixed)).message).toBe('the request body has no rows');
    expect(payloadError(() => parseCsv(b('1,2,3\n1,2,3\n1,2'), fixed)).message).toBe('row 3 has 2 features; the model expects 3');
    expect(payloadError(() => parseCsv(b('1,2,3,4'), fixed)).message).toBe('row 1 has 4 features; the model expects 3');
    expect(payloadError(() => parseCsv(b('1,abc,3'), fixed)).message).toBe("row 1 column 2: 'abc' is not a number");
    expect(payloadError(() => parseCsv(b('1,,3'), fixed)).message).toBe('row 1 column 2 is empty');
  });
});

describe('parseJson', () => {
  const rows = [[1, 2, 3], [4, 5, 6]];
  const forms: [string, unknown][] = [
    ['instances of rows', { instances: rows }],
    ['instances of features objects', { instances: rows.map((features) => ({ features })) }],
    ['inputs', { inputs: rows }],
    ['a bare list of rows', rows],
  ];
  for (const [name, doc] of forms) {
    it(`reads ${name}`, () => {
      const batch = parseJson(b(JSON.stringify(doc)), fixed);
      expect(batch.rows).toBe(2);
      expect(Array.from(batch.data)).toEqual([1, 2, 3, 4, 5, 6]);
    });
  }

  it('reads a single row, bare or under inputs; null is a missing value', () => {
    expect(Array.from(parseJson(b('[1,2,3]'), fixed).data)).toEqual([1, 2, 3]);
    expect(Array.from(parseJson(b('{"inputs":[1,2,3]}'), fixed).data)).toEqual([1, 2, 3]);
    expect(Number.isNaN(parseJson(b('[1,null,3]'), fixed).data[1])).toBe(true);
  });

  it('explains every bad payload', () => {
    expect(payloadError(() => parseJson(b(''), fixed)).message).toBe('the request body is empty');
    expect(payloadError(() => parseJson(b('{"instances": [1, 2'), fixed)).message).toMatch(/^the request body is not valid JSON: /);
    expect(payloadError(() => parseJson(b('{"rows": []}'), fixed)).message).toMatch(/^the JSON body has an unsupported form; expected/);
    expect(payloadError(() => parseJson(b('"hello"'), fixed)).message).toMatch(/unsupported form/);
    expect(payloadError(() => parseJson(b('{"instances": {}}'), fixed)).message).toMatch(/"instances" must be a list/);
    expect(payloadError(() => parseJson(b('[]'), fixed)).message).toBe('the request has no rows');
    expect(payloadError(() => parseJson(b('[[1,2,3],[1,2]]'), fixed)).message).toBe('row 2 has 2 features; the model expects 3');
    expect(payloadError(() => parseJson(b('[[1,2,3],[1,"abc",3]]'), fixed)).message).toBe('row 2 column 2: "abc" is not a number');
    expect(payloadError(() => parseJson(b('{"instances":[[1,2,3], 7]}'), fixed)).message)
      .toBe('row 2 is not a list of numbers or a {"features": […]} object');
  });
});
