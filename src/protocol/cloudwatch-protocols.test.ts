/**
 * CloudWatch speaks three protocols (aws-semantics.md §0). The same provider output must reach a client intact
 * over each: JSON 1.0 (the JS SDK's default), query (older CLIs; also the SDK with its query protocol class) and
 * RPC v2 CBOR (newer SDKs; here the SDK's own CBOR protocol class).
 */
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { CloudWatchClient, GetMetricStatisticsCommand, PutMetricDataCommand, type PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { model as cloudwatch } from '../services/cloudwatch/api.generated.js';
import { CommonErrors } from './errors.js';
import { protocols } from './index.js';
import { modelError } from './model-errors.js';
import type { ProtocolName } from './types.js';
import { clientConfig, rejection, SdkHandler, type Impl } from './testing/sdk-harness.js';

const ts = new Date('2019-07-15T23:28:33.359Z');
const putInput: PutMetricDataCommandInput = {
  Namespace: 'Vigil/Endpoints',
  MetricData: [
    { MetricName: 'Latency', Dimensions: [{ Name: 'EndpointName', Value: 'fraud' }, { Name: 'Variant', Value: 'A' }],
      Timestamp: ts, Values: [1.5, 2.25], Counts: [3, 1], Unit: 'Milliseconds', StorageResolution: 1 },
    { MetricName: 'Invocations', Value: 42, StatisticValues: { SampleCount: 2, Sum: 42, Minimum: 20, Maximum: 22 } },
  ],
};
const expectedPut = {
  Namespace: 'Vigil/Endpoints',
  MetricData: [
    { MetricName: 'Latency', Dimensions: [{ Name: 'EndpointName', Value: 'fraud' }, { Name: 'Variant', Value: 'A' }],
      Timestamp: ts, Values: [1.5, 2.25], Counts: [3, 1], Unit: 'Milliseconds', StorageResolution: 1 },
    { MetricName: 'Invocations', Value: 42, StatisticValues: { SampleCount: 2, Sum: 42, Minimum: 20, Maximum: 22 } },
  ],
};
const statistics = {
  Label: 'Latency',
  Datapoints: [
    { Timestamp: ts, Average: 1.875, Maximum: 2.25, SampleCount: 2, Unit: 'Milliseconds', ExtendedStatistics: { p99: 2.2, 'p99.9': 2.25 } },
    { Timestamp: new Date(ts.getTime() + 60_000), Sum: 0, SampleCount: 0 },
  ],
};

type Variant = { protocol: ProtocolName; sdkProtocol?: typeof AwsQueryProtocol | typeof AwsSmithyRpcV2CborProtocol };
const VARIANTS: Record<string, Variant> = {
  'JSON 1.0': { protocol: 'awsJson1_0' },
  query: { protocol: 'awsQuery', sdkProtocol: AwsQueryProtocol },
  'RPC v2 CBOR': { protocol: 'rpcv2Cbor', sdkProtocol: AwsSmithyRpcV2CborProtocol },
};

function client(variant: Variant, impl: Impl): { cw: CloudWatchClient; handler: SdkHandler } {
  // The JS SDK asks JSON and CBOR errors in query-compatible form (x-amzn-query-mode: true); so does the gateway.
  const handler = new SdkHandler(protocols[variant.protocol], cloudwatch, impl, { queryCompatible: variant.protocol !== 'awsQuery' });
  const cw = new CloudWatchClient({ ...clientConfig(handler), ...(variant.sdkProtocol ? { protocol: variant.sdkProtocol } : {}) });
  return { cw, handler };
}

describe.each(Object.entries(VARIANTS))('CloudWatch over %s with the real SDK', (_label, variant) => {
  it('decodes PutMetricData with dimensions, values, counts, statistic sets and timestamps', async () => {
    const { cw, handler } = client(variant, () => undefined);
    const out = await cw.send(new PutMetricDataCommand(putInput));
    expect(handler.last.operation).toBe('PutMetricData');
    expect(handler.last.input).toEqual(expectedPut);
    expect(out.$metadata.httpStatusCode).toBe(200);
  });

  it('encodes GetMetricStatistics datapoints with dates and an extended-statistics map', async () => {
    const { cw, handler } = client(variant, () => statistics);
    const out = await cw.send(new GetMetricStatisticsCommand({
      Namespace: 'Vigil/Endpoints', MetricName: 'Latency', StartTime: ts, EndTime: new Date(ts.getTime() + 3_600_000), Period: 60,
      Statistics: ['Average', 'Maximum'], ExtendedStatistics: ['p99'], Dimensions: [{ Name: 'EndpointName', Value: 'fraud' }],
    }));
    expect(handler.last.input).toMatchObject({ StartTime: ts, Period: 60, Statistics: ['Average', 'Maximum'], ExtendedStatistics: ['p99'] });
    expect(out.Label).toBe('Latency');
    expect(out.Datapoints).toEqual(statistics.Datapoints);
  });

  it('reports a modelled error by its query code, as the SDK maps it', async () => {
    const { cw, handler } = client(variant, () => {
      throw modelError(cloudwatch, 'InvalidParameterValueException', 'The value -1 for parameter Period is not valid.');
    });
    const err = await rejection(cw.send(new PutMetricDataCommand(putInput)));
    expect(err).toMatchObject({ name: 'InvalidParameterValueException', message: 'The value -1 for parameter Period is not valid.' });
    expect(err.$metadata).toMatchObject({ httpStatusCode: 400 });
    if (variant.protocol !== 'awsQuery') {
      expect(handler.last.response.headers['x-amzn-query-error']).toBe('InvalidParameterValue;Sender');
      expect(err).toMatchObject({ Code: 'InvalidParameterValue', Type: 'Sender' });
    }
  });

  it('maps common errors to the query spelling on every path', async () => {
    const family = protocols[variant.protocol].errorFamily;
    const { cw } = client(variant, () => {
      throw CommonErrors.validation('1 validation error detected: boom', family);
    });
    const err = await rejection(cw.send(new PutMetricDataCommand(putInput)));
    expect(err.message).toBe('1 validation error detected: boom');
    // Current CloudWatch models a ValidationException whose awsQueryError code is ValidationError: query clients read
    // the code from the XML, JSON/CBOR clients in query mode from x-amzn-query-error, and both resolve the class.
    expect(err).toMatchObject({ name: 'ValidationException', Code: 'ValidationError' });
  });
});

describe('CloudWatch query as the AWS CLI sends it', () => {
  it('decodes a hand-built form with member lists, dimensions and microsecond timestamps', () => {
    const body = [
      'Action=PutMetricData', 'Version=2010-08-01', 'Namespace=Vigil%2FEndpoints',
      'MetricData.member.1.MetricName=Latency',
      'MetricData.member.1.Dimensions.member.1.Name=EndpointName', 'MetricData.member.1.Dimensions.member.1.Value=fraud',
      'MetricData.member.1.Dimensions.member.2.Name=Variant', 'MetricData.member.1.Dimensions.member.2.Value=A',
      'MetricData.member.1.Timestamp=2019-07-15T23%3A28%3A33.359000Z',
      'MetricData.member.1.Values.member.1=1.5', 'MetricData.member.1.Values.member.2=2.25',
      'MetricData.member.1.Counts.member.1=3', 'MetricData.member.1.Counts.member.2=1',
      'MetricData.member.1.Unit=Milliseconds', 'MetricData.member.1.StorageResolution=1',
      'MetricData.member.2.MetricName=Invocations', 'MetricData.member.2.Value=42',
      'MetricData.member.2.StatisticValues.SampleCount=2', 'MetricData.member.2.StatisticValues.Sum=42',
      'MetricData.member.2.StatisticValues.Minimum=20', 'MetricData.member.2.StatisticValues.Maximum=22',
    ].join('&');
    const req = { method: 'POST', path: '/', rawQuery: '', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: Buffer.from(body) };
    const q = protocols.awsQuery;
    expect(q.operationName(req, cloudwatch)).toBe('PutMetricData');
    expect(q.decode(req, cloudwatch, cloudwatch.operations.PutMetricData)).toEqual(expectedPut);
  });

  it('writes the query XML envelope with the model namespace and ms timestamps', () => {
    const res = protocols.awsQuery.encode(statistics, { requestId: 'r-1', model: cloudwatch, operation: cloudwatch.operations.GetMetricStatistics });
    const xml = String(res.body);
    expect(xml.startsWith('<GetMetricStatisticsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricStatisticsResult>')).toBe(true);
    expect(xml).toContain('<Datapoints><member><Timestamp>2019-07-15T23:28:33.359Z</Timestamp>');
    expect(xml).toContain('<ExtendedStatistics><entry><key>p99</key><value>2.2</value></entry><entry><key>p99.9</key><value>2.25</value></entry></ExtendedStatistics>');
    expect(xml.endsWith('<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetMetricStatisticsResponse>')).toBe(true);
  });
});
