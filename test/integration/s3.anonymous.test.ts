import https from 'node:https';
import { CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../helpers/s3.js';
import type { TestVigil } from '../helpers/vigil.js';
import { startTestVigil } from '../helpers/vigil.js';

function request(v: TestVigil, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${v.url}${path}`, { method, ca: v.caPem }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('anonymous access to S3', () => {
  let v: TestVigil;
  beforeAll(async () => {
    v = await startTestVigil();
    const s3 = s3Client(v, v.root);
    for (const Bucket of ['public-site', 'private-data']) {
      await s3.send(new CreateBucketCommand({ Bucket }));
      await s3.send(new PutObjectCommand({ Bucket, Key: 'index.html', Body: `<h1>${Bucket}</h1>` }));
    }
    const off = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: 'public-site', PublicAccessBlockConfiguration: off }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'public-site', Policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::public-site/*' }],
    }) }));
  });
  afterAll(async () => { await v?.stop(); });

  it('reads an object a bucket policy makes public, with no signature at all', async () => {
    const r = await request(v, 'GET', '/public-site/index.html');
    expect(r.status).toBe(200);
    expect(r.body).toBe('<h1>public-site</h1>');
  });

  it('refuses everything the policy does not grant, and every bucket without such a policy', async () => {
    const put = await request(v, 'PUT', '/public-site/evil.html', 'x');
    expect(put.status).toBe(403);
    expect(put.body).toContain('<Code>AccessDenied</Code>');
    expect((await request(v, 'GET', '/public-site?list-type=2')).status).toBe(403);
    const priv = await request(v, 'GET', '/private-data/index.html');
    expect(priv.status).toBe(403);
    expect(priv.body).toContain('<Code>AccessDenied</Code>');
  });

  it('audits anonymous calls', async () => {
    await v.server.audit.flush();
    const events = await v.server.state.audit.list({ eventName: 'GetObject' });
    expect(events.some((e) => (e.userIdentity as { type: string }).type === 'AWSAccount' && !e.errorCode)).toBe(true);
    // Object-level calls are CloudTrail data events; bucket-level ones management events.
    expect(events.every((e) => e.eventCategory === 'Data' && e.managementEvent === false)).toBe(true);
    const created = await v.server.state.audit.list({ eventName: 'CreateBucket' });
    expect(created.length).toBeGreaterThan(0);
    expect(created.every((e) => e.eventCategory === 'Management' && e.managementEvent === true)).toBe(true);
  });
});
