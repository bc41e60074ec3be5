import { decode, encode } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { model as cloudwatch } from '../services/cloudwatch/api.generated.js';
import { ServiceError } from './errors.js';
import { protocols } from './index.js';
import { modelError } from './model-errors.js';
import type { HttpRequest } from './types.js';

const cbor = protocols.rpcv2Cbor;
const ts = new Date('2019-07-15T23:28:33.359Z');
const HEADERS = { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor', accept: 'application/cbor' };

function call(op: string, body: Uint8Array): HttpRequest {
  return { method: 'POST', path: `/service/GraniteServiceVersion20100801/operation/${op}`, rawQuery: '', headers: HEADERS, body: Buffer.from(body) };
}

describe('rpcv2Cbor round trips with cbor-x', () => {
  it('decodes tag-1 timestamps, float lists and nested structures', () => {
    const body = encode({
      Namespace: 'Vigil', MetricData: [{ MetricName: 'Latency', Timestamp: ts, Values: [1.5, 2], Counts: [1, 1], Dimensions: [{ Name: 'EndpointName', Value: 'fraud' }] }],
    });
    expect(body.includes(0xc1)).toBe(true); // cbor-x writes Dates as tag 1 (epoch seconds), as Smithy requires
    const req = call('PutMetricData', body);
    expect(cbor.operationName(req, cloudwatch)).toBe('PutMetricData');
    expect(cbor.decode(req, cloudwatch, cloudwatch.operations.PutMetricData)).toEqual({
      Namespace: 'Vigil', MetricData: [{ MetricName: 'Latency', Timestamp: ts, Values: [1.5, 2], Counts: [1, 1], Dimensions: [{ Name: 'EndpointName', Value: 'fraud' }] }],
    });
  });

  it('encodes output as CBOR with Dates, byte strings and the protocol headers', () => {
    const op = cloudwatch.operations.GetMetricStatistics;
    const res = cbor.encode({ Label: 'L', Datapoints: [{ Timestamp: ts, Average: 1.5, ExtendedStatistics: { p99: 2 } }] }, { requestId: 'r-1', model: cloudwatch, operation: op });
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ 'Content-Type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor', 'x-amzn-RequestId': 'r-1' });
    expect(decode(res.body as Buffer)).toEqual({ Label: 'L', Datapoints: [{ Timestamp: ts, Average: 1.5, ExtendedStatistics: { p99: 2 } }] });

    const image = cbor.encode({ MetricWidgetImage: new Uint8Array([137, 80, 78, 71]) }, { requestId: 'r', model: cloudwatch, operation: cloudwatch.operations.GetMetricWidgetImage });
    const raw = res.body as Buffer;
    expect(raw.subarray(0, 1)[0] >> 5).toBe(5); // a CBOR map, not a cbor-x record
    expect(Buffer.from(decode(image.body as Buffer).MetricWidgetImage)).toEqual(Buffer.from([137, 80, 78, 71]));
    expect((image.body as Buffer).includes(Buffer.from([0x44, 137, 80, 78, 71]))).toBe(true); // untagged byte string
  });

  it('encodes errors as CBOR {__type, message} with x-amzn-query-error in query mode', () => {
    const err = modelError(cloudwatch, 'ResourceNotFound', 'Alarm a does not exist');
    const res = cbor.encodeError(err, { requestId: 'r-2', model: cloudwatch, queryCompatible: true });
    expect(res.status).toBe(404);
    expect(res.headers).toMatchObject({ 'smithy-protocol': 'rpc-v2-cbor', 'Content-Type': 'application/cbor', 'x-amzn-query-error': 'ResourceNotFound;Sender' });
    expect(res.headers['X-Amzn-ErrorType']).toBeUndefined();
    expect(decode(res.body as Buffer)).toEqual({ __type: 'ResourceNotFound', message: 'Alarm a does not exist' });
    const plain = cbor.encodeError(err, { requestId: 'r-2' });
    expect(plain.headers['x-amzn-query-error']).toBeUndefined();
  });

  it('treats an empty body as {} and reads an empty-input operation', () => {
    expect(cbor.decode(call('ListDashboards', new Uint8Array()), cloudwatch, cloudwatch.operations.ListDashboards)).toEqual({});
    expect(cbor.operationName({ ...call('x', new Uint8Array()), path: '/service/S/operation/' }, cloudwatch)).toBeUndefined();
  });
});

describe('rpcv2Cbor bad input', () => {
  const op = cloudwatch.operations.PutMetricData;
  const cases: [string, Uint8Array][] = [
    ['truncated CBOR', encode({ Namespace: 'x', MetricData: [] }).subarray(0, 5)],
    ['a bare break byte', Uint8Array.from([0xff])],
    ['trailing bytes after the map', Uint8Array.from([...encode({ Namespace: 'x' }), 0x01, 0x02])],
    ['an array root', encode([1, 2, 3])],
    ['a text string where a list is modelled', encode({ MetricData: 'nope' })],
    ['a text string where a double is modelled', encode({ MetricData: [{ MetricName: 'm', Value: 'one' }] })],
    ['an array claiming 2^32 elements', Uint8Array.from([0xa1, 0x6a, ...Buffer.from('MetricData'), 0x9b, 0, 0, 0, 1, 0, 0, 0, 0])],
    ['a map claiming 2^31 entries', Uint8Array.from([0xba, 0x80, 0, 0, 0])],
    ['deep nesting', Uint8Array.from([...Array(100000).fill(0x81), 0x01])],
  ];

  it.each(cases)('answers %s with SerializationException', (_label, body) => {
    let caught: unknown;
    try {
      cbor.decode(call('PutMetricData', body), cloudwatch, op);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ServiceError);
    expect(caught).toMatchObject({ code: 'SerializationException', httpStatus: 400 });
  });

  it('survives huge lists', () => {
    const values = Array.from({ length: 150000 }, (_, i) => i / 2);
    const input = cbor.decode(call('PutMetricData', encode({ Namespace: 'n', MetricData: [{ MetricName: 'm', Values: values }] })), cloudwatch, op);
    expect((input.MetricData as { Values: number[] }[])[0].Values).toHaveLength(150000);
  });
});
