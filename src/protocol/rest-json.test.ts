import { InvokeEndpointAsyncCommand, InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { describe, expect, it } from 'vitest';
import { model as runtime } from '../services/sagemaker-runtime/api.generated.js';
import { ServiceError } from './errors.js';
import { protocols } from './index.js';
import { modelError } from './model-errors.js';
import { clientConfig, rejection, SdkHandler, type Impl } from './testing/sdk-harness.js';
import type { HttpRequest } from './types.js';
import { validateInput } from './validate.js';

const rest = protocols.restJson1;

function runtimeClient(impl: Impl): { client: SageMakerRuntimeClient; handler: SdkHandler } {
  const handler = new SdkHandler(rest, runtime, impl);
  return { client: new SageMakerRuntimeClient(clientConfig(handler)), handler };
}

function invoke(path: string, headers: Record<string, string> = {}, body = '{}', method = 'POST'): HttpRequest {
  return { method, path, rawQuery: '', headers, body: Buffer.from(body) };
}

describe('restJson1 with the real SageMaker Runtime SDK client', () => {
  it('round-trips InvokeEndpoint: path label, headers, raw blob body both ways', async () => {
    const payload = Buffer.from(JSON.stringify({ instances: [[0.1, 0.2, 0.3]] }));
    const { client, handler } = runtimeClient((_op, input) => ({
      Body: Buffer.from(`score for ${String(input.EndpointName)}: 0.97\n`),
      ContentType: 'text/csv', InvokedProductionVariant: 'A', CustomAttributes: input.CustomAttributes,
    }));
    const out = await client.send(new InvokeEndpointCommand({
      EndpointName: 'fraud-detector', Body: payload, ContentType: 'application/json', Accept: 'text/csv',
      CustomAttributes: 'trace=abc', TargetVariant: 'A', InferenceId: 'inf-1',
    }));

    expect(handler.last.request.path).toBe('/endpoints/fraud-detector/invocations');
    expect(handler.last.input).toEqual({
      EndpointName: 'fraud-detector', Body: payload, ContentType: 'application/json', Accept: 'text/csv',
      CustomAttributes: 'trace=abc', TargetVariant: 'A', InferenceId: 'inf-1',
    });
    expect(Buffer.from(out.Body ?? []).toString()).toBe('score for fraud-detector: 0.97\n');
    expect(out).toMatchObject({ ContentType: 'text/csv', InvokedProductionVariant: 'A', CustomAttributes: 'trace=abc' });
    expect(handler.last.response.headers['Content-Type']).toBe('text/csv');
  });

  it('round-trips InvokeEndpointAsync: 202 status, header output and JSON body member', async () => {
    const { client, handler } = runtimeClient((_op, input) => ({ InferenceId: 'inf-9', OutputLocation: `s3://out/${String(input.EndpointName)}.out` }));
    const out = await client.send(new InvokeEndpointAsyncCommand({ EndpointName: 'fraud', InputLocation: 's3://in/req.json', RequestTTLSeconds: 600 }));
    expect(handler.last.input).toEqual({ EndpointName: 'fraud', InputLocation: 's3://in/req.json', RequestTTLSeconds: 600 });
    expect(out).toMatchObject({ InferenceId: 'inf-9', OutputLocation: 's3://out/fraud.out', $metadata: { httpStatusCode: 202 } });
  });

  it('surfaces ModelError with its extra members and status 424', async () => {
    const { client, handler } = runtimeClient(() => {
      throw modelError(runtime, 'ModelError', 'Received server error (500) from primary', { OriginalStatusCode: 500, OriginalMessage: 'boom', LogStreamArn: 'arn:logs' });
    });
    const err = await rejection(client.send(new InvokeEndpointCommand({ EndpointName: 'fraud', Body: Buffer.from('x') })));
    expect(err).toMatchObject({ name: 'ModelError', message: 'Received server error (500) from primary', OriginalStatusCode: 500, OriginalMessage: 'boom', LogStreamArn: 'arn:logs' });
    expect(err.$metadata).toMatchObject({ httpStatusCode: 424 });
    expect(handler.last.response.headers['X-Amzn-ErrorType']).toBe('ModelError');
  });

  it('answers an unmodelled route as an unknown operation, which the SDK surfaces by name', async () => {
    const { handler } = runtimeClient(() => undefined);
    const res = handler.serve(invoke('/endpoints/x/unknown'));
    expect(res.response.status).toBe(400);
    expect(JSON.parse(String(res.response.body)).__type).toBe('UnknownOperationException');
  });
});

describe('restJson1 routing and decoding', () => {
  it('matches method and path template, URL-decoding labels', () => {
    expect(rest.operationName(invoke('/endpoints/a/invocations'), runtime)).toBe('InvokeEndpoint');
    expect(rest.operationName(invoke('/endpoints/a/async-invocations'), runtime)).toBe('InvokeEndpointAsync');
    expect(rest.operationName(invoke('/endpoints/a/invocations', {}, '', 'GET'), runtime)).toBeUndefined();
    expect(rest.operationName(invoke('/endpoints/a/b/invocations'), runtime)).toBeUndefined();
    const input = rest.decode(invoke('/endpoints/my%2Dep/invocations', { 'content-type': 'text/csv' }, '1,2'), runtime, runtime.operations.InvokeEndpoint);
    expect(input).toEqual({ EndpointName: 'my-ep', ContentType: 'text/csv', Body: Buffer.from('1,2') });
  });

  it('rejects a non-integer header and bad label encoding with SerializationException', () => {
    const bad = invoke('/endpoints/a/async-invocations', { 'x-amzn-sagemaker-requestttlseconds': 'soon', 'x-amzn-sagemaker-inputlocation': 's3://a/b' });
    expect(() => rest.decode(bad, runtime, runtime.operations.InvokeEndpointAsync)).toThrow(expect.objectContaining({ code: 'SerializationException' }));
    expect(() => rest.decode(invoke('/endpoints/%E0%A4%A/invocations'), runtime, runtime.operations.InvokeEndpoint)).toThrow(ServiceError);
  });

  it('leaves an empty body absent so validation reports the missing Body', () => {
    const op = runtime.operations.InvokeEndpoint;
    const input = rest.decode(invoke('/endpoints/a/invocations', {}, ''), runtime, op);
    expect(input).toEqual({ EndpointName: 'a' });
    expect(() => validateInput(runtime, op, input, 'json')).toThrow(
      "1 validation error detected: Value null at 'body' failed to satisfy constraint: Member must not be null");
  });
});
