import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../../protocol/errors.js';
import type { InvokeRequest, ModelRuntime } from '../types.js';
import { createRuntimeFactory } from './index.js';
import {
  F, floats, loadContext, logregModel, logregRef, regressionModel, rowSumModel, silentLog, softmaxModel, softmaxRef, tarGz, W1,
} from './test-support.js';

const factory = createRuntimeFactory({ log: silentLog, allowExecModels: false, workDir: '/nonexistent' });
const URL_ = 's3://models/model.onnx';

async function load(model: Uint8Array | Buffer, url = URL_, image = 'vigil/onnx'): Promise<ModelRuntime> {
  return factory.load([{ Image: image, ModelDataUrl: url }], loadContext({ [url]: model }));
}

const rowsOf = (n: number, seed: number): number[][] => {
  const v = floats(n * F, seed);
  return Array.from({ length: n }, (_, r) => v.slice(r * F, r * F + F));
};
const csv = (rows: number[][]): string => rows.map((r) => r.join(',')).join('\n');
const req = (body: string, contentType: string, accept?: string): InvokeRequest => ({ body: Buffer.from(body), contentType, accept });

async function modelError(runtime: ModelRuntime, r: InvokeRequest): Promise<ServiceError> {
  const err = await runtime.invoke(r).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ServiceError);
  return err as ServiceError;
}

describe('vigil/onnx: logistic regression', () => {
  let rt: ModelRuntime;
  beforeAll(async () => {
    rt = await load(logregModel());
  });
  afterAll(() => rt.close());

  it('answers one CSV row with the probability as CSV, matching a JS reference', async () => {
    const [row] = rowsOf(1, 1);
    const res = await rt.invoke(req(csv([row]), 'text/csv'));
    expect(rt.kind).toBe('onnx');
    expect(res.contentType).toBe('text/csv');
    const lines = res.body.toString().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    expect(Math.abs(Number(lines[0]) - logregRef(row))).toBeLessThan(1e-6);
  });

  it('runs a batch of 500 rows in one call, one line per row in order', async () => {
    const rows = rowsOf(500, 2);
    const res = await rt.invoke(req(csv(rows) + '\n', 'text/csv; charset=utf-8'));
    const out = res.body.toString().trimEnd().split('\n').map(Number);
    expect(out).toHaveLength(500);
    out.forEach((p, i) => expect(Math.abs(p - logregRef(rows[i]))).toBeLessThan(1e-6));
  });

  it('reads every JSON form and answers JSON scores', async () => {
    const rows = rowsOf(3, 3);
    const bodies = [
      { instances: rows }, { instances: rows.map((features) => ({ features })) }, { inputs: rows }, rows,
    ];
    for (const body of bodies) {
      const res = await rt.invoke(req(JSON.stringify(body), 'application/json'));
      expect(res.contentType).toBe('application/json');
      const doc = JSON.parse(res.body.toString()) as { predictions: { score: number }[] };
      expect(doc.predictions).toHaveLength(3);
      doc.predictions.forEach((p, i) => {
        expect(Object.keys(p)).toEqual(['score']);
        expect(Math.abs(p.score - logregRef(rows[i]))).toBeLessThan(1e-6);
      });
    }
    const single = await rt.invoke(req(JSON.stringify(rows[0]), 'application/json'));
    expect(JSON.parse(single.body.toString()).predictions).toHaveLength(1);
  });

  it('answers in the format Accept asks for', async () => {
    const [row] = rowsOf(1, 4);
    const p = logregRef(row);
    const asJson = await rt.invoke(req(csv([row]), 'text/csv', 'application/json'));
    expect(asJson.contentType).toBe('application/json');
    expect(Math.abs(JSON.parse(asJson.body.toString()).predictions[0].score - p)).toBeLessThan(1e-6);
    const asCsv = await rt.invoke(req(JSON.stringify([row]), 'application/json', 'text/csv;q=0.9, application/json'));
    expect(asCsv.contentType).toBe('text/csv');
    for (const accept of ['*/*', '', undefined]) {
      expect((await rt.invoke(req(JSON.stringify([row]), 'application/json', accept))).contentType).toBe('application/json');
    }
    expect((await rt.invoke(req(csv([row]), 'text/csv', 'image/png, text/*'))).contentType).toBe('text/csv');
  });

  it('answers bad payloads as a container would: ModelError 424 carrying the 4xx and a clear message', async () => {
    const cases: [InvokeRequest, number, string][] = [
      [req('1,2,3', 'text/csv'), 400, 'row 1 has 3 features; the model expects 4'],
      [req('1,2,3,4\n1,2,3,4\n1,2,3,4,5,6,7', 'text/csv'), 400, 'row 3 has 7 features; the model expects 4'],
      [req('1,abc,3,4', 'text/csv'), 400, "row 1 column 2: 'abc' is not a number"],
      [req('', 'text/csv'), 400, 'the request body is empty'],
      [req('', 'application/json'), 400, 'the request body is empty'],
      [req('{"instances": [[1,2', 'application/json'), 400, 'the request body is not valid JSON'],
      [req('1,2,3,4', 'application/x-protobuf'), 415, "content type 'application/x-protobuf' is not supported"],
      [req('1,2,3,4', 'text/csv', 'application/x-protobuf'), 406, "Accept 'application/x-protobuf' is not supported"],
    ];
    for (const [r, status, text] of cases) {
      const err = await modelError(rt, r);
      expect(err.code).toBe('ModelError');
      expect(err.httpStatus).toBe(424);
      expect(err.extra.OriginalStatusCode).toBe(status);
      expect(err.extra.OriginalMessage).toContain(text);
      expect(err.message).toMatch(new RegExp(`^Received client error \\(${status}\\) from primary with message "`));
    }
  });

  it('accepts a tagged image name', async () => {
    const tagged = await load(logregModel(), URL_, 'vigil/onnx:1.30');
    const out = (await tagged.invoke(req('0,0,0,0', 'text/csv'))).body.toString();
    expect(Math.abs(Number(out) - logregRef([0, 0, 0, 0]))).toBeLessThan(1e-6);
    await tagged.close();
  });
});

describe('vigil/onnx: classifiers and regressors', () => {
  it('formats a softmax classifier: argmax label, probabilities, CSV lists them', async () => {
    const rt = await load(softmaxModel());
    const rows = rowsOf(20, 5);
    const json = JSON.parse((await rt.invoke(req(JSON.stringify({ instances: rows }), 'application/json'))).body.toString()) as
      { predictions: { score: number; label: number; probabilities: number[] }[] };
    json.predictions.forEach((p, i) => {
      const ref = softmaxRef(rows[i]);
      const best = ref.indexOf(Math.max(...ref));
      expect(p.label).toBe(best);
      expect(Math.abs(p.score - ref[best])).toBeLessThan(1e-6);
      p.probabilities.forEach((v, k) => expect(Math.abs(v - ref[k])).toBeLessThan(1e-6));
    });
    const lines = (await rt.invoke(req(csv(rows), 'text/csv'))).body.toString().trimEnd().split('\n');
    lines.forEach((line, i) => {
      const ref = softmaxRef(rows[i]);
      line.split(',').map(Number).forEach((v, k) => expect(Math.abs(v - ref[k])).toBeLessThan(1e-6));
    });
    await rt.close();
  });

  it('uses the model\'s own label tensor (int64 or string), whatever its position among the outputs', async () => {
    const rows = rowsOf(10, 6);
    for (const kind of ['int64', 'string'] as const) {
      const rt = await load(softmaxModel(kind));
      const doc = JSON.parse((await rt.invoke(req(JSON.stringify(rows), 'application/json'))).body.toString());
      doc.predictions.forEach((p: { label: unknown }, i: number) => {
        const ref = softmaxRef(rows[i]);
        const best = ref.indexOf(Math.max(...ref));
        expect(p.label).toBe(kind === 'string' ? String(best) : best);
      });
      await rt.close();
    }
  });

  it('reports a binary classifier as P(positive) in CSV and score + label + probabilities in JSON', async () => {
    const rt = await load(softmaxModel('int64', 2));
    const rows = rowsOf(5, 7);
    const doc = JSON.parse((await rt.invoke(req(JSON.stringify(rows), 'application/json'))).body.toString());
    const lines = (await rt.invoke(req(csv(rows), 'text/csv'))).body.toString().trimEnd().split('\n').map(Number);
    doc.predictions.forEach((p: { score: number; label: number; probabilities: number[] }, i: number) => {
      expect(p.score).toBe(p.probabilities[1]);
      expect(p.label).toBe(p.probabilities[1] > p.probabilities[0] ? 1 : 0);
      expect(lines[i]).toBe(p.probabilities[1]);
    });
    await rt.close();
  });

  it('formats a 1-D regression output as plain values', async () => {
    const rt = await load(regressionModel());
    const rows = rowsOf(4, 8);
    const out = (await rt.invoke(req(csv(rows), 'text/csv'))).body.toString().trimEnd().split('\n').map(Number);
    out.forEach((v, i) => expect(Math.abs(v - rows[i].reduce((a, x, c) => a + x * W1[c], 0))).toBeLessThan(1e-5));
    await rt.close();
  });

  it('takes the feature count from the request when the model leaves it symbolic', async () => {
    const rt = await load(rowSumModel());
    expect((await rt.invoke(req('1,2\n3,4', 'text/csv'))).body.toString()).toBe('3\n7\n');
    expect((await rt.invoke(req('[1,2,3,4,5]', 'application/json'))).body.toString()).toBe('{"predictions":[{"score":15}]}');
    const err = await modelError(rt, req('1,2\n3', 'text/csv'));
    expect(err.extra.OriginalMessage).toBe('row 2 has 1 feature; row 1 has 2');
    await rt.close();
  });
});

describe('vigil/onnx: artifacts and load failures', () => {
  it('loads model.onnx from a model.tar.gz, preferring it over other .onnx files', async () => {
    const gz = await tarGz({ 'code/readme.txt': 'hi', 'other.onnx': regressionModel(), 'model.onnx': logregModel() });
    const rt = await load(gz, 's3://models/model.tar.gz');
    const out = Number((await rt.invoke(req('0,0,0,0', 'text/csv'))).body.toString());
    expect(Math.abs(out - logregRef([0, 0, 0, 0]))).toBeLessThan(1e-6);
    await rt.close();
    const only = await load(await tarGz({ './sub/clf.onnx': logregModel() }), 's3://m/model.tar.gz');
    await only.close();
  });

  it('fails with a FailureReason for archives without one clear model, corrupt models and unusable ones', async () => {
    const expectLoadError = async (model: Uint8Array | Buffer, pattern: RegExp): Promise<void> => {
      await expect(load(model)).rejects.toThrow(pattern);
    };
    await expectLoadError(await tarGz({ 'a.txt': 'x' }), /contains no \.onnx file \(it holds: a\.txt\)/);
    await expectLoadError(await tarGz({ 'a.onnx': logregModel(), 'b.onnx': logregModel() }), /several \.onnx files \(a\.onnx, b\.onnx\)/);
    await expectLoadError(Buffer.from('this is not a model'), /^The ONNX model at s3:\/\/models\/model\.onnx could not be loaded: /);
    await expectLoadError(Buffer.from([0x1f, 0x8b, 1, 2, 3]), /gzip-compressed but cannot be decompressed/);
    await expect(factory.load([{ Image: 'vigil/onnx', ModelDataUrl: 's3://missing/model.onnx' }], loadContext({})))
      .rejects.toThrow(/^Could not read the model artifact s3:\/\/missing\/model\.onnx: NoSuchKey/);
    await expect(factory.load([{ Image: 'vigil/onnx' }], loadContext({}))).rejects.toThrow(/needs a ModelDataUrl/);
    await expect(factory.load([{ Image: 'some/image:1' }], loadContext({}))).rejects.toThrow(/is not supported/);
  });
});
