import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../../protocol/errors.js';
import type { InvokeRequest, ModelRuntime } from '../types.js';
import { createRuntimeFactory } from './index.js';
import { loadContext, logregModel, logregRef, silentLog } from './test-support.js';

/** A SageMaker-style model server whose behaviour each test picks with the request's custom attributes. */
interface Seen { headers: http.IncomingHttpHeaders; body: string }
let seen: Seen[] = [];
let pingStatus = 200;
let server: http.Server;
let base = '';

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method === 'GET' && req.url === '/ping') {
    res.statusCode = pingStatus;
    res.end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    seen.push({ headers: req.headers, body });
    const mode = String(req.headers['x-amzn-sagemaker-custom-attributes'] ?? '');
    if (mode === 'status=400') {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad input: expected 4 columns');
    } else if (mode === 'status=500') {
      res.writeHead(500).end('x'.repeat(10_000));
    } else if (mode === 'hang') {
      // never answers; the client's timeout must fire
    } else if (mode === 'reset') {
      req.socket.destroy();
    } else if (mode === 'to-csv') {
      // A preprocessing container: JSON rows in, CSV out.
      res.writeHead(200, { 'content-type': 'text/csv' }).end((JSON.parse(body) as number[][]).map((r) => r.join(',')).join('\n'));
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-sagemaker-custom-attributes': 'trace=1' })
        .end(JSON.stringify({ echo: body }));
    }
  });
}

const factory = (extra: object = {}) => createRuntimeFactory({
  // Generous by default: a loaded CI machine must not turn a normal call into a timeout; the timeout test sets its own.
  log: silentLog, allowExecModels: false, allowModelServerUrls: true, workDir: '/nonexistent', invocationTimeoutMs: 10_000, pingTimeoutMs: 500, ...extra,
});
const req = (body: string, customAttributes?: string, extra: Partial<InvokeRequest> = {}): InvokeRequest =>
  ({ body: Buffer.from(body), contentType: 'application/json', customAttributes, ...extra });

async function failure(rt: ModelRuntime, r: InvokeRequest): Promise<ServiceError> {
  const err = await rt.invoke(r).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ServiceError);
  return err as ServiceError;
}

beforeAll(async () => {
  server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => {
  server.closeAllConnections();
  server.close(() => r());
}));

describe('container runtime (http image)', () => {
  it('is refused unless the server allows model server URLs (SSRF)', async () => {
    await expect(factory({ allowModelServerUrls: false }).load([{ Image: base }], loadContext({})))
      .rejects.toThrow(/--allow-model-server-urls/);
  });

  it('proxies /invocations, forwarding and returning the SageMaker headers', async () => {
    const rt = await factory().load([{ Image: base }], loadContext({}));
    expect(rt.kind).toBe('container');
    seen = [];
    const res = await rt.invoke(req('{"a":1}', 'mode=echo', { accept: 'application/json', inferenceId: 'inf-1' }));
    expect(JSON.parse(res.body.toString())).toEqual({ echo: '{"a":1}' });
    expect(res.contentType).toBe('application/json');
    expect(res.customAttributes).toBe('trace=1');
    const h = seen[0].headers;
    expect(h['content-type']).toBe('application/json');
    expect(h.accept).toBe('application/json');
    expect(h['x-amzn-sagemaker-custom-attributes']).toBe('mode=echo');
    expect(h['x-amzn-sagemaker-inference-id']).toBe('inf-1');
    // keep-alive: a burst of requests shares pooled sockets
    await Promise.all(Array.from({ length: 20 }, () => rt.invoke(req('{}'))));
    await rt.close();
  });

  it('maps 4xx and 5xx answers to ModelError with the original status and message', async () => {
    const rt = await factory().load([{ Image: `${base}/` }], loadContext({}));
    const client = await failure(rt, req('{}', 'status=400'));
    expect(client.code).toBe('ModelError');
    expect(client.httpStatus).toBe(424);
    expect(client.extra).toMatchObject({ OriginalStatusCode: 400, OriginalMessage: 'bad input: expected 4 columns' });
    expect(client.message).toBe('Received client error (400) from primary with message "bad input: expected 4 columns".');
    const serverErr = await failure(rt, req('{}', 'status=500'));
    expect(serverErr.extra.OriginalStatusCode).toBe(500);
    expect(serverErr.message).toMatch(/^Received server error \(500\) from primary with message "x+… \(truncated\)"\.$/);
    expect((serverErr.extra.OriginalMessage as string).length).toBeLessThan(2100);
    await rt.close();
  });

  it('maps a timeout to ModelError (status 0) and a reset connection to ServiceUnavailable', async () => {
    const rt = await factory({ invocationTimeoutMs: 300 }).load([{ Image: base }], loadContext({}));
    const timeout = await failure(rt, req('{}', 'hang'));
    expect(timeout.code).toBe('ModelError');
    expect(timeout.extra.OriginalStatusCode).toBe(0);
    expect(timeout.message).toMatch(/timed out while waiting for a response from container primary/);
    const reset = await failure(rt, req('{}', 'reset'));
    expect(reset.code).toBe('ServiceUnavailable');
    expect(reset.httpStatus).toBe(503);
    expect(reset.message).toMatch(/^The service is unavailable\./);
    await rt.close();
  });

  it('answers ServiceUnavailable when the server has gone away', async () => {
    const other = http.createServer(handler);
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    const rt = await factory().load([{ Image: url }], loadContext({}));
    await rt.invoke(req('{}'));
    other.closeAllConnections();
    await new Promise<void>((r) => other.close(() => r()));
    const err = await failure(rt, req('{}'));
    expect(err.code).toBe('ServiceUnavailable');
    expect(err.message).toMatch(/ECONNREFUSED/);
    await rt.close();
  });

  it('fails to load when /ping does not answer 200, in AWS\'s words', async () => {
    pingStatus = 503;
    try {
      await expect(factory().load([{ Image: base }], loadContext({}, 'fraud/Canary')))
        .rejects.toThrow(/^The primary container for production variant Canary did not pass the ping health check\. .*GET \/ping answered 503/);
    } finally {
      pingStatus = 200;
    }
    await expect(factory().load([{ Image: 'http://127.0.0.1:1' }], loadContext({})))
      .rejects.toThrow(/did not pass the ping health check\..*ECONNREFUSED/);
  });
});

describe('inference pipeline', () => {
  it('runs containers in order, each output the next input, Accept only to the last', async () => {
    const url = 's3://m/model.onnx';
    const rt = await factory().load([
      { Image: base },
      { Image: 'vigil/onnx', ModelDataUrl: url },
    ], loadContext({ [url]: logregModel() }));
    expect(rt.kind).toBe('pipeline');
    seen = [];
    const rows = [[0.5, -1, 2, 0], [1, 1, 1, 1]];
    const res = await rt.invoke(req(JSON.stringify(rows), 'to-csv', { accept: 'application/json', inferenceId: 'p-1' }));
    expect(seen[0].headers.accept).toBeUndefined();
    expect(seen[0].headers['x-amzn-sagemaker-inference-id']).toBe('p-1');
    expect(res.contentType).toBe('application/json');
    const preds = JSON.parse(res.body.toString()).predictions as { score: number }[];
    preds.forEach((p, i) => expect(Math.abs(p.score - logregRef(rows[i]))).toBeLessThan(1e-6));
    // An error in a later stage names that container.
    const err = await failure(rt, req('[[1,2]]', 'to-csv'));
    expect(err.message).toMatch(/^Received client error \(400\) from container-2 with message "row 1 has 2 features; the model expects 4"/);
    await rt.close();
  });

  it('closes the stages already loaded when a later one fails, naming the failing container', async () => {
    await expect(factory().load([{ Image: base }, { Image: 'vigil/onnx' }], loadContext({})))
      .rejects.toThrow(/^Container 2 of the inference pipeline: The vigil\/onnx image needs a ModelDataUrl/);
  });
});
