/**
 * Round trips against the real client-side signer (@smithy/signature-v4, what @aws-sdk/* uses):
 * whatever the SDK signs, the gateway must accept as it arrives on the wire.
 */
import { describe, it, expect } from 'vitest';
import { HttpRequest as SdkRequest } from '@smithy/protocol-http';
import { parseSigV4 } from './sigv4.js';
import { escapeUri, toWire } from './sigv4-test-helpers.js';
import { failureKind, HOST, NOW, presigned, sdkRequest, signed, signer, TOKEN, verify } from './sigv4-test-sdk.js';

describe('SigV4 round trips with @smithy/signature-v4', () => {
  it('accepts an InvokeEndpoint-style request (no body-hash header, as the CLI sends)', async () => {
    const req = await signed(new SdkRequest(sdkRequest()));
    expect(req.headers['x-amz-content-sha256']).toBeUndefined();
    expect(() => verify(req)).not.toThrow();
  });

  it('accepts the SDK default with a signed x-amz-content-sha256', async () => {
    const req = await signed(sdkRequest(), { applyChecksum: true });
    expect(parseSigV4(req)?.signedHeaders).toContain('x-amz-content-sha256');
    expect(() => verify(req)).not.toThrow();
  });

  it('accepts temporary credentials with a session token, and only with the right one', async () => {
    const req = await signed(sdkRequest(), { sessionToken: TOKEN });
    expect(parseSigV4(req)?.signedHeaders).toContain('x-amz-security-token');
    expect(() => verify(req, {}, TOKEN)).not.toThrow();
    expect(failureKind(() => verify(req, {}, TOKEN.slice(0, -1) + 'x'))).toBe('invalid-token');
    expect(failureKind(() => verify(req, {}, undefined))).toBe('invalid-token');
  });

  it('accepts paths with spaces, UTF-8 and reserved characters (double-encoded canonical URI)', async () => {
    const name = 'my ep ☃ a+b(1)*';
    const req = await signed(sdkRequest({ path: `/endpoints/${escapeUri(name)}/invocations` }));
    expect(req.path).toContain('%20');
    expect(() => verify(req)).not.toThrow();
    expect(failureKind(() => verify(req, { s3Uri: true }))).toBe('signature');
  });

  it('accepts dot segments and double slashes the SDK normalised before signing', async () => {
    const req = await signed(sdkRequest({ path: '/endpoints/./x/../my-endpoint//invocations/' }));
    expect(() => verify(req)).not.toThrow();
  });

  it('accepts S3-style signing (uriEscapePath false) with s3Uri', async () => {
    const key = `/bucket/${escapeUri('dir name/ütf8 key+1.txt').replace(/%2F/g, '/')}`;
    const req = await signed(sdkRequest({ method: 'GET', path: key, body: undefined }), { uriEscapePath: false, service: 's3' });
    expect(() => verify(req, { s3Uri: true })).not.toThrow();
    expect(failureKind(() => verify(req))).toBe('signature');
  });

  it('accepts query strings with reserved characters, repeated keys and empty values', async () => {
    const query = { 'a b': 'c&d=e+f/g?h', 'ü': '✓', multi: ['z', 'a', 'm'], empty: '', 'a-b': '1', a: '2', tilde: '~x*' };
    const req = await signed(sdkRequest({ method: 'GET', query, body: undefined }));
    expect(req.rawQuery).toContain('c%26d%3De%2Bf%2Fg%3Fh');
    expect(() => verify(req)).not.toThrow();
  });

  it('accepts UNSIGNED-PAYLOAD only when allowed and the header is signed', async () => {
    const headers = { host: HOST, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    const req = await signed(sdkRequest({ headers, body: 'streamed bytes the signer never saw' }));
    expect(() => verify(req, { allowUnsignedPayload: true })).not.toThrow();
    expect(failureKind(() => verify(req))).toBe('signature');

    const unsignedHeader = toWire(
      (await signer().sign(sdkRequest({ headers }), { signingDate: NOW, unsignableHeaders: new Set(['x-amz-content-sha256']) })) as SdkRequest,
    );
    expect(parseSigV4(unsignedHeader)?.signedHeaders).not.toContain('x-amz-content-sha256');
    expect(failureKind(() => verify(unsignedHeader, { allowUnsignedPayload: true }))).toBe('signature');
  });

  describe('presigned URLs', () => {
    const get = () => sdkRequest({ method: 'GET', headers: { host: HOST }, body: undefined, query: { 'list-type': '2', prefix: 'a b/' } });

    it('accepts a presigned URL within its lifetime, up to the last second', async () => {
      const req = await presigned(get());
      expect(req.headers.authorization).toBeUndefined();
      expect(parseSigV4(req)?.presigned).toBe(true);
      expect(() => verify(req)).not.toThrow();
      expect(() => verify(req, { now: new Date(NOW.getTime() + 600_000) })).not.toThrow();
      expect(failureKind(() => verify(req, { now: new Date(NOW.getTime() + 601_000) }))).toBe('request-expired');
    });

    it('accepts the 7-day maximum', async () => {
      const req = await presigned(get(), {}, 604_800);
      expect(() => verify(req, { now: new Date(NOW.getTime() + 604_800_000) })).not.toThrow();
    });

    it('carries the session token in the query', async () => {
      const req = await presigned(get(), { sessionToken: TOKEN });
      expect(req.rawQuery).toContain('X-Amz-Security-Token=');
      expect(() => verify(req, {}, TOKEN)).not.toThrow();
      expect(failureKind(() => verify(req, {}, 'other-token'))).toBe('invalid-token');
    });

    it('accepts a hoisted x-amz-content-sha256=UNSIGNED-PAYLOAD (S3 presigner) when allowed', async () => {
      const req = await presigned(
        sdkRequest({ method: 'PUT', path: '/bucket/key', headers: { host: HOST, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: undefined }),
        { uriEscapePath: false, service: 's3' },
      );
      const withBody = { ...req, body: Buffer.from('uploaded later') };
      expect(() => verify(withBody, { s3Uri: true, allowUnsignedPayload: true })).not.toThrow();
      expect(failureKind(() => verify(withBody, { s3Uri: true }))).toBe('signature');
    });

    it('uses presignedPayloadHash when the URL was signed over a payload nobody can hash', async () => {
      // A non-buffer body makes the SDK sign `UNSIGNED-PAYLOAD` without sending any header for it.
      const req = await presigned(sdkRequest({ method: 'GET', headers: { host: HOST }, body: {} }));
      const wire = { ...req, body: Buffer.alloc(0) };
      expect(() => verify(wire, { presignedPayloadHash: 'UNSIGNED-PAYLOAD' })).not.toThrow();
      expect(failureKind(() => verify(wire))).toBe('signature');
    });
  });
});
