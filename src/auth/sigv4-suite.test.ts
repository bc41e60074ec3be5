/**
 * The official aws-c-auth SigV4 vectors (shared/specs/sigv4-test-suite), verified server side:
 * our canonical request, string to sign and signature must match byte for byte, the signed
 * requests must verify, and a one-character change to the signature must not.
 */
import { describe, it, expect } from 'vitest';
import { createHmac } from 'node:crypto';
import type { HttpRequest } from '../protocol/types.js';
import { SigV4Error } from './types.js';
import { canonicalRequest, parseSigV4, signingKey, stringToSign, verifySigV4 } from './sigv4.js';
import { sha256Hex } from './sigv4-canonical.js';
import { credential, parseRawRequest, readCaseFile, readContext, suiteCases, type SuiteContext } from './sigv4-test-helpers.js';

const cases = suiteCases();
// The seven `*-unnormalized` cases ("normalize": false) use the S3-style canonical URI.
const UNNORMALIZED = cases.filter((c) => !readContext(c).normalize);

function must(name: string, file: string): string {
  const text = readCaseFile(name, file);
  if (text === undefined) throw new Error(`${name}/${file} missing`);
  return text;
}

function credFor(ctx: SuiteContext) {
  return credential({
    accessKeyId: ctx.credentials.access_key_id,
    secretAccessKey: ctx.credentials.secret_access_key,
    sessionToken: ctx.credentials.token,
  });
}

/** The suite's payload hash: x-amz-content-sha256 when the case signs it, else the body's hash. */
function payloadHashOf(req: HttpRequest): string {
  return req.headers['x-amz-content-sha256'] ?? sha256Hex(req.body);
}

function flipLastHex(sig: string): string {
  return sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
}

function withSignature(req: HttpRequest, presigned: boolean, sig: string, bad: string): HttpRequest {
  return presigned
    ? { ...req, rawQuery: req.rawQuery.replace(`X-Amz-Signature=${sig}`, `X-Amz-Signature=${bad}`) }
    : { ...req, headers: { ...req.headers, authorization: req.headers.authorization.replace(sig, bad) } };
}

describe('aws-c-auth SigV4 suite', () => {
  it('has all 38 cases, 7 of them unnormalized', () => {
    expect(cases).toHaveLength(38);
    expect(UNNORMALIZED).toHaveLength(7);
    expect(UNNORMALIZED.every((c) => c.endsWith('-unnormalized'))).toBe(true);
  });

  describe.each(cases)('%s', (name) => {
    const ctx = readContext(name);
    const original = parseRawRequest(must(name, 'request.txt'));
    const now = new Date(ctx.timestamp);
    const opts = { now, skewSeconds: 300, s3Uri: !ctx.normalize, allowUnsignedPresignedToken: ctx.omit_session_token };

    for (const mode of ['header', 'query'] as const) {
      const signed = parseRawRequest(must(name, `${mode}-signed-request.txt`));

      it(`${mode}: canonical request, string to sign and signature match the suite`, () => {
        expect(signed.method).toBe(original.method);
        expect(signed.path).toBe(original.path);
        expect(signed.body.equals(original.body)).toBe(true);
        const carrier = parseSigV4(signed);
        expect(carrier?.presigned).toBe(mode === 'query');
        if (!carrier) return;
        const canonical = canonicalRequest(signed, carrier.signedHeaders, payloadHashOf(signed), {
          s3Uri: !ctx.normalize,
          presigned: carrier.presigned,
          omitSessionToken: ctx.omit_session_token,
        });
        expect(canonical).toBe(must(name, `${mode}-canonical-request.txt`));
        const scope = `${carrier.date}/${carrier.region}/${carrier.service}/${carrier.terminator}`;
        const sts = stringToSign(carrier.amzDate, scope, canonical);
        expect(sts).toBe(must(name, `${mode}-string-to-sign.txt`));
        const key = signingKey(ctx.credentials.secret_access_key, carrier.date, ctx.region, ctx.service);
        const sig = createHmac('sha256', key).update(sts).digest('hex');
        expect(sig).toBe(must(name, `${mode}-signature.txt`));
        expect(carrier.signature).toBe(sig);
      });

      it(`${mode}: verifySigV4 accepts the signed request and rejects a changed signature`, () => {
        const carrier = parseSigV4(signed);
        if (!carrier) throw new Error('no carrier');
        expect(() => verifySigV4(signed, carrier, credFor(ctx), opts)).not.toThrow();
        const bad = withSignature(signed, carrier.presigned, carrier.signature, flipLastHex(carrier.signature));
        const badCarrier = parseSigV4(bad);
        if (!badCarrier) throw new Error('no carrier');
        expect(badCarrier.signature).not.toBe(carrier.signature);
        expect(() => verifySigV4(bad, badCarrier, credFor(ctx), opts)).toThrow(
          expect.objectContaining({ name: 'SigV4Error', kind: 'signature' }) as SigV4Error,
        );
      });
    }
  });

  it('the normalized and unnormalized variants differ where normalisation matters', () => {
    const uri = (name: string) => must(name, 'header-canonical-request.txt').split('\n')[1];
    expect(uri('get-slashes-normalized')).toBe('/example/');
    expect(uri('get-slashes-unnormalized')).toBe('//example//');
    expect(uri('get-relative-relative-normalized')).toBe('/');
    expect(uri('get-relative-relative-unnormalized')).toBe('/example1/example2/../..');
  });

  it('an unnormalized case fails if verified with the normalising (non-S3) rules', () => {
    const name = 'get-slashes-unnormalized';
    const signed = parseRawRequest(must(name, 'header-signed-request.txt'));
    const carrier = parseSigV4(signed);
    if (!carrier) throw new Error('no carrier');
    const now = new Date(readContext(name).timestamp);
    expect(() => verifySigV4(signed, carrier, credFor(readContext(name)), { now, s3Uri: false })).toThrow(SigV4Error);
  });
});
