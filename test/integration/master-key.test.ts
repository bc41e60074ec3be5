import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand, GetUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/vigil.js');

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function serve(dir: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dir, '--port', '0'], { env: { PATH: process.env.PATH, ...env } });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      const m = /listening on (\S+)/.exec(d.toString());
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}

describe('vigil master-key rotate', () => {
  let dir: string;
  afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

  it('re-wraps the data under a new key while a server keeps serving; the old key no longer opens it', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-rotate-'));
    const first = await serve(dir);
    const creds = await readFile(path.join(dir, 'credentials'), 'utf8');
    const root = { accessKeyId: /aws_access_key_id = (\S+)/.exec(creds)![1], secretAccessKey: /aws_secret_access_key = (\S+)/.exec(creds)![1] };
    const ca = await readFile(path.join(dir, 'tls', 'ca.pem'), 'utf8');
    const client = (url: string, c: typeof root) => new IAMClient({ region: 'us-east-1', endpoint: url, credentials: c,
      requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca }) }) });
    const iam = client(first.url, root);
    await iam.send(new CreateUserCommand({ UserName: 'kept' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'kept', PolicyName: 'p',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }] }) }));
    const k = await iam.send(new CreateAccessKeyCommand({ UserName: 'kept' }));
    const user = { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! };
    const oldKey = (await readFile(path.join(dir, 'master.key'), 'utf8')).trim();

    const rotated = await run(['master-key', 'rotate', '--data-dir', dir]);
    expect(rotated.stderr).toContain('master key rotated');
    expect(rotated.code).toBe(0);
    const newKey = (await readFile(path.join(dir, 'master.key'), 'utf8')).trim();
    expect(newKey).not.toBe(oldKey);

    // The running server still serves, including a key it has not resolved before.
    const k2 = await iam.send(new CreateAccessKeyCommand({ UserName: 'kept' }));
    expect((await client(first.url, user).send(new GetUserCommand({}))).User?.UserName).toBe('kept');
    await stop(first.child);

    const again = await serve(dir);
    expect((await client(again.url, user).send(new GetUserCommand({}))).User?.UserName).toBe('kept');
    const second = { accessKeyId: k2.AccessKey!.AccessKeyId!, secretAccessKey: k2.AccessKey!.SecretAccessKey! };
    expect((await client(again.url, second).send(new GetUserCommand({}))).User?.UserName).toBe('kept');
    await stop(again.child);

    const withOld = await run(['serve', '--data-dir', dir, '--port', '0'], { VIGIL_MASTER_KEY: oldKey });
    expect(withOld.code).not.toBe(0);
    expect(withOld.stderr).toContain('master key does not match');
    const wrongRotate = await run(['master-key', 'rotate', '--data-dir', dir, '--new-master-key-file', path.join(dir, 'x.key')], { VIGIL_MASTER_KEY: oldKey });
    expect(wrongRotate.code).not.toBe(0);
  });
});
