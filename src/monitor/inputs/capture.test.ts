import { describe, expect, it } from 'vitest';
import { readCaptureBatches } from './capture.js';
import { readJsonLinesBatches } from './jsonl.js';
import { emptyStats, type Row } from './types.js';

function record(input: object | undefined, output?: object, meta: object = {}): string {
  return JSON.stringify({ captureData: { ...(input ? { endpointInput: input } : {}), ...(output ? { endpointOutput: output } : {}) }, eventMetadata: { eventId: 'e', inferenceTime: '2024-01-01T00:00:00Z', ...meta }, eventVersion: '0' });
}
const csvIn = (data: string) => ({ observedContentType: 'text/csv', mode: 'INPUT', data, encoding: 'CSV' });
const csvOut = (data: string) => ({ observedContentType: 'text/csv', mode: 'OUTPUT', data, encoding: 'CSV' });
const jsonIn = (v: unknown) => ({ observedContentType: 'application/json', mode: 'INPUT', data: JSON.stringify(v), encoding: 'JSON' });
const jsonOut = (v: unknown) => ({ observedContentType: 'application/json', mode: 'OUTPUT', data: JSON.stringify(v), encoding: 'JSON' });
const b64 = (type: string, text: string) => ({ observedContentType: type, mode: 'INPUT', data: Buffer.from(text).toString('base64'), encoding: 'BASE64' });

async function collect(gen: AsyncGenerator<Row[]>): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of gen) out.push(...b);
  return out;
}
async function* src(lines: string[]): AsyncGenerator<string> {
  yield lines.join('\n') + '\n';
}

describe('capture reader', () => {
  it('decodes CSV inputs into _c columns, one row per CSV line', async () => {
    const rows = await collect(readCaptureBatches(src([record(csvIn('1,2,3\n')), record(csvIn('4,5,6\n7,8,9'))])));
    expect(rows).toEqual([
      { _c0: '1', _c1: '2', _c2: '3' },
      { _c0: '4', _c1: '5', _c2: '6' },
      { _c0: '7', _c1: '8', _c2: '9' },
    ]);
  });

  it('adds the output at the end or the start when asked', async () => {
    const line = record(csvIn('1,2'), csvOut('0.9'));
    expect(await collect(readCaptureBatches(src([line]), { output: 'end' }))).toEqual([{ _c0: '1', _c1: '2', _c2: '0.9' }]);
    expect(await collect(readCaptureBatches(src([line]), { output: 'start' }))).toEqual([{ _c0: '0.9', _c1: '1', _c2: '2' }]);
    expect(await collect(readCaptureBatches(src([line])))).toEqual([{ _c0: '1', _c1: '2' }]);
  });

  it('pairs a batch request with its per-row outputs', async () => {
    const rows = await collect(readCaptureBatches(src([record(csvIn('1\n2'), csvOut('0.1,0.2'))]), { output: 'end' }));
    expect(rows).toEqual([
      { _c0: '1', _c1: '0.1' },
      { _c0: '2', _c1: '0.2' },
    ]);
  });

  it('decodes JSON inputs: objects by key, instances one row each', async () => {
    const rows = await collect(
      readCaptureBatches(src([record(jsonIn({ age: 40, city: { name: 'Oslo' } }), jsonOut({ score: 0.3 })), record(jsonIn({ instances: [1.0, 2.0] }), jsonOut({ predictions: [3.5, 4] }))]), {
        output: 'end',
      }),
    );
    expect(rows).toEqual([
      { age: 40, 'city.name': 'Oslo', 'prediction.score': 0.3 },
      { _c0: 1, _c1: 3.5 },
      { _c0: 2, _c1: 4 },
    ]);
  });

  it('decodes BASE64 bodies by their content type and skips undecodable ones', async () => {
    const stats = emptyStats();
    const rows = await collect(
      readCaptureBatches(src([record(b64('text/csv; charset=utf-8', '5,6')), record(b64('application/json', '{"a":1}')), record(b64('application/x-npy', '\x93NUMPY'))]), { stats }),
    );
    expect(rows).toEqual([{ _c0: '5', _c1: '6' }, { a: 1 }]);
    expect(stats.malformed).toBe(1);
    expect(stats.samples[0]).toMatch(/input:3: BASE64 payload of content type 'application\/x-npy'/);
  });

  it('skips shadow traffic, malformed lines and records without input', async () => {
    const stats = emptyStats();
    const rows = await collect(readCaptureBatches(src([record(csvIn('1')), record(csvIn('2'), undefined, { invocationSource: 'ShadowExperiment' }), '{"truncated', record(undefined, csvOut('1'))]), { stats }));
    expect(rows).toEqual([{ _c0: '1' }]);
    expect(stats).toMatchObject({ rows: 1, skipped: 1, malformed: 2 });
  });

  it('runs the preprocessor per record: map, split into several rows, or drop', async () => {
    const stats = emptyStats();
    const seen: object[] = [];
    const preprocess = (r: object) => {
      seen.push(r);
      const data = (r as { captureData: { endpointInput: { data: string } } }).captureData.endpointInput.data;
      if (data === 'drop') return null;
      if (data === 'none') return [];
      if (data === 'two') return [{ x: 1 }, { x: 2 }];
      return { x: Number(data) * 10, nested: { y: true } };
    };
    const shadow = record(csvIn('9'), undefined, { invocationSource: 'ShadowExperiment' });
    const rows = await collect(readCaptureBatches(src([record(csvIn('1')), record(csvIn('drop')), record(csvIn('none')), record(csvIn('two')), shadow]), { preprocess, stats }));
    expect(rows).toEqual([{ x: 10, 'nested.y': true }, { x: 1 }, { x: 2 }]);
    expect(stats.skipped).toBe(3);
    expect(seen).toHaveLength(4); // never called for shadow traffic
  });

  it('accepts an async preprocessor and rejects a bad return value', async () => {
    const ok = await collect(readCaptureBatches(src([record(csvIn('1'))]), { preprocess: async () => ({ a: 1 }) }));
    expect(ok).toEqual([{ a: 1 }]);
    await expect(collect(readCaptureBatches(src([record(csvIn('1'))]), { preprocess: () => 42 as unknown as object }))).rejects.toThrow(/preprocess_handler must return/);
  });
});

describe('JSON lines reader', () => {
  it('flattens nested objects and arrays, keeps JSON types, skips malformed lines', async () => {
    const stats = emptyStats();
    const rows = await collect(readJsonLinesBatches(src(['{"a":1,"b":{"c":"x"},"v":[1,2],"n":null}', '', '[1,2]', 'nope', '{"a":2,"flag":true}']), { stats }));
    expect(rows).toEqual([
      { a: 1, 'b.c': 'x', 'v.0': 1, 'v.1': 2, n: null },
      { a: 2, flag: true },
    ]);
    expect(stats).toMatchObject({ rows: 2, malformed: 2 });
  });
});
