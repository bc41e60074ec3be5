import { DescribeKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateEndpointConfigCommand, DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { model as kms } from '../services/kms/api.generated.js';
import { model as sagemaker } from '../services/sagemaker/api.generated.js';
import { ServiceError } from './errors.js';
import { protocols } from './index.js';
import { modelError } from './model-errors.js';
import { clientConfig, rejection, REQUEST_ID, SdkHandler, type Impl } from './testing/sdk-harness.js';
import type { HttpRequest } from './types.js';

const json11 = protocols.awsJson1_1;
const created = new Date('2024-02-29T12:34:56.789Z');

function kmsClient(impl: Impl): { client: KMSClient; handler: SdkHandler } {
  const handler = new SdkHandler(json11, kms, impl);
  return { client: new KMSClient(clientConfig(handler)), handler };
}

function post(body: string, target = 'TrentService.Encrypt'): HttpRequest {
  return { method: 'POST', path: '/', rawQuery: '', headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' }, body: Buffer.from(body) };
}

describe('awsJson 1.1 with the real KMS and SageMaker SDK clients', () => {
  it('round-trips Encrypt: Uint8Array plaintext, EncryptionContext map, blob output', async () => {
    const plaintext = new Uint8Array([0, 1, 2, 250, 255]);
    const { client, handler } = kmsClient((_op, input) => ({
      CiphertextBlob: Buffer.concat([Buffer.from('ct:'), Buffer.from(input.Plaintext as Uint8Array)]),
      KeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd', EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    }));
    const out = await client.send(new EncryptCommand({
      KeyId: 'alias/capture', Plaintext: plaintext, EncryptionContext: { endpoint: 'fraud', 'aws:sagemaker:x': 'y' }, GrantTokens: ['g1'],
    }));

    expect(handler.last.request.headers['x-amz-target']).toBe('TrentService.Encrypt');
    expect(handler.last.input).toEqual({
      KeyId: 'alias/capture', Plaintext: Buffer.from(plaintext), EncryptionContext: { endpoint: 'fraud', 'aws:sagemaker:x': 'y' }, GrantTokens: ['g1'],
    });
    expect(Buffer.from(out.CiphertextBlob ?? [])).toEqual(Buffer.concat([Buffer.from('ct:'), Buffer.from(plaintext)]));
    expect(out.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(handler.last.response.headers).toMatchObject({ 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': REQUEST_ID });
  });

  it('writes dates as epoch seconds with milliseconds and nested lists', async () => {
    const { client, handler } = kmsClient(() => ({
      KeyMetadata: { KeyId: 'k1', Arn: 'arn:k1', CreationDate: created, Enabled: true, KeyState: 'Enabled', EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'], MultiRegion: false },
    }));
    const out = await client.send(new DescribeKeyCommand({ KeyId: 'k1' }));
    expect(out.KeyMetadata).toEqual({ KeyId: 'k1', Arn: 'arn:k1', CreationDate: created, Enabled: true, KeyState: 'Enabled', EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'], MultiRegion: false });
    expect(JSON.parse(String(handler.last.response.body)).KeyMetadata.CreationDate).toBe(1709210096.789);
  });

  it('surfaces modelled errors by shape name with message and status', async () => {
    const { client, handler } = kmsClient(() => {
      throw modelError(kms, 'NotFoundException', 'Key arn:k9 does not exist');
    });
    const err = await rejection(client.send(new DescribeKeyCommand({ KeyId: 'k9' })));
    expect(err).toMatchObject({ name: 'NotFoundException', message: 'Key arn:k9 does not exist', $metadata: { httpStatusCode: 400, requestId: REQUEST_ID } });
    expect(handler.last.response.headers['X-Amzn-ErrorType']).toBe('NotFoundException');
    expect(JSON.parse(String(handler.last.response.body))).toEqual({ __type: 'NotFoundException', message: 'Key arn:k9 does not exist' });
    expect(handler.last.response.headers['x-amzn-query-error']).toBeUndefined();
  });

  it('round-trips SageMaker CreateEndpointConfig with nested structures, floats and lists', async () => {
    const handler = new SdkHandler(json11, sagemaker, () => ({ EndpointConfigArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/ec' }));
    const client = new SageMakerClient(clientConfig(handler));
    const input = {
      EndpointConfigName: 'ec',
      ProductionVariants: [
        { VariantName: 'A', ModelName: 'm1', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' as const, InitialVariantWeight: 0.75 },
        { VariantName: 'B', ModelName: 'm2', InitialInstanceCount: 2, InstanceType: 'ml.m5.large' as const, InitialVariantWeight: 0.25 },
      ],
      DataCaptureConfig: {
        EnableCapture: true, InitialSamplingPercentage: 50, DestinationS3Uri: 's3://capture/fraud', KmsKeyId: 'alias/capture',
        CaptureOptions: [{ CaptureMode: 'Input' as const }, { CaptureMode: 'Output' as const }],
        CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'], JsonContentTypes: ['application/json'] },
      },
      Tags: [{ Key: 'team', Value: 'risk' }],
    };
    const out = await client.send(new CreateEndpointConfigCommand(input));
    expect(handler.last.operation).toBe('CreateEndpointConfig');
    expect(handler.last.input).toEqual(input);
    expect(out.EndpointConfigArn).toBe('arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/ec');
  });

  it('encodes DescribeEndpoint with timestamps inside nested lists', async () => {
    const resolved = new Date('2024-03-01T00:00:00.001Z');
    const output = {
      EndpointName: 'fraud', EndpointArn: 'arn:e', EndpointConfigName: 'ec', EndpointStatus: 'InService', CreationTime: created, LastModifiedTime: resolved,
      ProductionVariants: [{ VariantName: 'A', CurrentWeight: 1, DesiredWeight: 1, CurrentInstanceCount: 1, DesiredInstanceCount: 1,
        DeployedImages: [{ SpecifiedImage: 'img:1', ResolvedImage: 'img@sha256:x', ResolutionTime: resolved }] }],
    };
    const handler = new SdkHandler(json11, sagemaker, () => ({ ...output, InternalSecret: 'never sent' }));
    const out = await new SageMakerClient(clientConfig(handler)).send(new DescribeEndpointCommand({ EndpointName: 'fraud' }));
    const { $metadata: _m, ...rest } = out;
    expect(rest).toEqual(output);
    expect(String(handler.last.response.body)).not.toContain('never sent');
  });
});

describe('awsJson decoding of bad input', () => {
  const encrypt = kms.operations.Encrypt;

  it('takes the operation from the last dot of X-Amz-Target', () => {
    expect(json11.operationName(post('{}', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents'), kms)).toBe('LookupEvents');
    expect(json11.operationName(post('{}', 'TrentService.'), kms)).toBeUndefined();
    expect(json11.operationName({ ...post('{}'), headers: {} }, kms)).toBeUndefined();
  });

  it.each([
    ['malformed JSON', '{"KeyId": ', 'Malformed JSON body'],
    ['a JSON array body', '[1,2]', 'The request body must be a JSON object'],
    ['a string where a map is modelled', '{"EncryptionContext": "x"}', 'STRING_VALUE can not be converted to a Map'],
    ['an object where a string is modelled', '{"KeyId": {"a": 1}}', 'Start of structure or map found where not expected.'],
    ['a list where a string is modelled', '{"KeyId": [1]}', 'Start of list found where not expected'],
    ['bad base64 in a blob', '{"Plaintext": "not base64!"}', 'STRING_VALUE can not be converted to a Blob'],
    ['a number where a string is modelled', '{"KeyId": 5}', 'NUMBER_VALUE can not be converted to a String'],
  ])('answers %s with SerializationException', (_label, body, message) => {
    let caught: unknown;
    try {
      json11.decode(post(body), kms, encrypt);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ServiceError);
    expect(caught).toMatchObject({ code: 'SerializationException', httpStatus: 400 });
    expect((caught as Error).message).toContain(message);
  });

  it('rejects a string where an integer is modelled', () => {
    const decode = () => json11.decode(post('{"KeyId":"k","NumberOfBytes":"32"}'), kms, kms.operations.GenerateDataKey);
    expect(decode).toThrow(expect.objectContaining({ code: 'SerializationException', message: 'STRING_VALUE can not be converted to an Integer' }));
  });

  it('treats an empty body as {}, drops unknown members and accepts ISO timestamps', () => {
    expect(json11.decode(post(''), kms, encrypt)).toEqual({});
    expect(json11.decode(post('{"KeyId":"k","Bogus":1}'), kms, encrypt)).toEqual({ KeyId: 'k' });
    const req = post('{"MaxResults":5,"CreationTimeAfter":"2024-02-29T12:34:56.789Z","CreationTimeBefore":1709210096.789}', 'SageMaker.ListEndpoints');
    expect(json11.decode(req, sagemaker, sagemaker.operations.ListEndpoints)).toEqual({ MaxResults: 5, CreationTimeAfter: created, CreationTimeBefore: created });
  });

  it('keeps a __proto__ map key as data without polluting prototypes', () => {
    const input = json11.decode(post('{"EncryptionContext":{"__proto__":"x","a":"b"}}'), kms, encrypt);
    const context = input.EncryptionContext as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(context, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(context)).toBe(Object.prototype);
    expect(context.a).toBe('b');
    const nested = () => json11.decode(post('{"EncryptionContext":{"__proto__":{"polluted":"yes"}}}'), kms, encrypt);
    expect(nested).toThrow(expect.objectContaining({ code: 'SerializationException' }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bounds deep nesting of recursive shapes and survives huge lists', () => {
    let expr = '{"Filters":[{"Name":"x"}]}';
    for (let i = 0; i < 200; i++) expr = `{"SubExpressions":[${expr}]}`;
    const search = () => json11.decode(post(`{"Resource":"Endpoint","SearchExpression":${expr}}`, 'SageMaker.Search'), sagemaker, sagemaker.operations.Search);
    expect(search).toThrow(expect.objectContaining({ code: 'SerializationException' }));
    const deepArray = `{"KeyId":${'['.repeat(200000)}${']'.repeat(200000)}}`;
    expect(() => json11.decode(post(deepArray), kms, encrypt)).toThrow(ServiceError);
    const tokens = JSON.stringify({ KeyId: 'k', GrantTokens: Array.from({ length: 100000 }, (_, i) => `t${i}`) });
    expect((json11.decode(post(tokens), kms, encrypt).GrantTokens as string[]).length).toBe(100000);
  });

  it('adds x-amzn-query-error (query spelling) and the error\'s own headers in query mode', () => {
    const op = kms.operations.CreateKey;
    const res = protocols.awsJson1_0.encodeError(new ServiceError('ThrottlingException', 'Rate exceeded', { headers: { 'retry-after': '3' } }),
      { requestId: 'r', model: kms, operation: op, queryCompatible: true });
    expect(res.headers).toMatchObject({ 'x-amzn-query-error': 'Throttling;Sender', 'retry-after': '3', 'Content-Type': 'application/x-amz-json-1.0' });
  });
});
