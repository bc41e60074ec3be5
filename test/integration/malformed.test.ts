import { randomBytes } from 'node:crypto';
import https from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestVigil } from '../helpers/vigil.js';
import { startTestVigil } from '../helpers/vigil.js';
import { mulberry32 } from '../../src/util/prng.js';

interface Sent { method: string; path: string; headers: Record<string, string>; body: Buffer; signed?: boolean }
interface Got { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

const rng = mulberry32;

const pick = <T,>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const BODIES: readonly ((r: () => number) => Buffer)[] = [
  () => Buffer.alloc(0),
  (r) => randomBytes(Math.floor(r() * 2048)),
  () => Buffer.from('{"UserName": "bob", '),
  () => Buffer.from('{"a":'.repeat(5000)),
  () => Buffer.from('Action=CreateUser&Version=2010-05-08&UserName=' + 'x'.repeat(300)),
  () => Buffer.from('Action=PutUserPolicy&Version=2010-05-08&UserName=root-test&PolicyName=p&PolicyDocument=%7B%22Statement%22%3A'),
  () => Buffer.from('Action=CreateUser&Version=2010-05-08&UserName=%ZZ%'),
  () => Buffer.from('Action=GetUser&Version=2010-05-08&' + 'a.member.1=x&'.repeat(3000)),
  () => Buffer.from('Action=SimulateCustomPolicy&Version=2010-05-08&PolicyInputList.member.1=%7B%7D&ActionNames.member.1=iam%3AGetUser'),
  () => Buffer.from('Action=NoSuchThing&Version=2010-05-08'),
  () => Buffer.from('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'),
  () => Buffer.from([0xbf, 0x61, 0x61, 0x9f, 0x9f, 0x9f]), // truncated CBOR
  () => Buffer.from('Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx&RoleSessionName=%00%01'),
  () => Buffer.alloc(17 * 1024 * 1024, 0x61), // over the 16 MiB body limit
];

const AUTH_HEADERS: readonly string[] = [
  'AWS4-HMAC-SHA256',
  'AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=',
  'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00',
  'AWS4-HMAC-SHA256 Credential=AKIA/2015/x, SignedHeaders=host;x-amz-date, Signature=' + 'f'.repeat(64),
  'Basic dXNlcjpwYXNz',
  'AWS4-HMAC-SHA256 Credential=' + 'A'.repeat(5000),
  'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20150830/us-east-1/iam/aws4_request SignedHeaders=host Signature=abc',
];

function request(url: string, agent: https.Agent, s: Sent): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${url}${s.path}`, { method: s.method, headers: s.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(s.body);
  });
}

/** True when the body is one of the AWS error encodings (JSON __type, query ErrorResponse, CBOR). */
function awsShaped(got: Got): boolean {
  const ct = String(got.headers['content-type'] ?? '');
  const text = got.body.toString('utf8');
  if (ct.includes('json')) {
    try { return typeof (JSON.parse(text) as { __type?: unknown }).__type === 'string'; } catch { return false; }
  }
  // Query services answer <ErrorResponse><Error>…; S3 (the default for bare REST requests) answers <Error>….
  if (ct.includes('xml')) return /<(ErrorResponse|Error)[\s>][\s\S]*<Code>[^<]+<\/Code>/.test(text);
  if (ct.includes('cbor')) return got.body.length > 0;
  return false;
}

describe('a corpus of malformed and random requests', () => {
  let v: TestVigil;
  let agent: https.Agent;
  let signer: SignatureV4;

  beforeAll(async () => {
    v = await startTestVigil({ authBurst: 100_000 });
    agent = new https.Agent({ ca: v.caPem, keepAlive: true, maxSockets: 16 });
    signer = new SignatureV4({ service: 'iam', region: 'us-east-1', credentials: v.root, sha256: Sha256, applyChecksum: false });
  });
  afterAll(async () => { agent?.destroy(); await v?.stop(); });

  async function build(i: number): Promise<Sent> {
    const r = rng(i);
    const body = pick(r, BODIES)(r);
    const headers: Record<string, string> = {};
    const ct = pick(r, ['application/x-www-form-urlencoded; charset=utf-8', 'application/x-amz-json-1.1', 'application/x-amz-json-1.0', 'application/cbor', 'text/xml', '']);
    if (ct) headers['content-type'] = ct;
    if (r() < 0.3) headers['x-amz-target'] = pick(r, ['SageMaker.ListEndpoints', 'TrentService.Encrypt', 'Nope.Nope', '.', 'a'.repeat(300)]);
    if (r() < 0.1) headers['smithy-protocol'] = 'rpc-v2-cbor';
    const path = pick(r, ['/', '/', '/endpoints/x/invocations', '/service/GraniteServiceVersion20100801/operation/PutMetricData', '/%ZZ', '/..//a?b']);
    if (r() < 0.5 && body.length < 1024 * 1024) {
      // Validly signed by root, so the malformed body reaches the protocol decoders.
      const host = new URL(v.url).host;
      const signed = await signer.sign(new HttpRequest({ method: 'POST', protocol: 'https:', hostname: '127.0.0.1', path: '/',
        headers: { ...headers, host }, body }));
      return { method: 'POST', path: '/', headers: signed.headers, body, signed: true };
    }
    if (r() < 0.8) headers.authorization = pick(r, AUTH_HEADERS);
    return { method: pick(r, ['POST', 'GET', 'PUT', 'DELETE', 'PATCH']), path, headers, body };
  }

  it('answers every one with an AWS-shaped 4xx/501, never a crash, a hang or a leak', async () => {
    const N = 3000;
    const failures: string[] = [];
    let next = 0;
    const secret = v.root.secretAccessKey;
    let notHttp = 0;
    const worker = async () => {
      while (next < N) {
        const i = next++;
        const sent = await build(i);
        const got = await request(v.url, agent, sent).catch((e: Error) => ({ status: -1, headers: {}, body: Buffer.from(e.message) }));
        const text = got.body.toString('utf8');
        // Bytes that are not HTTP (a GET body without framing) are refused before any API call exists to audit.
        if (text.includes('"__type":"BadRequest"')) notHttp++;
        // AWS ignores parameters an operation does not have, so a validly signed call may succeed.
        const success = sent.signed === true && got.status === 200 && text.includes('<ResponseMetadata>');
        const ok = success || ((got.status >= 400 && got.status < 500 || got.status === 501) && awsShaped(got));
        if (!ok || text.includes(secret) || /\bat .+\.(ts|js):\d+/.test(text)) {
          failures.push(`#${i} ${sent.method} ${sent.path} -> ${got.status} ${text.slice(0, 200)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(failures.slice(0, 20)).toEqual([]);

    // Still healthy afterwards: a correct call still works.
    const sts = new STSClient(v.sdk(v.root));
    const who = await sts.send(new GetCallerIdentityCommand({}));
    expect(who.Account).toBe(v.accountId);
    // Every request was audited, none carries a secret.
    await v.server.audit.flush();
    const events = await v.server.state.audit.list({ limit: 100_000 });
    expect(events.length).toBeGreaterThanOrEqual(N - notHttp);
    expect(notHttp).toBeLessThan(N / 2);
    expect(JSON.stringify(events)).not.toContain(secret);
  });
});

describe('failed authentications', () => {
  it('are throttled per source address after the burst, with an AWS-shaped Throttling error, and audited', async () => {
    const v = await startTestVigil({ authBurst: 3 });
    try {
      const bad = new STSClient(v.sdk({ accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x'.repeat(40) }));
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) codes.push(await bad.send(new GetCallerIdentityCommand({})).then(() => 'ok', (e: Error) => e.name));
      expect(codes.slice(0, 3)).toEqual(['InvalidClientTokenId', 'InvalidClientTokenId', 'InvalidClientTokenId']);
      expect(codes.slice(3)).toEqual(['Throttling', 'Throttling']);
      // The throttle is per address and applies to valid credentials from it too until it refills.
      const good = await new STSClient(v.sdk(v.root)).send(new GetCallerIdentityCommand({})).catch((e: Error) => e.name);
      expect(good).toBe('Throttling');
      await v.server.audit.flush();
      const events = await v.server.state.audit.list({ limit: 100 });
      expect(events.filter((e) => e.errorCode === 'Throttling')).toHaveLength(3);
      expect(events.filter((e) => e.errorCode === 'InvalidClientTokenId')).toHaveLength(3);
    } finally {
      await v.stop();
    }
  });
});

describe('header names that are also Object property names', () => {
  it('are plain headers: a signed call carrying them still verifies and succeeds', async () => {
    const v = await startTestVigil();
    try {
      const host = new URL(v.url).host;
      const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: v.root, sha256: Sha256, applyChecksum: false });
      const body = 'Action=GetCallerIdentity&Version=2011-06-15';
      const signed = await signer.sign(new HttpRequest({ method: 'POST', protocol: 'https:', hostname: '127.0.0.1', path: '/',
        headers: { host, 'content-type': 'application/x-www-form-urlencoded', constructor: 'a', tostring: 'b', hasownproperty: 'c' }, body }));
      const agent = new https.Agent({ ca: v.caPem });
      const got = await request(v.url, agent, { method: 'POST', path: '/', headers: { ...signed.headers, __proto__: 'd' } as Record<string, string>, body: Buffer.from(body) });
      agent.destroy();
      expect(got.status).toBe(200);
      expect(got.body.toString()).toContain(`<Account>${v.accountId}</Account>`);
    } finally {
      await v.stop();
    }
  });
});
