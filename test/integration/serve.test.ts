import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/vigil.js');

interface Running { child: ChildProcess; stdout: string[]; stderr: string; url: string }

/** Starts the real `vigil serve` binary and waits for its one stdout line. */
function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const r: Running = { child, stdout: [], stderr: '', url: '' };
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        r.stdout.push(line);
        const m = /^vigil: listening on (https:\/\/\S+)$/.exec(line);
        if (m) { r.url = m[1]; resolve(r); }
      }
    });
    child.stderr!.on('data', (d: Buffer) => { r.stderr += d.toString(); });
    child.on('exit', (code) => reject(new Error(`vigil exited with ${code}: ${r.stderr}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | string | null> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? `signal ${signal}`)));
}

function runToExit(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('vigil serve (the real binary)', () => {
  let dir: string;
  let first: Running;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-serve-'));
    first = await serve(['--data-dir', dir, '--port', '0']);
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
    const r = await runToExit(['env', '--data-dir', dir]);
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
    const again = await serve(['--data-dir', dir, '--port', '0']);
    expect(again.stderr).not.toContain('aws_secret_access_key');
    const exited = exitOf(again.child);
    again.child.kill('SIGINT');
    expect(await exited).toBe(0);
    const wrong = await runToExit(['serve', '--data-dir', dir, '--port', '0'], { VIGIL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('master key does not match');
    expect(wrong.stdout).toBe('');
  });

  it('refuses a plaintext listener on a non-loopback address without --allow-insecure', async () => {
    const r = await runToExit(['serve', '--data-dir', dir, '--port', '0', '--listen', 'lan=0.0.0.0:0,plaintext']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/plaintext/i);
  });
});
