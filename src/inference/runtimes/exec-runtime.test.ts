import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../../protocol/errors.js';
import type { InvokeRequest, ModelRuntime } from '../types.js';
import { parseServeCommand, serverEnvironment } from './exec-process.js';
import { createRuntimeFactory } from './index.js';
import { loadContext, silentLog, tarGz } from './test-support.js';

/** A minimal SageMaker model server: reports its pid, the model file it was given and its environment. */
const SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.SM_MODEL_DIR;
http.createServer((req, res) => {
  if (req.url === '/ping') return res.end('healthy');
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({
      pid: process.pid,
      model: fs.readFileSync(path.join(dir, process.env.MODEL_FILE), 'utf8'),
      body: Buffer.concat(chunks).toString(),
      greeting: process.env.GREETING,
      leaked: process.env.VIGIL_TEST_SECRET ?? null,
    }));
  });
}).listen(Number(process.env.SAGEMAKER_BIND_TO_PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;

let work: string;
let script: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vigil-exec-test-'));
  script = join(work, 'server.cjs');
  await writeFile(script, SERVER);
});
afterAll(() => rm(work, { recursive: true, force: true }));

const factory = (allowExecModels: boolean) => createRuntimeFactory({
  log: silentLog, allowExecModels, allowModelServerUrls: true, workDir: work, startupTimeoutMs: 10_000, stopGraceMs: 2000,
  restartBackoffMs: { initial: 50, max: 200 },
});
const spec = (url: string, file: string) => ({
  Image: 'vigil/exec',
  ModelDataUrl: url,
  Environment: { VIGIL_SERVE_COMMAND: JSON.stringify([process.execPath, script]), GREETING: 'hello', MODEL_FILE: file },
});
const req: InvokeRequest = { body: Buffer.from('ping?'), contentType: 'text/plain' };

interface Answer { pid: number; model: string; body: string; greeting: string; leaked: string | null }
const call = async (rt: ModelRuntime): Promise<Answer> => JSON.parse((await rt.invoke(req)).body.toString()) as Answer;
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('vigil/exec', () => {
  it('is refused unless exec models are allowed', async () => {
    await expect(factory(false).load([spec('s3://m/model.tar.gz', 'x')], loadContext({})))
      .rejects.toThrow(/disabled on this server/);
  });

  it('unpacks the model, starts the server, restarts it after a crash (429 meanwhile) and stops it on close', async () => {
    process.env.VIGIL_TEST_SECRET = 'must-not-leak';
    const url = 's3://m/model.tar.gz';
    const rt = await factory(true).load([spec(url, 'weights.txt')], loadContext({ [url]: await tarGz({ 'weights.txt': 'w=42' }) }));
    delete process.env.VIGIL_TEST_SECRET;
    expect(rt.kind).toBe('container');
    const first = await call(rt);
    expect(first).toMatchObject({ model: 'w=42', body: 'ping?', greeting: 'hello', leaked: null });
    expect((await readdir(work)).filter((n) => n.startsWith('model-'))).toHaveLength(1);

    process.kill(first.pid, 'SIGKILL');
    const notReady = await until('ModelNotReadyException', async () => {
      const err = await rt.invoke(req).then(() => undefined, (e: unknown) => e);
      return err instanceof ServiceError && err.code === 'ModelNotReadyException' ? err : undefined;
    });
    expect(notReady.httpStatus).toBe(429);
    const second = await until('the restarted server', () => call(rt).catch(() => undefined));
    expect(second.pid).not.toBe(first.pid);
    expect(second.model).toBe('w=42');

    await rt.close();
    expect(alive(second.pid)).toBe(false);
    expect((await readdir(work)).filter((n) => n.startsWith('model-'))).toHaveLength(0);
    const closed = await rt.invoke(req).then(() => undefined, (e: unknown) => e);
    expect((closed as ServiceError).code).toBe('ModelNotReadyException');
  });

  it('writes a single-file artifact under its URL\'s file name', async () => {
    const url = 's3://m/models/weights.bin';
    const rt = await factory(true).load([spec(url, 'weights.bin')], loadContext({ [url]: Buffer.from('raw') }));
    expect((await call(rt)).model).toBe('raw');
    await rt.close();
  });

  it('fails the load, cleaning up, when the server never becomes healthy', async () => {
    const bad = { Image: 'vigil/exec', Environment: { VIGIL_SERVE_COMMAND: `${process.execPath} -e process.exit(3)` } };
    await expect(factory(true).load([bad], loadContext({}, 'ep/V1')))
      .rejects.toThrow(/^The primary container for production variant V1 did not pass the ping health check\. .*exited \(code 3\)/);
    const missing = { Image: 'vigil/exec', Environment: { VIGIL_SERVE_COMMAND: '/no/such/binary serve' } };
    await expect(factory(true).load([missing], loadContext({}))).rejects.toThrow(/could not be started: spawn \/no\/such\/binary ENOENT/);
    await expect(factory(true).load([{ Image: 'vigil/exec' }], loadContext({}))).rejects.toThrow(/needs the Environment variable VIGIL_SERVE_COMMAND/);
    expect((await readdir(work)).filter((n) => n.startsWith('model-'))).toHaveLength(0);
  });
});

describe('exec plumbing', () => {
  it('parses the serve command as a JSON argv or whitespace-separated words', () => {
    expect(parseServeCommand('["python3", "serve.py", "--name", "a b"]')).toEqual(['python3', 'serve.py', '--name', 'a b']);
    expect(parseServeCommand('  python3   serve.py  ')).toEqual(['python3', 'serve.py']);
    expect(() => parseServeCommand('[1]')).toThrow(/non-empty JSON array of strings/);
    expect(() => parseServeCommand('[oops')).toThrow(/not a valid JSON array/);
  });

  it('gives the server its Environment, the port and the model dir, and none of Vigil\'s secrets', () => {
    const env = serverEnvironment({ A: '1' }, 8123, '/m');
    expect(env).toMatchObject({ A: '1', SAGEMAKER_BIND_TO_PORT: '8123', SM_MODEL_DIR: '/m' });
    expect(Object.keys(env).every((k) => ['A', 'SAGEMAKER_BIND_TO_PORT', 'SM_MODEL_DIR', 'PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'].includes(k))).toBe(true);
  });
});
