/** restXml on raw requests: operation selection, bucket addressing, hostile XML, S3 error documents. */
import { describe, expect, it } from 'vitest';
import { model as s3 } from '../services/s3/api.generated.js';
import { ServiceError } from './errors.js';
import { protocols } from './index.js';
import { bucketFromHost } from './rest-xml-route.js';
import { s3AuthError, toS3WireError } from './s3-errors.js';
import { isStreamingInput, isStreamingOutput } from './streaming.js';
import type { HttpRequest } from './types.js';

const xml = protocols.restXml;

function req(method: string, target: string, headers: Record<string, string> = {}, body = ''): HttpRequest {
  const [path, rawQuery = ''] = target.split('?');
  return { method, path, rawQuery, headers: { host: '127.0.0.1:4566', ...headers }, body: Buffer.from(body) };
}

const opOf = (r: HttpRequest): string | undefined => xml.operationName(r, s3);

function decode(r: HttpRequest): Record<string, unknown> {
  const name = opOf(r);
  if (!name) throw new Error('no operation');
  return xml.decode(r, s3, s3.operations[name]);
}

function thrown(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error('expected a ServiceError');
}

describe('restXml operation selection (most specific template wins)', () => {
  it.each([
    ['GET', '/', {}, 'ListBuckets'],
    ['GET', '/b', {}, 'ListObjects'],
    ['GET', '/b/', {}, 'ListObjects'],
    ['GET', '/b?list-type=2&prefix=a', {}, 'ListObjectsV2'],
    ['GET', '/b?uploads', {}, 'ListMultipartUploads'],
    ['GET', '/b?location', {}, 'GetBucketLocation'],
    ['GET', '/b?policyStatus', {}, 'GetBucketPolicyStatus'],
    ['GET', '/b?lifecycle', {}, 'GetBucketLifecycleConfiguration'],
    ['PUT', '/b?publicAccessBlock', {}, 'PutPublicAccessBlock'],
    ['DELETE', '/b?encryption', {}, 'DeleteBucketEncryption'],
    ['POST', '/b?delete', {}, 'DeleteObjects'],
    ['HEAD', '/b', {}, 'HeadBucket'],
    ['PUT', '/b', {}, 'CreateBucket'],
    ['PUT', '/b/k', {}, 'PutObject'],
    ['PUT', '/b/k?x-id=PutObject', {}, 'PutObject'],
    ['PUT', '/b/k', { 'x-amz-copy-source': 'src/k' }, 'CopyObject'],
    ['PUT', '/b/k?partNumber=1&uploadId=u', {}, 'UploadPart'],
    ['PUT', '/b/k?partNumber=1&uploadId=u', { 'x-amz-copy-source': 'src/k' }, 'UploadPartCopy'],
    ['PUT', '/b/k?tagging', {}, 'PutObjectTagging'],
    ['GET', '/b/k', {}, 'GetObject'],
    ['GET', '/b/k?uploadId=u', {}, 'ListParts'],
    ['HEAD', '/b/k', {}, 'HeadObject'],
    ['POST', '/b/k?uploads', {}, 'CreateMultipartUpload'],
    ['POST', '/b/k?uploadId=u', {}, 'CompleteMultipartUpload'],
    ['DELETE', '/b/k', {}, 'DeleteObject'],
    ['DELETE', '/b/k?uploadId=u', {}, 'AbortMultipartUpload'],
  ])('%s %s → %s', (method, target, headers, expected) => {
    expect(opOf(req(method, target, headers as Record<string, string>))).toBe(expected);
  });

  it('has no operation for a method S3 does not serve there', () => {
    expect(opOf(req('POST', '/b/k'))).toBeUndefined();
    expect(opOf(req('PATCH', '/b'))).toBeUndefined();
  });
});

describe('restXml bucket addressing and keys', () => {
  it.each([
    ['bucket.localhost:4566', 'bucket'],
    ['my.dotted.bucket.localhost', 'my.dotted.bucket'],
    ['bucket.s3.localhost:8443', 'bucket'],
    ['bucket.s3.amazonaws.com', 'bucket'],
    ['bucket.s3.us-east-1.amazonaws.com', 'bucket'],
    ['bucket.s3-us-west-2.amazonaws.com', 'bucket'],
    ['bucket.s3.vigil.internal', 'bucket'],
    ['localhost:4566', undefined],
    ['s3.localhost', undefined],
    ['s3.amazonaws.com', undefined],
    ['127.0.0.1:4566', undefined],
    ['[::1]:4566', undefined],
    ['vigil.example.com', undefined],
  ])('Host %s → bucket %s', (host, bucket) => {
    expect(bucketFromHost(host)).toBe(bucket);
  });

  it('virtual-hosted requests decode like path-style ones', () => {
    const r = req('GET', '/logs/2024/a.txt', { host: 'data.localhost:4566' });
    expect(opOf(r)).toBe('GetObject');
    expect(decode(r)).toEqual({ Bucket: 'data', Key: 'logs/2024/a.txt' });
    const list = req('GET', '/?list-type=2&prefix=logs%2F', { host: 'data.s3.localhost' });
    expect(opOf(list)).toBe('ListObjectsV2');
    expect(decode(list)).toEqual({ Bucket: 'data', Prefix: 'logs/' });
  });

  it('keys are greedy and percent-decoded once: slashes, spaces, plus signs, leading slash, unicode', () => {
    expect(decode(req('GET', '/b/a%2Fb/c%20d+e.txt'))).toEqual({ Bucket: 'b', Key: 'a/b/c d+e.txt' });
    expect(decode(req('GET', '/b//lead'))).toEqual({ Bucket: 'b', Key: '/lead' });
    expect(decode(req('GET', '/b/%E2%82%AC%25'))).toEqual({ Bucket: 'b', Key: '€%' });
    expect(thrown(() => decode(req('GET', '/b/bad%zz'))).code).toBe('InvalidURI');
  });

  it('bad header and query values are InvalidArgument', () => {
    expect(thrown(() => decode(req('GET', '/b?list-type=2&max-keys=ten'))).code).toBe('InvalidArgument');
    expect(thrown(() => decode(req('GET', '/b/k', { 'if-modified-since': 'yesterday' }))).code).toBe('InvalidArgument');
  });
});

describe('restXml request bodies', () => {
  const del = (body: string) => req('POST', '/b?delete', {}, body);

  it('reads namespaced, whitespace-formatted XML with entities, character references and CDATA', () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
      <Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
        <Object><Key>a&amp;b&#x41;&#66;</Key></Object>
        <Object><Key><![CDATA[<raw & literal>]]></Key><VersionId>v1</VersionId></Object>
        <Quiet>true</Quiet>
      </Delete>`;
    expect(decode(del(body))).toEqual({ Bucket: 'b', Delete: { Objects: [{ Key: 'a&bAB' }, { Key: '<raw & literal>', VersionId: 'v1' }], Quiet: true } });
  });

  it.each([
    ['not XML', 'hello'],
    ['unclosed', '<Delete><Object><Key>a</Key></Delete>'],
    ['a DOCTYPE', '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "xxxxxxxx">]><Delete><Object><Key>&x;</Key></Object></Delete>'],
    ['an external entity', '<!DOCTYPE d SYSTEM "file:///etc/passwd"><Delete/>'],
    ['an undefined entity', '<Delete><Object><Key>&x;</Key></Object></Delete>'],
    ['the wrong root', '<Remove><Object><Key>a</Key></Object></Remove>'],
    ['two roots', '<Delete/><Delete/>'],
    ['a non-boolean Quiet', '<Delete><Object><Key>a</Key></Object><Quiet>maybe</Quiet></Delete>'],
  ])('refuses %s as MalformedXML', (_name, body) => {
    const err = thrown(() => decode(del(body)));
    expect(err).toMatchObject({ code: 'MalformedXML', httpStatus: 400 });
  });

  it('an empty body is an absent payload; a required XML document missing is MalformedXML', () => {
    expect(decode(req('PUT', '/b', {}, ''))).toEqual({ Bucket: 'b' });
    expect(decode(req('PUT', '/b?policy', {}, ''))).toEqual({ Bucket: 'b' });
    expect(thrown(() => decode(req('POST', '/b?delete', {}, '')))).toMatchObject({ code: 'MalformedXML' });
  });

  it('aws-chunked uploads see the decoded length and the remaining Content-Encoding', () => {
    const r = req('PUT', '/b/k', { 'content-encoding': 'aws-chunked,gzip', 'content-length': '9999', 'x-amz-decoded-content-length': '42',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' });
    expect(decode(r)).toMatchObject({ ContentLength: 42, ContentEncoding: 'gzip' });
  });

  it('knows which operations stream', () => {
    expect(isStreamingInput(s3, s3.operations.PutObject)).toBe(true);
    expect(isStreamingInput(s3, s3.operations.UploadPart)).toBe(true);
    expect(isStreamingInput(s3, s3.operations.PutBucketPolicy)).toBe(false);
    expect(isStreamingInput(s3, s3.operations.CompleteMultipartUpload)).toBe(false);
    expect(isStreamingOutput(s3, s3.operations.GetObject)).toBe(true);
    expect(isStreamingOutput(s3, s3.operations.HeadObject)).toBe(false);
  });
});

describe('S3 error documents', () => {
  const ctx = { requestId: 'req-1', model: s3 };

  it('writes Code, Message, extra members, RequestId and HostId, with both id headers', () => {
    const res = xml.encodeError(new ServiceError('NoSuchBucket', 'The specified bucket does not exist', { httpStatus: 404, extra: { BucketName: 'a<b' } }), ctx);
    expect(res.status).toBe(404);
    expect(res.headers).toMatchObject({ 'x-amz-request-id': 'req-1', 'Content-Type': 'application/xml' });
    expect(res.headers['x-amz-id-2']).toBeTruthy();
    expect(String(res.body)).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>'
      + `<BucketName>a&lt;b</BucketName><RequestId>req-1</RequestId><HostId>${res.headers['x-amz-id-2']}</HostId></Error>`);
  });

  it('HEAD errors and 304 carry no body', () => {
    const head = xml.encodeError(new ServiceError('NoSuchKey', 'x', { httpStatus: 404 }), { ...ctx, operation: s3.operations.HeadObject });
    expect(head).toMatchObject({ status: 404, body: '' });
    expect(head.headers['x-amz-request-id']).toBe('req-1');
    expect(xml.encodeError(new ServiceError('NotModified', 'Not Modified', { httpStatus: 304 }), ctx)).toMatchObject({ status: 304, body: '' });
  });

  it('respells errors from the shared layers as S3 does', () => {
    expect(toS3WireError(new ServiceError('InternalFailure', 'x', { httpStatus: 500 }))).toMatchObject({ code: 'InternalError', httpStatus: 500 });
    expect(toS3WireError(new ServiceError('UnknownOperationException', 'x'))).toMatchObject({ code: 'MethodNotAllowed', httpStatus: 405 });
    expect(toS3WireError(new ServiceError('Throttling', 'x', { httpStatus: 429 }))).toMatchObject({ code: 'SlowDown', httpStatus: 503 });
    expect(toS3WireError(new ServiceError('NotImplemented', 'x', { httpStatus: 501 }))).toMatchObject({ code: 'NotImplemented', httpStatus: 501 });
  });

  it('maps SigV4 failures to S3 codes, echoing the canonical request and string to sign', () => {
    const mismatch = s3AuthError('signature', 'The request signature we calculated does not match…', { canonicalRequest: 'GET\n/\n', stringToSign: 'AWS4-HMAC-SHA256\n…', accessKeyId: 'AKID' });
    expect(mismatch).toMatchObject({ code: 'SignatureDoesNotMatch', httpStatus: 403, extra: { AWSAccessKeyId: 'AKID', CanonicalRequest: 'GET\n/\n', StringToSign: 'AWS4-HMAC-SHA256\n…' } });
    const body = String(xml.encodeError(mismatch, ctx).body);
    expect(body).toContain('<StringToSign>AWS4-HMAC-SHA256\n…</StringToSign>');
    expect(body).toContain('<CanonicalRequest>GET\n/\n</CanonicalRequest>');
    expect(s3AuthError('signature', 'Signature expired: 20240101T000000Z is now earlier than …')).toMatchObject({ code: 'RequestTimeTooSkewed', httpStatus: 403 });
    expect(s3AuthError('signature', "The provided 'x-amz-content-sha256' header does not match what was computed.")).toMatchObject({ code: 'XAmzContentSHA256Mismatch', httpStatus: 400 });
    expect(s3AuthError('missing', 'Missing Authentication Token')).toMatchObject({ code: 'AccessDenied', httpStatus: 403, message: 'Access Denied' });
    expect(s3AuthError('invalid-token', 'x')).toMatchObject({ code: 'InvalidAccessKeyId', httpStatus: 403, message: 'The AWS Access Key Id you provided does not exist in our records.' });
    expect(s3AuthError('expired-token', 'x')).toMatchObject({ code: 'ExpiredToken', httpStatus: 400 });
    expect(s3AuthError('incomplete', 'Authorization header requires \'Credential\' parameter.')).toMatchObject({ code: 'AuthorizationHeaderMalformed', httpStatus: 400 });
    expect(s3AuthError('request-expired', 'Request has expired')).toMatchObject({ code: 'AccessDenied', httpStatus: 403, message: 'Request has expired' });
  });
});
