/**
 * verifySigV4 must reject: every case starts from a request the real SDK signed (and that verifies),
 * changes one thing, and checks the failure kind and, where AWS's wording matters, the message.
 */
import { describe, it, expect } from 'vitest';
import type { HttpRequest } from '../protocol/types.js';
import type { SigV4Carrier } from './types.js';
import { parseSigV4, SIGNATURE_MISMATCH, SigV4MismatchError, verifySigV4 } from './sigv4.js';
import { credential } from './sigv4-test-helpers.js';
import { failure, failureKind, HOST, NOW, presigned, sdkRequest, SECRET, signed, TOKEN, verify } from './sigv4-test-sdk.js';

const at = (iso: string) => new Date(iso);
const plus = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

function withHeader(req: HttpRequest, name: string, value: string | undefined): HttpRequest {
  const headers = { ...req.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...req, headers };
}

function editAuth(req: HttpRequest, from: string | RegExp, to: string): HttpRequest {
  return withHeader(req, 'authorization', req.headers.authorization.replace(from, to));
}

function carrierOf(req: HttpRequest): SigV4Carrier {
  const c = parseSigV4(req);
  if (!c) throw new Error('no carrier');
  return c;
}

describe('verifySigV4 rejects', () => {
  it('a wrong secret, with AWS text and the computed canonical request attached', async () => {
    const req = await signed(sdkRequest(), { secret: 'not-the-secret' });
    let caught: unknown;
    try {
      verify(req);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SigV4MismatchError);
    const err = caught as SigV4MismatchError;
    expect(err.kind).toBe('signature');
    expect(err.message).toBe(SIGNATURE_MISMATCH);
    expect(err.message).toBe(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
    expect(err.canonicalRequest.split('\n')[1]).toBe('/endpoints/my-endpoint/invocations');
    expect(err.stringToSign.startsWith('AWS4-HMAC-SHA256\n20240501T100000Z\n20240501/us-east-1/sagemaker/aws4_request\n')).toBe(true);
  });

  it('a tampered body when the body hash is signed (hash check) and when it is not (signature)', async () => {
    const withHash = await signed(sdkRequest(), { applyChecksum: true });
    const f = failure(() => verify({ ...withHash, body: Buffer.from('{"instances":[[9,9,9]]}') }));
    expect(f).toEqual({ kind: 'signature', message: "The provided 'x-amz-content-sha256' header does not match what was computed." });

    const noHash = await signed(sdkRequest());
    expect(failure(() => verify({ ...noHash, body: Buffer.from('{}') }))).toEqual({ kind: 'signature', message: SIGNATURE_MISMATCH });
  });

  it('a tampered signed header, but not an unsigned one', async () => {
    const req = await signed(sdkRequest());
    expect(failureKind(() => verify(withHeader(req, 'content-type', 'text/plain')))).toBe('signature');
    expect(failureKind(() => verify(withHeader(req, 'host', 'evil.example.com')))).toBe('signature');
    expect(failureKind(() => verify(withHeader(req, 'user-agent', 'anything')))).toBeUndefined();
  });

  it('a tampered path, method or query', async () => {
    const req = await signed(sdkRequest({ query: { a: '1' } }));
    expect(failureKind(() => verify(req))).toBeUndefined();
    expect(failureKind(() => verify({ ...req, path: '/endpoints/other/invocations' }))).toBe('signature');
    expect(failureKind(() => verify({ ...req, method: 'PUT' }))).toBe('signature');
    expect(failureKind(() => verify({ ...req, rawQuery: 'a=2' }))).toBe('signature');
    expect(failureKind(() => verify({ ...req, rawQuery: 'a=1&b=2' }))).toBe('signature');
  });

  it('SignedHeaders without host', async () => {
    const unsignedHost = await signed(sdkRequest({ headers: { 'content-type': 'application/json' } }));
    const req = withHeader(unsignedHost, 'host', HOST);
    expect(carrierOf(req).signedHeaders).not.toContain('host');
    expect(failure(() => verify(req))).toEqual({
      kind: 'incomplete',
      message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    });
  });

  it('clock skew beyond the window in the past, with AWS text', async () => {
    const req = await signed(sdkRequest(), {}, at('2018-09-20T17:41:01Z'));
    expect(failure(() => verify(req, { now: at('2018-09-20T17:50:04.250Z') }))).toEqual({
      kind: 'signature',
      message: 'Signature expired: 20180920T174101Z is now earlier than 20180920T174504Z (20180920T175004Z - 5 min.)',
    });
    expect(failureKind(() => verify(req, { now: at('2018-09-20T17:46:01Z') }))).toBeUndefined();
    expect(failureKind(() => verify(req, { now: at('2018-09-20T17:46:02Z') }))).toBe('signature');
    expect(failureKind(() => verify(req, { now: at('2018-09-20T17:50:04Z'), skewSeconds: 900 }))).toBeUndefined();
  });

  it('clock skew beyond the window in the future, with AWS text', async () => {
    const req = await signed(sdkRequest(), {}, plus(301));
    expect(failure(() => verify(req))).toEqual({
      kind: 'signature',
      message: 'Signature not yet current: 20240501T100501Z is still later than 20240501T100500Z (20240501T100000Z + 5 min.)',
    });
    expect(failureKind(() => verify(req, { now: plus(1) }))).toBeUndefined();
    expect(failure(() => verify(req, { skewSeconds: 60 }))?.message).toContain('(20240501T100000Z + 1 min.)');
  });

  it('an expired or inactive credential, and a key id that is not the resolved one', async () => {
    const req = await signed(sdkRequest(), { sessionToken: TOKEN });
    const carrier = carrierOf(req);
    const cred = (over = {}) => credential({ accessKeyId: carrier.accessKeyId, secretAccessKey: SECRET, sessionToken: TOKEN, ...over });
    const run = (over = {}) => () => verifySigV4(req, carrier, cred(over), { now: NOW, skewSeconds: 300 });
    expect(failureKind(run({ expiration: plus(1) }))).toBeUndefined();
    expect(failure(run({ expiration: NOW }))).toEqual({ kind: 'expired-token', message: 'The security token included in the request is expired' });
    expect(failureKind(run({ expiration: plus(-3600) }))).toBe('expired-token');
    expect(failureKind(run({ status: 'Inactive' }))).toBe('invalid-token');
    expect(failureKind(run({ accessKeyId: 'ASIAOTHERKEY' }))).toBe('invalid-token');
  });

  it('a missing, wrong, or unexpected session token', async () => {
    const temp = await signed(sdkRequest(), { sessionToken: TOKEN });
    expect(failureKind(() => verify(temp, {}, TOKEN))).toBeUndefined();
    expect(failure(() => verify(withHeader(temp, 'x-amz-security-token', undefined), {}, TOKEN))).toEqual({
      kind: 'invalid-token',
      message: 'The security token included in the request is invalid.',
    });
    expect(failureKind(() => verify(temp, {}, 'short'))).toBe('invalid-token');
    expect(failureKind(() => verify(temp, {}, TOKEN.replace('I', 'J')))).toBe('invalid-token');
    // A long-term key must not come with a token.
    expect(failureKind(() => verify(temp, {}, undefined))).toBe('invalid-token');
    // Signed without a token, but the credential is temporary.
    const longTerm = await signed(sdkRequest());
    expect(failureKind(() => verify(longTerm, {}, TOKEN))).toBe('invalid-token');
  });

  it('a scope date that differs from X-Amz-Date', async () => {
    const req = editAuth(await signed(sdkRequest()), '/20240501/', '/20240502/');
    expect(failure(() => verify(req))).toEqual({
      kind: 'incomplete',
      message:
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240502' != '20240501', from '20240501T100000Z'.",
    });
  });

  it('a terminator other than aws4_request', async () => {
    const req = editAuth(await signed(sdkRequest()), '/aws4_request', '/aws5_request');
    expect(failure(() => verify(req))).toEqual({
      kind: 'incomplete',
      message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.",
    });
  });

  it('a region or service outside what the caller expects (when it says)', async () => {
    const req = await signed(sdkRequest());
    expect(failureKind(() => verify(req, { region: 'us-east-1', services: ['sagemaker'] }))).toBeUndefined();
    expect(failure(() => verify(req, { region: 'eu-west-1' }))?.message).toBe("Credential should be scoped to a valid region, not 'us-east-1'.");
    expect(failure(() => verify(req, { services: ['monitoring'] }))?.message).toBe("Credential should be scoped to correct service: 'monitoring'.");
  });

  it('unsupported x-amz-content-sha256 values', async () => {
    for (const value of ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'not-a-hash', 'UNSIGNED-PAYLOAD']) {
      const req = await signed(sdkRequest({ headers: { host: HOST, 'x-amz-content-sha256': value } }));
      expect(failureKind(() => verify(req))).toBe('signature');
    }
  });

  it('a signature that is not 64 lower-case hex digits', async () => {
    const req = await signed(sdkRequest());
    const sig = carrierOf(req).signature;
    for (const bad of [sig.toUpperCase(), sig.slice(0, 63), sig + '0', 'zz' + sig.slice(2)]) {
      expect(failureKind(() => verify(editAuth(req, sig, bad)))).toBe('signature');
    }
  });
});

describe('verifySigV4 rejects presigned URLs', () => {
  const get = () => sdkRequest({ method: 'GET', headers: { host: HOST }, body: undefined });
  const setExpires = (req: HttpRequest, value: string) => ({ ...req, rawQuery: req.rawQuery.replace(/X-Amz-Expires=\d+/, `X-Amz-Expires=${value}`) });

  it('past X-Amz-Expires', async () => {
    const req = await presigned(get(), {}, 60);
    expect(failureKind(() => verify(req, { now: plus(60) }))).toBeUndefined();
    expect(failure(() => verify(req, { now: plus(61) }))).toEqual({ kind: 'request-expired', message: 'Request has expired' });
  });

  it('with X-Amz-Expires outside 1..604800', async () => {
    const req = await presigned(get(), {}, 60);
    expect(failureKind(() => verify(setExpires(req, '0')))).toBe('request-expired');
    expect(failure(() => verify(setExpires(req, '604801')))).toEqual({
      kind: 'request-expired',
      message: 'X-Amz-Expires must be less than a week (in seconds) that is; 604800 seconds',
    });
  });

  it('with a changed X-Amz-Expires (it is signed)', async () => {
    const req = await presigned(get(), {}, 60);
    expect(failureKind(() => verify(setExpires(req, '3600')))).toBe('signature');
  });

  it('dated in the future beyond the skew window', async () => {
    const req = await presigned(get(), {}, 600, plus(301));
    expect(failure(() => verify(req))?.message).toMatch(/^Signature not yet current: /);
  });

  it('with a changed or appended query parameter', async () => {
    const req = await presigned(sdkRequest({ method: 'GET', headers: { host: HOST }, body: undefined, query: { key: 'a' } }));
    expect(failureKind(() => verify(req))).toBeUndefined();
    expect(failureKind(() => verify({ ...req, rawQuery: req.rawQuery.replace('key=a', 'key=b') }))).toBe('signature');
    expect(failureKind(() => verify({ ...req, rawQuery: req.rawQuery + '&extra=1' }))).toBe('signature');
  });

  it('with a token appended after signing unless explicitly allowed', async () => {
    const req = await presigned(get());
    const appended = { ...req, rawQuery: `${req.rawQuery}&X-Amz-Security-Token=${encodeURIComponent(TOKEN)}` };
    expect(failureKind(() => verify(appended, {}, TOKEN))).toBe('signature');
    expect(failureKind(() => verify(appended, { allowUnsignedPresignedToken: true }, TOKEN))).toBeUndefined();
    expect(failureKind(() => verify(appended, { allowUnsignedPresignedToken: true }, 'other'))).toBe('invalid-token');
  });
});
