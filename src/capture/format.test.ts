import { describe, expect, it } from 'vitest';
import type { CaptureSettings } from '../inference/types.js';
import { captureObjectKey, parseDestination } from './destination.js';
import { captureFormat, encodingFor, formatRecord, inferenceTimeText } from './format.js';

const settings = (over: Partial<CaptureSettings> = {}): CaptureSettings => ({
  enabled: true, samplingPercentage: 100, destinationS3Uri: 's3://b/p', captureInput: true, captureOutput: true,
  csvContentTypes: ['text/csv'], jsonContentTypes: ['application/json'], ...over,
});

describe('capture record format (spec §1.3)', () => {
  it('writes the verbatim shape with CSV input and output', () => {
    const line = formatRecord(captureFormat(settings()),
      { body: Buffer.from('1,2,3\n'), contentType: 'text/csv' },
      { body: Buffer.from('0.25'), contentType: 'text/csv; charset=utf-8' },
      { eventId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', inferenceTime: new Date('2022-02-14T17:25:06.789Z') });
    expect(line).toBe('{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"1,2,3\\n","encoding":"CSV"},'
      + '"endpointOutput":{"observedContentType":"text/csv; charset=utf-8","mode":"OUTPUT","data":"0.25","encoding":"CSV"}},'
      + '"eventMetadata":{"eventId":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","inferenceTime":"2022-02-14T17:25:06Z"},"eventVersion":"0"}');
  });

  it('places inferenceId before inferenceTime and customAttributes after it', () => {
    const line = formatRecord(captureFormat(settings({ captureOutput: false })), { body: Buffer.from('{}'), contentType: 'application/json' }, undefined,
      { eventId: 'e', inferenceTime: new Date(0), inferenceId: 'inf-1', customAttributes: 'trace=1' })!;
    expect(Object.keys(JSON.parse(line).eventMetadata)).toEqual(['eventId', 'inferenceId', 'inferenceTime', 'customAttributes']);
    expect(JSON.parse(line).captureData).toEqual({ endpointInput: { observedContentType: 'application/json', mode: 'INPUT', data: '{}', encoding: 'JSON' } });
  });

  it('captures output only, and nothing for a failed invocation in Output mode', () => {
    const f = captureFormat(settings({ captureInput: false }));
    const req = { body: Buffer.from('x'), contentType: 'text/csv' };
    const line = formatRecord(f, req, { body: Buffer.from('y'), contentType: 'text/csv' }, { eventId: 'e', inferenceTime: new Date(0) })!;
    expect(Object.keys(JSON.parse(line).captureData)).toEqual(['endpointOutput']);
    expect(formatRecord(f, req, undefined, { eventId: 'e', inferenceTime: new Date(0) })).toBeUndefined();
  });

  it('chooses CSV / JSON by media type, case-insensitive and without parameters, else BASE64', () => {
    const f = captureFormat(settings({ csvContentTypes: ['Text/CSV'], jsonContentTypes: ['application/jsonlines'] }));
    expect(encodingFor('text/csv; charset=utf-8', f)).toBe('CSV');
    expect(encodingFor('TEXT/csv', f)).toBe('CSV');
    expect(encodingFor('application/jsonlines;q=1', f)).toBe('JSON');
    expect(encodingFor('application/json', f)).toBe('BASE64');
    const bytes = Buffer.from([0, 255, 1, 2]);
    const line = formatRecord(f, { body: bytes, contentType: 'application/x-npy' }, undefined, { eventId: 'e', inferenceTime: new Date(0) })!;
    expect(JSON.parse(line).captureData.endpointInput).toEqual({ observedContentType: 'application/x-npy', mode: 'INPUT', data: bytes.toString('base64'), encoding: 'BASE64' });
  });

  it('formats inference time to the second in UTC', () => {
    expect(inferenceTimeText(new Date('2019-11-24T07:30:50.999Z'))).toBe('2019-11-24T07:30:50Z');
  });
});

describe('capture destination and key layout (spec §1.2)', () => {
  it('parses s3:// and https S3 URIs', () => {
    expect(parseDestination('s3://bucket/model-monitor/data-capture/')).toEqual({ bucket: 'bucket', prefix: 'model-monitor/data-capture' });
    expect(parseDestination('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(parseDestination('https://bucket.s3.us-east-1.amazonaws.com/a/b')).toEqual({ bucket: 'bucket', prefix: 'a/b' });
    expect(parseDestination('https://s3.us-east-1.amazonaws.com/bucket/a')).toEqual({ bucket: 'bucket', prefix: 'a' });
    expect(parseDestination('ftp://bucket/a')).toBeUndefined();
    expect(parseDestination('https://example.com/a')).toBeUndefined();
  });

  it('names files by the first record: hour folder, then minute-second-millis-uuid', () => {
    const t = new Date('2020-03-11T12:32:18.648Z');
    expect(captureObjectKey('p/q', 'ep', 'AllTraffic', t, 'u-u')).toBe('p/q/ep/AllTraffic/2020/03/11/12/32-18-648-u-u.jsonl');
    expect(captureObjectKey('', 'ep', 'v', new Date('2021-01-02T03:04:05.006Z'), 'x')).toBe('ep/v/2021/01/02/03/04-05-006-x.jsonl');
  });
});
