import https from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyBytes, s3Client } from '../helpers/s3.js';
import type { TestVigil } from '../helpers/vigil.js';
import { startTestVigil } from '../helpers/vigil.js';

function send(url: string, ca: string, method: string, body?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ca, headers: body ? { 'content-length': String(body.length) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Presigned URLs as S3 clients make them: query-string SigV4 over an UNSIGNED-PAYLOAD, path as sent. */
describe('S3 presigned GET and PUT URLs', () => {
  let v: TestVigil;
  beforeAll(async () => {
    v = await startTestVigil();
    await s3Client(v, v.root).send(new CreateBucketCommand({ Bucket: 'shared' }));
  });
  afterAll(async () => { await v?.stop(); });

  async function presign(method: 'GET' | 'PUT', key: string, expiresIn: number, signingDate?: Date): Promise<string> {
    const u = new URL(v.url);
    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: v.root, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
    const path = `/shared/${key.split('/').map(encodeURIComponent).join('/')}`;
    const signed = await signer.presign(new HttpRequest({
      // As @aws-sdk/s3-request-presigner does: the payload is unsigned, and the signer hoists x-amz-* headers into the query.
      method, protocol: 'https:', hostname: u.hostname, port: Number(u.port), path, headers: { host: u.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    }), { expiresIn, signingDate });
    return `${v.url}${path}?${new URLSearchParams(signed.query as Record<string, string>).toString()}`;
  }

  it('uploads through a presigned PUT and downloads through a presigned GET', async () => {
    const body = Buffer.from('report for the auditors, shared by link');
    const put = await send(await presign('PUT', 'reports/q3 final.txt', 300), v.caPem, 'PUT', body);
    expect(put.status).toBe(200);
    const viaSdk = await s3Client(v, v.root).send(new GetObjectCommand({ Bucket: 'shared', Key: 'reports/q3 final.txt' }));
    expect((await bodyBytes(viaSdk.Body)).equals(body)).toBe(true);
    const get = await send(await presign('GET', 'reports/q3 final.txt', 300), v.caPem, 'GET');
    expect(get.status).toBe(200);
    expect(get.body.equals(body)).toBe(true);
  });

  it('refuses an expired URL and one used for another key', async () => {
    await s3Client(v, v.root).send(new PutObjectCommand({ Bucket: 'shared', Key: 'a.txt', Body: 'a' }));
    const expired = await send(await presign('GET', 'a.txt', 60, new Date(Date.now() - 20 * 60_000)), v.caPem, 'GET');
    expect(expired.status).toBe(403);
    expect(expired.body.toString()).toContain('<Code>AccessDenied</Code>');
    const other = (await presign('GET', 'a.txt', 300)).replace('/shared/a.txt', '/shared/b.txt');
    const wrong = await send(other, v.caPem, 'GET');
    expect(wrong.status).toBe(403);
    expect(wrong.body.toString()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});
