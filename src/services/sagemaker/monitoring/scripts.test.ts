import { afterEach, describe, expect, it } from 'vitest';
import { ScriptError, ScriptRunner } from './scripts.js';

const LIMITS = { timeoutMs: 2_000, maxHeapMb: 64 };
const runners: ScriptRunner[] = [];
const runner = (source: string, handler = 'preprocess_handler'): ScriptRunner => {
  const r = new ScriptRunner('record_preprocessor_script', source, handler, LIMITS);
  runners.push(r);
  return r;
};

describe('user scripts', () => {
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.close()));
  });

  it('have no binary buffers: typed arrays, ArrayBuffer, WebAssembly and friends throw a clear error', async () => {
    const r = runner('function preprocess_handler(name) { return typeof globalThis[name] === "undefined" ? "absent" : "present"; }');
    for (const name of ['ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Uint8Array', 'Float64Array', 'BigInt64Array', 'Atomics', 'WebAssembly', 'Buffer']) {
      await expect(r.call([name])).rejects.toThrow(new RegExp(`${name} is not available to monitoring scripts`));
    }
    const big = runner('function preprocess_handler() { var a = new Uint8Array(1e8); return a.length; }');
    await expect(big.call([{}])).rejects.toThrow(/record_preprocessor_script failed: Uint8Array is not available to monitoring scripts/);
    const ok = runner('function preprocess_handler(r) { return { n: [1, 2, 3].map(function (x) { return x * r.k; }), s: JSON.stringify(r) }; }');
    await expect(ok.call([{ k: 2 }])).resolves.toEqual({ n: [2, 4, 6], s: '{"k":2}' });
  });

  it('rejects a result over the cap (1 MiB for a preprocessor, 16 MiB for a post-processor)', async () => {
    const src = 'function preprocess_handler(n) { return { s: "x".repeat(n) }; } function postprocess_handler(n) { return { s: "x".repeat(n) }; }';
    const pre = runner(src);
    await expect(pre.call([1024])).resolves.toEqual({ s: 'x'.repeat(1024) });
    const err = await pre.call([1024 * 1024]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScriptError);
    expect((err as Error).message).toMatch(/record_preprocessor_script failed: the handler returned \d+ bytes of JSON, over the limit of 1048576 bytes/);
    const post = runner(src, 'postprocess_handler');
    await expect(post.call([2 * 1024 * 1024])).resolves.toMatchObject({ s: expect.any(String) });
  });

  it('caps logs at 100 lines of 1 KiB per call, even if the script writes __logs itself', async () => {
    const r = runner('function preprocess_handler(n, logger) { for (var i = 0; i < n; i++) logger.info("x".repeat(5000)); '
      + 'for (var j = 0; j < 1000; j++) __logs.push("y".repeat(5000)); return 1; }');
    await r.call([500]);
    expect(r.logs).toHaveLength(100);
    expect(r.logs.every((l) => l.length <= 1024)).toBe(true);
  });
});
