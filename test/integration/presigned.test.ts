import https from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { CreateLoginProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestVigil } from '../helpers/vigil.js';
import { startTestVigil } from '../helpers/vigil.js';

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('presigned URLs and unimplemented operations', () => {
  let v: TestVigil;
  beforeAll(async () => { v = await startTestVigil(); });
  afterAll(async () => { await v?.stop(); });

  async function presign(expiresIn: number, signingDate?: Date): Promise<string> {
    const u = new URL(v.url);
    const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: v.root, sha256: Sha256 });
    const req = await signer.presign(new HttpRequest({
      method: 'GET', protocol: 'https:', hostname: u.hostname, port: Number(u.port), path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { host: u.host },
    }), { expiresIn, signingDate });
    const q = new URLSearchParams(req.query as Record<string, string>).toString();
    return `${v.url}/?${q}`;
  }

  it('a presigned GET authenticates like a signed request', async () => {
    const r = await get(await presign(300), v.caPem);
    expect(r.status).toBe(200);
    expect(r.body).toContain(`<Arn>arn:aws:iam::${v.accountId}:root</Arn>`);
  });

  it('an expired presigned URL is refused, and a tampered one does not verify', async () => {
    const old = await presign(60, new Date(Date.now() - 120_000));
    const expired = await get(old, v.caPem);
    expect(expired.status).toBe(403);
    expect(expired.body).toContain('<Code>AccessDenied</Code>');
    expect(expired.body).toContain('Request has expired');
    const tampered = await get((await presign(300)).replace('GetCallerIdentity', 'GetSessionToken'), v.caPem);
    expect(tampered.status).toBe(403);
    expect(tampered.body).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('answers the load-balancer health probe without a signature', async () => {
    const r = await get(`${v.url}/_vigil/health`, v.caPem);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ status: 'ok' });
  });

  it('a modelled operation Vigil does not implement answers 501 NotImplemented by name', async () => {
    const iam = new IAMClient(v.sdk(v.root));
    const err = await iam.send(new CreateLoginProfileCommand({ UserName: 'x', Password: 'p@ssW0rd!' })).catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    expect((err as Error).name).toBe('NotImplemented');
    expect((err as Error).message).toContain('CreateLoginProfile');
    expect((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(501);
  });
});
