/**
 * The production vault (createS3Vault) against a real in-process Vigil: SSE-KMS asks KMS as the caller, SSE-S3
 * as Vigil's S3 service under the account's alias/aws/s3 key, both through the gateway (authorized, audited).
 */
import { CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowPolicy, makeUser } from '../../../test/helpers/kms.js';
import { startTestVigil, type TestVigil } from '../../../test/helpers/vigil.js';
import type { Principal } from '../../auth/types.js';
import { ServiceError } from '../../protocol/errors.js';
import { FsBlobStore } from '../../state/blobs/fs-blob-store.js';
import { chunked, readAll } from '../../state/blobs/testing.js';
import type { EnvelopeVault } from './vault.js';
import { createS3Vault } from './vault-wiring.js';

const REGION = 'us-east-1';
const ctx = { 'aws:s3:arn': 'arn:aws:s3:::bucket/report.csv' };

describe('createS3Vault through a real Vigil', () => {
  let v: TestVigil;
  let dir: string;
  let vault: EnvelopeVault;
  let keyArn: string;
  const who: Record<string, Principal> = {};

  beforeAll(async () => {
    v = await startTestVigil();
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-vault-kms-'));
    vault = createS3Vault(v.server.deps, new FsBlobStore(dir));
    keyArn = (await new KMSClient(v.sdk(v.root)).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const users = {
      owner: allowPolicy(['kms:GenerateDataKey', 'kms:Decrypt'], keyArn),
      writeOnly: allowPolicy('kms:GenerateDataKey', keyArn),
      noKms: undefined,
      denyKms: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'kms:*', Resource: '*' }] }),
    };
    for (const [name, policy] of Object.entries(users)) {
      const u = await makeUser(v, `vault-${name}`, policy);
      who[name] = (await v.server.deps.credentials.resolve(u.creds.accessKeyId))!.principal;
    }
  });
  afterAll(async () => {
    await v?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const write = (p: string, body: string, kmsKeyId?: string) =>
    vault.write(chunked(Buffer.from(body)), { principal: who[p], region: REGION, kmsKeyId, context: ctx });
  const read = (p: string, blobId: string) => vault.read(blobId, { principal: who[p], region: REGION, context: ctx });

  it('SSE-KMS: readable only by a principal with kms:Decrypt on the key; the denial rejects read() itself', async () => {
    const w = await write('owner', 'quarterly numbers', keyArn);
    expect(w.keyArn).toBe(keyArn);
    expect((await readAll(await read('owner', w.blobId))).toString()).toBe('quarterly numbers');
    const denied = await read('writeOnly', w.blobId).then(() => undefined, (e: unknown) => e);
    expect(denied).toBeInstanceOf(ServiceError);
    expect((denied as ServiceError).code).toBe('AccessDeniedException');
    await expect(write('noKms', 'x', keyArn)).rejects.toMatchObject({ code: 'AccessDeniedException' });
  });

  it('SSE-S3: no KMS permission needed (not even against an explicit Deny), under the account\'s aws/s3 key', async () => {
    const w = await write('denyKms', 'sse-s3 body');
    const managed = await new KMSClient(v.sdk(v.root)).send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }));
    expect(w.keyArn).toBe(managed.KeyMetadata!.Arn);
    expect(managed.KeyMetadata!.KeyManager).toBe('AWS');
    expect((await readAll(await read('noKms', w.blobId))).toString()).toBe('sse-s3 body');
    await v.server.audit.flush();
    const events = (await v.server.state.audit.list({ eventName: 'GenerateDataKey', limit: 1000 }))
      .filter((e) => (e.requestParameters as { keyId?: string } | null)?.keyId === w.keyArn);
    expect(events.length).toBeGreaterThan(0);
    expect(events[0].userIdentity).toMatchObject({ type: 'AWSService', arn: 's3.amazonaws.com', invokedBy: 's3.amazonaws.com' });
  });

  it('SSE-KMS under the default key (alias/aws/s3): as the caller, allowed through S3 by the managed key policy', async () => {
    const w = await write('noKms', 'default key', 'alias/aws/s3');
    expect((await readAll(await read('noKms', w.blobId))).toString()).toBe('default key');
    // An explicit Deny in the caller's own policy still applies: this is the caller's KMS call, not S3's.
    await expect(write('denyKms', 'x', 'alias/aws/s3')).rejects.toMatchObject({ code: 'AccessDeniedException' });
  });
});
