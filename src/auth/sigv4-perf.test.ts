/**
 * Hot-path cost of parse + verify for a small signed request. Prints µs per call; timing is
 * machine-dependent, so it is reported, not asserted (the budget is well under 50 µs).
 */
import { describe, it, expect } from 'vitest';
import type { HttpRequest } from '../protocol/types.js';
import { parseSigV4, verifySigV4 } from './sigv4.js';
import { credential } from './sigv4-test-helpers.js';
import { NOW, sdkRequest, SECRET, signed, TOKEN } from './sigv4-test-sdk.js';

function microsPerCall(req: HttpRequest, sessionToken?: string, iterations = 20_000): number {
  const cred = credential({ accessKeyId: parseSigV4(req)?.accessKeyId, secretAccessKey: SECRET, sessionToken });
  const opts = { now: NOW, skewSeconds: 300 };
  const run = () => {
    const carrier = parseSigV4(req);
    if (!carrier) throw new Error('no carrier');
    verifySigV4(req, carrier, cred, opts);
  };
  for (let i = 0; i < 2_000; i++) run(); // warm-up: JIT and the signing-key cache
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run();
  return Number(process.hrtime.bigint() - start) / 1000 / iterations;
}

describe('SigV4 verify performance', () => {
  it('measures parse + verify per request', async () => {
    const cases: Array<[string, HttpRequest, string?]> = [
      ['InvokeEndpoint, CLI style (body hashed by us)', await signed(sdkRequest())],
      ['InvokeEndpoint, SDK style (signed x-amz-content-sha256)', await signed(sdkRequest(), { applyChecksum: true })],
      ['with session token', await signed(sdkRequest(), { sessionToken: TOKEN }), TOKEN],
      ['GET with query', await signed(sdkRequest({ method: 'GET', body: undefined, query: { Action: 'ListUsers', Version: '2010-05-08' } }))],
    ];
    for (const [label, req, token] of cases) {
      const us = microsPerCall(req, token);
      console.log(`sigv4 parse+verify: ${us.toFixed(2)} µs/op  (${label})`);
      expect(Number.isFinite(us)).toBe(true);
    }
  });
});
