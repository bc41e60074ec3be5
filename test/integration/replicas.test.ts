import { CreateAccessKeyCommand, CreateUserCommand, DeleteUserPolicyCommand, GetUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPgSchema } from '../../src/state/testing.js';
import { MasterKey } from '../../src/crypto/masterkey.js';
import type { Creds, TestVigil } from '../helpers/vigil.js';
import { startTestVigil } from '../helpers/vigil.js';

/** Two stateless replicas sharing one PostgreSQL: a change made through one is enforced by the other at once. */
describe('two replicas on one PostgreSQL', () => {
  let pg: { url: string; schema: string; drop(): Promise<void> };
  let a: TestVigil;
  let b: TestVigil;

  beforeAll(async () => {
    pg = await createTestPgSchema();
    const key = MasterKey.generate().toBase64();
    const shared = { database: pg.url, databaseSchema: pg.schema, env: { VIGIL_MASTER_KEY: key } };
    a = await startTestVigil(shared);
    b = await startTestVigil(shared);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await pg?.drop();
  });

  it('share one account and invalidate each other\'s credential caches through LISTEN/NOTIFY', async () => {
    expect(b.accountId).toBe(a.accountId);
    const iamA = new IAMClient(a.sdk(a.root));
    await iamA.send(new CreateUserCommand({ UserName: 'shared' }));
    await iamA.send(new PutUserPolicyCommand({ UserName: 'shared', PolicyName: 'p',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }] }) }));
    const k = await iamA.send(new CreateAccessKeyCommand({ UserName: 'shared' }));
    const creds: Creds = { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! };
    // Replica B resolves (and caches) the user's credentials and policies.
    expect((await new IAMClient(b.sdk(creds)).send(new GetUserCommand({}))).User?.UserName).toBe('shared');
    await iamA.send(new DeleteUserPolicyCommand({ UserName: 'shared', PolicyName: 'p' }));
    let name = '';
    for (let i = 0; i < 50 && name !== 'AccessDenied'; i++) {
      name = await new IAMClient(b.sdk(creds)).send(new GetUserCommand({})).then(() => 'allowed', (e: Error) => e.name);
      if (name !== 'AccessDenied') await new Promise((r) => setTimeout(r, 20));
    }
    expect(name).toBe('AccessDenied');
  });
});
