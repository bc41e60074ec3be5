import { describe, expect, it } from 'vitest';
import { labelsFor, matchRoute, parseQueryMulti } from './http-binding.js';
import type { ServiceModel } from './schema.js';

const op = (name: string, method: string, requestUri: string) => ({ name, http: { method, requestUri } });
// S3-shaped templates: query literals, greedy labels and overlapping paths, the cases restXml will bring.
const model: ServiceModel = {
  metadata: { apiVersion: '2006-03-01', endpointPrefix: 's3', protocol: 'rest-xml', serviceId: 'S3' },
  operations: {
    GetObject: op('GetObject', 'GET', '/{Bucket}/{Key+}'),
    GetObjectTagging: op('GetObjectTagging', 'GET', '/{Bucket}/{Key+}?tagging'),
    ListObjects: op('ListObjects', 'GET', '/{Bucket}'),
    ListObjectsV2: op('ListObjectsV2', 'GET', '/{Bucket}?list-type=2'),
    ListBuckets: op('ListBuckets', 'GET', '/'),
  },
  shapes: {},
};

describe('REST route matching', () => {
  it.each([
    ['/', '', 'ListBuckets'],
    ['/b', '', 'ListObjects'],
    ['/b', 'list-type=2&prefix=a', 'ListObjectsV2'],
    ['/b', 'list-type=1', 'ListObjects'],
    ['/b/dir/file.txt', '', 'GetObject'],
    ['/b/dir/file.txt', 'tagging', 'GetObjectTagging'],
  ])('GET %s?%s → %s', (path, query, name) => {
    expect(matchRoute(model, 'GET', path, query)?.op.name).toBe(name);
  });

  it('returns raw greedy and simple labels, and nothing for other methods', () => {
    expect(matchRoute(model, 'GET', '/my-bucket/a%20b/c', '')?.labels).toEqual({ Bucket: 'my-bucket', Key: 'a%20b/c' });
    expect(labelsFor(model, model.operations.GetObject, '/b/k')).toEqual({ Bucket: 'b', Key: 'k' });
    expect(matchRoute(model, 'DELETE', '/b', '')).toBeUndefined();
  });

  it('parses repeated query parameters and rejects bad escapes when strict', () => {
    expect(parseQueryMulti('a=1&a=2&b&c=%2F', 'json')).toEqual(new Map([['a', ['1', '2']], ['b', ['']], ['c', ['/']]]));
    expect(() => parseQueryMulti('a=%ZZ', 'json')).toThrow(expect.objectContaining({ code: 'SerializationException' }));
  });
});
