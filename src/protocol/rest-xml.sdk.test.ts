/**
 * restXml against the real @aws-sdk/client-s3 serializers and deserializers (in-process, no network): what the SDK
 * sends must decode to the modelled input, and what we encode must parse back into the SDK's output and errors.
 */
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectsCommand,
  GetBucketLocationCommand, GetBucketPolicyCommand, GetObjectCommand, HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command,
  PutBucketPolicyCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checksumBase64 } from '../auth/checksums.js';
import { model as s3 } from '../services/s3/api.generated.js';
import { protocols } from './index.js';
import { modelError } from './model-errors.js';
import { s3Error } from './s3-errors.js';
import { clientConfig, REQUEST_ID, rejection, type Impl } from './testing/sdk-harness.js';
import { readAll, S3SdkHandler } from './testing/s3-harness.js';

function s3Client(impl: Impl): { client: S3Client; handler: S3SdkHandler } {
  const handler = new S3SdkHandler(protocols.restXml, s3, impl);
  return { client: new S3Client({ ...clientConfig(handler), forcePathStyle: true }), handler };
}

describe('restXml with the real S3 SDK client: objects', () => {
  it('PutObject: buffered body, metadata, SSE-KMS headers in; ETag and SSE headers out, no body', async () => {
    const { client, handler } = s3Client((_op, input) => ({
      ETag: '"5d41402abc4b2a76b9719d911017c592"', ServerSideEncryption: input.ServerSideEncryption, SSEKMSKeyId: input.SSEKMSKeyId,
      BucketKeyEnabled: true,
    }));
    const out = await client.send(new PutObjectCommand({
      Bucket: 'data', Key: 'train/part 1+x.csv', Body: Buffer.from('hello'), Metadata: { owner: 'ml-team', Stage: 'raw' },
      ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/training', SSEKMSEncryptionContext: 'eyJhIjoiYiJ9', BucketKeyEnabled: true,
      ContentType: 'text/csv', Expires: new Date('2030-01-01T00:00:00Z'),
    }));
    const { input, operation, response } = handler.last;
    expect(operation).toBe('PutObject');
    expect(input).toMatchObject({
      Bucket: 'data', Key: 'train/part 1+x.csv', Metadata: { owner: 'ml-team', stage: 'raw' }, ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'alias/training', SSEKMSEncryptionContext: 'eyJhIjoiYiJ9', BucketKeyEnabled: true, ContentType: 'text/csv',
      ContentLength: 5, ChecksumCRC32: checksumBase64('CRC32', Buffer.from('hello')), Expires: new Date('2030-01-01T00:00:00Z'),
    });
    expect(input?.Body).toBeInstanceOf(Readable);
    expect((await readAll(input?.Body)).toString()).toBe('hello');
    expect(response).toMatchObject({ status: 200, body: '' });
    expect(response.headers).toMatchObject({ ETag: '"5d41402abc4b2a76b9719d911017c592"', 'x-amz-request-id': REQUEST_ID });
    expect(response.headers['x-amz-id-2']).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    expect(out).toMatchObject({ ETag: '"5d41402abc4b2a76b9719d911017c592"', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/training', BucketKeyEnabled: true });
  });

  it('PutObject with a stream: the aws-chunked trailer upload decodes to the bytes and its CRC32 verifies', async () => {
    const data = Buffer.alloc(200_000, 7);
    const { client, handler } = s3Client(() => ({ ETag: '"x"' }));
    await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'big.bin', Body: Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), ContentLength: data.length }));
    const { input, request } = handler.last;
    expect(request.headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    expect(input).toMatchObject({ ContentLength: data.length, ChecksumAlgorithm: 'CRC32' });
    expect(input).not.toHaveProperty('ContentEncoding');
    expect((await readAll(input?.Body)).equals(data)).toBe(true);
    expect(handler.trailers['x-amz-checksum-crc32']).toBe(checksumBase64('CRC32', data));
  });

  it('PutObject with CRC32C: our CRC32C agrees with the SDK\'s on the trailing checksum', async () => {
    const data = Buffer.from(Array.from({ length: 100_003 }, (_, i) => (i * 7) % 256));
    const { client, handler } = s3Client(() => ({ ETag: '"x"' }));
    await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'c', Body: Readable.from([data]), ContentLength: data.length, ChecksumAlgorithm: 'CRC32C' }));
    expect((await readAll(handler.last.input?.Body)).equals(data)).toBe(true);
    expect(handler.trailers['x-amz-checksum-crc32c']).toBe(checksumBase64('CRC32C', data));
  });

  it('GetObject: Range and response-* overrides in; streamed body, 206, headers and metadata out', async () => {
    const modified = new Date('2024-05-01T10:00:00Z');
    const { client, handler } = s3Client(() => ({
      Body: Readable.from([Buffer.from('llo w')]), ContentLength: 5, ContentRange: 'bytes 2-6/11', ContentType: 'text/plain',
      ETag: '"e"', LastModified: modified, Metadata: { owner: 'ml' }, AcceptRanges: 'bytes',
    }));
    const out = await client.send(new GetObjectCommand({
      Bucket: 'data', Key: 'a/b.txt', Range: 'bytes=2-6', IfNoneMatch: '"old"', IfModifiedSince: new Date('2024-01-01T00:00:00Z'),
      ResponseContentType: 'text/plain', ResponseContentDisposition: 'attachment; filename="b.txt"', ResponseCacheControl: 'no-cache',
    }));
    expect(handler.last.input).toMatchObject({
      Bucket: 'data', Key: 'a/b.txt', Range: 'bytes=2-6', IfNoneMatch: '"old"', IfModifiedSince: new Date('2024-01-01T00:00:00Z'),
      ResponseContentType: 'text/plain', ResponseContentDisposition: 'attachment; filename="b.txt"', ResponseCacheControl: 'no-cache',
    });
    const res = handler.last.response;
    expect(res.status).toBe(206);
    expect(res.headers).toMatchObject({ 'Content-Length': '5', 'Last-Modified': 'Wed, 01 May 2024 10:00:00 GMT', 'x-amz-meta-owner': 'ml' });
    expect(await out.Body?.transformToString()).toBe('llo w');
    expect(out).toMatchObject({ ContentRange: 'bytes 2-6/11', ContentLength: 5, LastModified: modified, Metadata: { owner: 'ml' }, ETag: '"e"' });
  });

  it('HeadObject: headers only; a HEAD error is status-only and the SDK reports NotFound', async () => {
    const { client, handler } = s3Client(() => ({ ContentLength: 11, ETag: '"e"', ContentType: 'text/plain' }));
    const out = await client.send(new HeadObjectCommand({ Bucket: 'data', Key: 'k' }));
    expect(out).toMatchObject({ ContentLength: 11, ETag: '"e"', ContentType: 'text/plain' });
    expect(handler.last.response.body).toBe('');

    const missing = s3Client(() => { throw modelError(s3, 'NoSuchKey', 'The specified key does not exist.', { Key: 'k' }); });
    const err = await rejection(missing.client.send(new HeadObjectCommand({ Bucket: 'data', Key: 'k' })));
    expect(err).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404, requestId: REQUEST_ID } });
    expect(missing.handler.last.response.body).toBe('');
  });

  it('CopyObject is told from PutObject by x-amz-copy-source; the CopyObjectResult payload parses', async () => {
    const { client, handler } = s3Client(() => ({ CopyObjectResult: { ETag: '"c"', LastModified: new Date('2024-05-01T10:00:00Z') } }));
    const out = await client.send(new CopyObjectCommand({ Bucket: 'dst', Key: 'k2', CopySource: 'src/k1', MetadataDirective: 'REPLACE', Metadata: { a: 'b' } }));
    expect(handler.last).toMatchObject({ operation: 'CopyObject', input: { Bucket: 'dst', Key: 'k2', CopySource: 'src/k1', MetadataDirective: 'REPLACE' } });
    expect(String(handler.last.response.body)).toContain('<CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ETag>&quot;c&quot;</ETag><LastModified>2024-05-01T10:00:00.000Z</LastModified></CopyObjectResult>');
    expect(out.CopyObjectResult).toMatchObject({ ETag: '"c"', LastModified: new Date('2024-05-01T10:00:00Z') });
  });

  it('errors: S3 <Error> XML parsed by the SDK into NoSuchKey with status 404 and the request id', async () => {
    const { client, handler } = s3Client(() => { throw modelError(s3, 'NoSuchKey', 'The specified key does not exist.', { Key: 'nope' }); });
    const err = await rejection(client.send(new GetObjectCommand({ Bucket: 'data', Key: 'nope' })));
    expect(err).toMatchObject({ name: 'NoSuchKey', message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404, requestId: REQUEST_ID } });
    expect(String(handler.last.response.body)).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>nope<\/Key><RequestId>c0ffee00-1111-2222-3333-444455556666<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/,
    );
  });
});

describe('restXml with the real S3 SDK client: listings and multipart', () => {
  it('ListObjectsV2: query members in; flattened Contents and CommonPrefixes, tokens and url encoding out', async () => {
    const { client, handler } = s3Client(() => ({
      Name: 'data', Prefix: 'logs%2F', Delimiter: '/', MaxKeys: 2, KeyCount: 2, IsTruncated: true, EncodingType: 'url',
      ContinuationToken: 'tok-1', NextContinuationToken: 'tok-2',
      Contents: [
        { Key: 'logs%2Fa%20b.txt', LastModified: new Date('2024-05-01T10:00:00Z'), ETag: '"1"', Size: 3, StorageClass: 'STANDARD' },
        { Key: 'logs%2Fc.txt', LastModified: new Date('2024-05-02T10:00:00Z'), ETag: '"2"', Size: 0, StorageClass: 'STANDARD' },
      ],
      CommonPrefixes: [{ Prefix: 'logs%2F2024%2F' }, { Prefix: 'logs%2F2025%2F' }],
    }));
    const out = await client.send(new ListObjectsV2Command({
      Bucket: 'data', Prefix: 'logs/', Delimiter: '/', MaxKeys: 2, ContinuationToken: 'tok-1', EncodingType: 'url', StartAfter: 'logs/0',
    }));
    expect(handler.last.operation).toBe('ListObjectsV2');
    expect(handler.last.input).toEqual({ Bucket: 'data', Prefix: 'logs/', Delimiter: '/', MaxKeys: 2, ContinuationToken: 'tok-1', EncodingType: 'url', StartAfter: 'logs/0' });
    const body = String(handler.last.response.body);
    expect(body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<ListBucketResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><IsTruncated>true<\/IsTruncated><Contents><Key>/);
    expect(body.match(/<Contents>/g)).toHaveLength(2);
    expect(out).toMatchObject({
      Name: 'data', IsTruncated: true, KeyCount: 2, MaxKeys: 2, NextContinuationToken: 'tok-2', ContinuationToken: 'tok-1', EncodingType: 'url',
      CommonPrefixes: [{ Prefix: 'logs%2F2024%2F' }, { Prefix: 'logs%2F2025%2F' }],
    });
    expect(out.Contents?.map((c) => [c.Key, c.Size, c.LastModified?.toISOString()])).toEqual([
      ['logs%2Fa%20b.txt', 3, '2024-05-01T10:00:00.000Z'], ['logs%2Fc.txt', 0, '2024-05-02T10:00:00.000Z'],
    ]);
  });

  it('ListBuckets and GetBucketLocation (a root element holding text)', async () => {
    const { client, handler } = s3Client((op) => op === 'ListBuckets'
      ? { Buckets: [{ Name: 'a', CreationDate: new Date('2024-01-01T00:00:00Z') }, { Name: 'b', CreationDate: new Date('2024-01-02T00:00:00Z') }], Owner: { ID: 'id1', DisplayName: 'me' } }
      : { LocationConstraint: 'eu-west-1' });
    const list = await client.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name)).toEqual(['a', 'b']);
    expect(list.Owner).toEqual({ ID: 'id1', DisplayName: 'me' });
    expect(String(handler.last.response.body)).toContain('<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Buckets><Bucket><Name>a</Name>');
    const loc = await client.send(new GetBucketLocationCommand({ Bucket: 'a' }));
    expect(String(handler.last.response.body)).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>');
    expect(loc.LocationConstraint).toBe('eu-west-1');
  });

  it('CreateBucket reads its CreateBucketConfiguration XML body; Location header out', async () => {
    const { client, handler } = s3Client(() => ({ Location: '/fresh' }));
    const out = await client.send(new CreateBucketCommand({ Bucket: 'fresh', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    expect(handler.last.input).toEqual({ Bucket: 'fresh', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } });
    expect(out.Location).toBe('/fresh');
  });

  it('multipart: Create (?uploads), UploadPart (partNumber & uploadId, streamed), Complete (XML parts)', async () => {
    const { client, handler } = s3Client((op, input) => {
      if (op === 'CreateMultipartUpload') return { Bucket: input.Bucket, Key: input.Key, UploadId: 'up-1', ServerSideEncryption: 'aws:kms' };
      if (op === 'UploadPart') return { ETag: `"p${String(input.PartNumber)}"` };
      return { Location: 'http://x/data/big', Bucket: 'data', Key: 'big', ETag: '"abc-2"' };
    });
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'big', ServerSideEncryption: 'aws:kms', Metadata: { m: '1' } }));
    expect(handler.last).toMatchObject({ operation: 'CreateMultipartUpload', input: { Bucket: 'data', Key: 'big', Metadata: { m: '1' } } });
    expect(String(handler.last.response.body)).toContain('<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>data</Bucket><Key>big</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>');
    expect(created).toMatchObject({ UploadId: 'up-1', Bucket: 'data', Key: 'big', ServerSideEncryption: 'aws:kms' });

    const part = await client.send(new UploadPartCommand({ Bucket: 'data', Key: 'big', UploadId: 'up-1', PartNumber: 2, Body: Buffer.from('part-two') }));
    expect(handler.last).toMatchObject({ operation: 'UploadPart', input: { UploadId: 'up-1', PartNumber: 2, ContentLength: 8 } });
    expect((await readAll(handler.last.input?.Body)).toString()).toBe('part-two');
    expect(part.ETag).toBe('"p2"');

    const done = await client.send(new CompleteMultipartUploadCommand({
      Bucket: 'data', Key: 'big', UploadId: 'up-1',
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"p1"' }, { PartNumber: 2, ETag: '"p2"', ChecksumCRC32: 'AAAAAA==' }] },
    }));
    expect(handler.last).toMatchObject({
      operation: 'CompleteMultipartUpload',
      input: { UploadId: 'up-1', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"p1"' }, { PartNumber: 2, ETag: '"p2"', ChecksumCRC32: 'AAAAAA==' }] } },
    });
    expect(done).toMatchObject({ ETag: '"abc-2"', Key: 'big', Location: 'http://x/data/big' });
  });

  it('DeleteObjects: flattened <Object> list and Quiet in; Deleted and Error lists out', async () => {
    const { client, handler } = s3Client(() => ({
      Deleted: [{ Key: 'a' }, { Key: 'b', VersionId: 'v1' }], Errors: [{ Key: 'c', Code: 'AccessDenied', Message: 'Access Denied' }],
    }));
    const out = await client.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'a' }, { Key: 'b', VersionId: 'v1' }, { Key: 'c & <d>' }], Quiet: false } }));
    expect(handler.last.input).toMatchObject({ Bucket: 'data', Delete: { Objects: [{ Key: 'a' }, { Key: 'b', VersionId: 'v1' }, { Key: 'c & <d>' }], Quiet: false } });
    expect(out.Deleted).toEqual([{ Key: 'a' }, { Key: 'b', VersionId: 'v1' }]);
    expect(out.Errors).toEqual([{ Key: 'c', Code: 'AccessDenied', Message: 'Access Denied' }]);
  });

  it('PutBucketPolicy sends the policy as a raw string payload; GetBucketPolicy returns it verbatim', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::data/*' }] });
    const { client, handler } = s3Client((op, input) => (op === 'GetBucketPolicy' ? { Policy: policy } : (expect(input.Policy).toBe(policy), undefined)));
    await client.send(new PutBucketPolicyCommand({ Bucket: 'data', Policy: policy }));
    expect(handler.last).toMatchObject({ operation: 'PutBucketPolicy', input: { Bucket: 'data', Policy: policy }, response: { status: 200 } });
    const out = await client.send(new GetBucketPolicyCommand({ Bucket: 'data' }));
    expect(out.Policy).toBe(policy);
  });

  it('a rejected XML body surfaces as MalformedXML to the SDK', async () => {
    const { client } = s3Client(() => { throw s3Error('MalformedXML'); });
    const err = await rejection(client.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'a' }] } })));
    expect(err).toMatchObject({ name: 'MalformedXML', $metadata: { httpStatusCode: 400 } });
  });
});
