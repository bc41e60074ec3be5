import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitOf, runVigil, serveVigil, type Served } from '../helpers/binary.js';

describe('vigil serve (the real binary)', () => {
  let dir: string;
  let first: Served;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-serve-'));
    first = await serveVigil(['--data-dir', dir, '--port', '0']);
  });
  afterAll(async () => {
    if (first?.child.exitCode === null) first.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('prints exactly one stdout line and creates the data dir on first start', async () => {
    expect(first.stdout).toEqual([`vigil: listening on ${first.url}`]);
    expect(first.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const credentials = await readFile(path.join(dir, 'credentials'), 'utf8');
    expect(credentials).toMatch(/^\[default\]\naws_access_key_id = AKIA[A-Z2-7]{16}\naws_secret_access_key = \S{40}\n/);
    expect((await stat(path.join(dir, 'credentials'))).mode & 0o777).toBe(0o600);
    const config = await readFile(path.join(dir, 'config'), 'utf8');
    expect(config).toContain('[default]');
    expect(config).toContain('region = us-east-1');
    expect(config).toContain(`endpoint_url = ${first.url}`);
    expect(await readFile(path.join(dir, 'tls', 'ca.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
    // The secret is announced once on stderr, never on stdout.
    const secret = /aws_secret_access_key = (\S+)/.exec(credentials)![1];
    expect(first.stderr).toContain(secret);
  });

  it('answers the SDK with the root credentials it wrote', async () => {
    const credentials = await readFile(path.join(dir, 'credentials'), 'utf8');
    const ca = await readFile(path.join(dir, 'tls', 'ca.pem'), 'utf8');
    const sts = new STSClient({
      region: 'us-east-1', endpoint: first.url,
      credentials: {
        accessKeyId: /aws_access_key_id = (\S+)/.exec(credentials)![1],
        secretAccessKey: /aws_secret_access_key = (\S+)/.exec(credentials)![1],
      },
      requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca }) }),
    });
    const who = await sts.send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toMatch(/^arn:aws:iam::\d{12}:root$/);
  });

  it('vigil env prints the export lines a shell needs', async () => {
    const r = await runVigil(['env', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`export AWS_SHARED_CREDENTIALS_FILE='${path.join(dir, 'credentials')}'`);
    expect(r.stdout).toContain(`export AWS_CA_BUNDLE='${path.join(dir, 'tls', 'ca.pem')}'`);
    expect(r.stdout).toContain(`export NODE_EXTRA_CA_CERTS='${path.join(dir, 'tls', 'ca.pem')}'`);
    expect(r.stdout).toContain(`export AWS_ENDPOINT_URL='${first.url}'`);
  });

  it('shuts down gracefully on SIGTERM with exit code 0', async () => {
    const exited = exitOf(first.child);
    first.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('restarts on the same data without printing a new key, and refuses a wrong master key', async () => {
    const again = await serveVigil(['--data-dir', dir, '--port', '0']);
    expect(again.stderr).not.toContain('aws_secret_access_key');
    const exited = exitOf(again.child);
    again.child.kill('SIGINT');
    expect(await exited).toBe(0);
    const wrong = await runVigil(['serve', '--data-dir', dir, '--port', '0'], { VIGIL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('master key does not match');
    expect(wrong.stdout).toBe('');
  });

  it('refuses a plaintext listener on a non-loopback address without --allow-insecure', async () => {
    const r = await runVigil(['serve', '--data-dir', dir, '--port', '0', '--listen', 'lan=0.0.0.0:0,plaintext']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/plaintext/i);
  });
});
