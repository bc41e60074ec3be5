/** Routing with S3 beside the JSON, query and REST-JSON services: signing name first, S3 as the unsigned default. */
import { describe, expect, it } from 'vitest';
import type { HttpRequest, ProtocolName } from '../protocol/types.js';
import type { ServiceModel } from '../protocol/schema.js';
import { model as kms } from '../services/kms/api.generated.js';
import { model as s3 } from '../services/s3/api.generated.js';
import { model as runtime } from '../services/sagemaker-runtime/api.generated.js';
import { model as sts } from '../services/sts/api.generated.js';
import type { ServiceDefinition } from '../services/types.js';
import { Router } from './router.js';

function svc(name: string, signingName: string, model: ServiceModel, protocols: ProtocolName[], pathPrefix?: string): ServiceDefinition {
  return { name, signingName, actionPrefix: signingName, eventSource: `${signingName}.amazonaws.com`, model, protocols, pathPrefix, operations: {} };
}

const router = new Router([
  svc('kms', 'kms', kms, ['awsJson1_1']),
  svc('sts', 'sts', sts, ['awsQuery']),
  svc('sagemaker-runtime', 'sagemaker', runtime, ['restJson1'], '/endpoints/'),
  svc('s3', 's3', s3, ['restXml']),
]);

const auth = (service: string) => `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

function req(method: string, target: string, headers: Record<string, string> = {}, body = ''): HttpRequest {
  const [path, rawQuery = ''] = target.split('?');
  return { method, path, rawQuery, headers: { host: 'localhost:4566', ...headers }, body: Buffer.from(body) };
}

const routed = (r: HttpRequest) => {
  const { service, protocol } = router.route(r);
  return `${service.name}/${protocol}`;
};

describe('router: S3', () => {
  it('chooses S3 by the signing name in the Authorization header', () => {
    expect(routed(req('PUT', '/bucket/key', { authorization: auth('s3') }))).toBe('s3/restXml');
    expect(routed(req('GET', '/', { authorization: auth('s3') }))).toBe('s3/restXml');
  });

  it('chooses S3 by the presigned X-Amz-Credential', () => {
    const q = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240501%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=00';
    expect(routed(req('GET', `/bucket/key?${q}`))).toBe('s3/restXml');
  });

  it('sends unsigned requests that name no other service to S3 (anonymous access)', () => {
    expect(routed(req('GET', '/public-bucket/report.html'))).toBe('s3/restXml');
    expect(routed(req('GET', '/report.html', { host: 'public-bucket.localhost:4566' }))).toBe('s3/restXml');
    expect(routed(req('HEAD', '/public-bucket'))).toBe('s3/restXml');
  });

  it('keeps unsigned query, JSON and CBOR calls away from S3', () => {
    expect(routed(req('POST', '/', { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15'))).toBe('sts/awsQuery');
    expect(routed(req('GET', '/?Action=AssumeRoleWithWebIdentity&Version=2011-06-15'))).toBe('sts/awsQuery');
    expect(() => router.route(req('GET', '/?Action=ListUsers&Version=2010-05-08'))).toThrow(/names no service/);
    expect(() => router.route(req('POST', '/', { 'x-amz-target': 'Nope.Op' }))).toThrow(/X-Amz-Target/);
    expect(() => router.route(req('POST', '/service/X/operation/Y', { 'smithy-protocol': 'rpc-v2-cbor' }))).toThrow(/rpc-v2-cbor/);
    expect(routed(req('POST', '/', { 'x-amz-target': 'TrentService.ListKeys', 'content-type': 'application/x-amz-json-1.1' }))).toBe('kms/awsJson1_1');
  });

  it('leaves other signing names alone', () => {
    expect(routed(req('POST', '/endpoints/e/invocations', { authorization: auth('sagemaker') }))).toBe('sagemaker-runtime/restJson1');
    expect(() => router.route(req('GET', '/bucket', { authorization: auth('s4') }))).toThrow(/signing name/);
  });

  it('without an S3 service, unsigned unknown requests still fail by name', () => {
    const bare = new Router([svc('kms', 'kms', kms, ['awsJson1_1'])]);
    expect(() => bare.route(req('GET', '/bucket/key'))).toThrow(/names no service/);
  });
});
