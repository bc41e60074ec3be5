/**
 * The real AWS SDK for JavaScript v3 KMS client against the real gateway pipeline (SigV4, routing, awsJson 1.1
 * decode/validate/encode, authorization, audit), in process: wire compatibility without a listening server.
 */
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DisableKeyCommand, EnableKeyRotationCommand, EncryptCommand,
  GenerateDataKeyCommand, GetKeyRotationStatusCommand, KMSClient, ListKeyRotationsCommand, RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { HttpResponse as SdkResponse, type HttpRequest as SdkRequest } from '@smithy/protocol-http';
import { pino } from 'pino';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthThrottle } from '../../auth/throttle.js';
import { AuditWriter } from '../../gateway/audit-writer.js';
import { RequestMetrics } from '../../gateway/metrics.js';
import { runPipeline, type PipelineDeps } from '../../gateway/pipeline.js';
import { Router } from '../../gateway/router.js';
import { toHttpRequest } from '../../protocol/testing/sdk-harness.js';
import { systemClock } from '../../server/deps.js';
import { openState } from '../../state/index.js';
import type { StateBackend } from '../../state/types.js';
import { kmsHarness } from './testing.js';

/** Hands each SDK request to the gateway pipeline and the pipeline's response back to the SDK. */
class PipelineHandler {
  constructor(private readonly deps: PipelineDeps) {}

  async handle(sdkRequest: SdkRequest): Promise<{ response: SdkResponse }> {
    const request = await toHttpRequest(sdkRequest);
    const res = await runPipeline({
      requestId: 'sdk-test', receivedAt: new Date(), listener: { name: 'test', secure: true }, sourceIp: '127.0.0.1',
      userAgent: 'sdk-test', request, region: 'us-east-1',
    }, this.deps);
    const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    return { response: new SdkResponse({ statusCode: res.status, headers, body: res.body instanceof Readable ? res.body : Readable.from([Buffer.from(res.body)]) }) };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('KMS through the AWS SDK for JavaScript v3 and the gateway pipeline', () => {
  let state: StateBackend | undefined;
  afterEach(async () => {
    await state?.close();
  });

  async function setup() {
    state = await openState({ sqlitePath: ':memory:' });
    const h = await kmsHarness(state);
    const audit = new AuditWriter(state.audit, pino({ level: 'silent' }));
    const deps: PipelineDeps = {
      router: new Router([h.kms]), credentials: h.deps.credentials, throttle: new AuthThrottle(), audit,
      metrics: new RequestMetrics(), clock: systemClock, log: pino({ level: 'silent' }), skewSeconds: 300, maxBodyBytes: 1 << 20,
    };
    const client = new KMSClient({
      region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: h.rootKey, requestHandler: new PipelineHandler(deps), maxAttempts: 1,
    });
    return { h, client, audit };
  }

  it('creates, aliases, encrypts and decrypts with a context, and reports AWS errors by name', async () => {
    const { h, client, audit } = await setup();
    const key = (await client.send(new CreateKeyCommand({ Description: 'sdk' }))).KeyMetadata!;
    expect(key.Arn).toBe(`arn:aws:kms:us-east-1:123456789012:key/${key.KeyId}`);
    expect(key.CreationDate).toBeInstanceOf(Date);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/sdk', TargetKeyId: key.KeyId }));
    const secret = 'sdk secret value 42';
    const enc = await client.send(new EncryptCommand({ KeyId: 'alias/sdk', Plaintext: text(secret), EncryptionContext: { app: 'sdk' } }));
    expect(enc.KeyId).toBe(key.Arn);
    expect(enc.CiphertextBlob).toBeInstanceOf(Uint8Array);
    const dec = await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { app: 'sdk' } }));
    expect(new TextDecoder().decode(dec.Plaintext)).toBe(secret);
    expect(dec.KeyId).toBe(key.Arn);

    const wrong = await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { app: 'other' } })).catch((e: Error) => e);
    expect(wrong).toMatchObject({ name: 'InvalidCiphertextException', $metadata: { httpStatusCode: 400 } });

    const dk = await client.send(new GenerateDataKeyCommand({ KeyId: key.Arn, NumberOfBytes: 32, EncryptionContext: { app: 'sdk' } }));
    expect(dk.Plaintext).toHaveLength(32);
    expect(dk.KeyId).toBe(key.Arn);

    await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    const disabled = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') })).catch((e: Error) => e);
    expect(disabled).toMatchObject({ name: 'DisabledException', message: `${key.Arn} is disabled.` });

    // Audit records never carry plaintext or ciphertext.
    await audit.flush();
    const events = JSON.stringify(await h.state.audit.list({ limit: 1000 }));
    expect(events).toContain('"eventName":"Decrypt"');
    expect(events).not.toContain(Buffer.from(secret).toString('base64'));
    expect(events).not.toContain(Buffer.from(dk.Plaintext!).toString('base64'));
  });

  it('speaks the 2024 rotation API (RotationPeriodInDays, RotateKeyOnDemand, ListKeyRotations)', async () => {
    const { client } = await setup();
    const key = (await client.send(new CreateKeyCommand({}))).KeyMetadata!;
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 180 }));
    const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180, KeyId: key.Arn });
    expect(status.NextRotationDate).toBeInstanceOf(Date);
    const tooShort = await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 30 })).catch((e: Error) => e);
    expect(tooShort).toMatchObject({ name: 'ValidationException' });
    await client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const rotations = (await client.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!;
    expect(rotations).toHaveLength(1);
    expect(rotations[0]).toMatchObject({ KeyId: key.Arn, RotationType: 'ON_DEMAND' });
    expect(rotations[0].RotationDate).toBeInstanceOf(Date);
  });
});
