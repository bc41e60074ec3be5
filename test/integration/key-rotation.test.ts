import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand, GetUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, describe, expect, it } from 'vitest';
import { runVigil, serveVigil, stopVigil } from '../helpers/binary.js';

describe('vigil master-key rotate', () => {
  let dir: string;
  afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

  it('re-wraps the data under a new key while a server keeps serving; the old key no longer opens it', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-rotate-'));
    const first = await serveVigil(['--data-dir', dir, '--port', '0']);
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

    const rotated = await runVigil(['master-key', 'rotate', '--data-dir', dir]);
    expect(rotated.stderr).toContain('master key rotated');
    expect(rotated.code).toBe(0);
    const newKey = (await readFile(path.join(dir, 'master.key'), 'utf8')).trim();
    expect(newKey).not.toBe(oldKey);

    // The running server still serves, including a key it has not resolved before.
    const k2 = await iam.send(new CreateAccessKeyCommand({ UserName: 'kept' }));
    expect((await client(first.url, user).send(new GetUserCommand({}))).User?.UserName).toBe('kept');
    await stopVigil(first.child);

    const again = await serveVigil(['--data-dir', dir, '--port', '0']);
    expect((await client(again.url, user).send(new GetUserCommand({}))).User?.UserName).toBe('kept');
    const second = { accessKeyId: k2.AccessKey!.AccessKeyId!, secretAccessKey: k2.AccessKey!.SecretAccessKey! };
    expect((await client(again.url, second).send(new GetUserCommand({}))).User?.UserName).toBe('kept');
    await stopVigil(again.child);

    const withOld = await runVigil(['serve', '--data-dir', dir, '--port', '0'], { VIGIL_MASTER_KEY: oldKey });
    expect(withOld.code).not.toBe(0);
    expect(withOld.stderr).toContain('master key does not match');
    const wrongRotate = await runVigil(['master-key', 'rotate', '--data-dir', dir, '--new-master-key-file', path.join(dir, 'x.key')], { VIGIL_MASTER_KEY: oldKey });
    expect(wrongRotate.code).not.toBe(0);
  });
});
