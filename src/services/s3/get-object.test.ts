import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { checkConditions } from './conditional.js';
import { parseRange } from './range.js';
import { body, expectError, readAll, s3Harness } from './testing.js';

const code = (fn: () => void): string => {
  try {
    fn();
    return 'OK';
  } catch (err) {
    return (err as { code: string }).code;
  }
};

describe('Range parsing', () => {
  it('handles a-b, a-, -n, clamps past the end, ignores what S3 ignores and refuses what it refuses', () => {
    expect(parseRange('bytes=0-4', 10)).toEqual({ start: 0, end: 4 });
    expect(parseRange('bytes=3-', 10)).toEqual({ start: 3, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=-30', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    for (const ignored of ['bytes=5-2', 'bytes=0-1,3-4', 'items=0-1', 'bytes=-', 'bytes=a-b', 'garbage']) expect(parseRange(ignored, 10), ignored).toBeUndefined();
    expect(code(() => parseRange('bytes=10-', 10))).toBe('InvalidRange');
    expect(code(() => parseRange('bytes=-0', 10))).toBe('InvalidRange');
    expect(code(() => parseRange('bytes=0-', 0))).toBe('InvalidRange');
  });
});

describe('conditional requests', () => {
  const etag = '"abc"';
  const modified = '2026-01-01T12:00:00.500Z';
  const before = new Date('2026-01-01T11:00:00Z');
  const after = new Date('2026-01-01T13:00:00Z');
  const same = new Date('2026-01-01T12:00:00Z');
  it('applies S3 precedence', () => {
    expect(code(() => checkConditions({ IfMatch: '"abc"' }, etag, modified))).toBe('OK');
    expect(code(() => checkConditions({ IfMatch: 'abc' }, etag, modified))).toBe('OK');
    expect(code(() => checkConditions({ IfMatch: '"x", *' }, etag, modified))).toBe('OK');
    expect(code(() => checkConditions({ IfMatch: '"x"' }, etag, modified))).toBe('PreconditionFailed');
    // If-Match true overrides a failing If-Unmodified-Since.
    expect(code(() => checkConditions({ IfMatch: etag, IfUnmodifiedSince: before }, etag, modified))).toBe('OK');
    expect(code(() => checkConditions({ IfUnmodifiedSince: before }, etag, modified))).toBe('PreconditionFailed');
    expect(code(() => checkConditions({ IfUnmodifiedSince: same }, etag, modified))).toBe('OK');
    expect(code(() => checkConditions({ IfNoneMatch: etag }, etag, modified))).toBe('NotModified');
    expect(code(() => checkConditions({ IfNoneMatch: '"other"' }, etag, modified))).toBe('OK');
    // If-None-Match false with If-Modified-Since true is still 304.
    expect(code(() => checkConditions({ IfNoneMatch: etag, IfModifiedSince: before }, etag, modified))).toBe('NotModified');
    // If-None-Match true wins over a failing If-Modified-Since.
    expect(code(() => checkConditions({ IfNoneMatch: '"other"', IfModifiedSince: after }, etag, modified))).toBe('OK');
    expect(code(() => checkConditions({ IfModifiedSince: after }, etag, modified))).toBe('NotModified');
    expect(code(() => checkConditions({ IfModifiedSince: same }, etag, modified))).toBe('NotModified');
    expect(code(() => checkConditions({ IfModifiedSince: before }, etag, modified))).toBe('OK');
    // 412 is decided before 304.
    expect(code(() => checkConditions({ IfMatch: '"x"', IfNoneMatch: etag }, etag, modified))).toBe('PreconditionFailed');
  });
});

withEachBackend((_name, open) => {
  describe('GetObject', () => {
    it('serves ranges with Content-Range and 416 with ActualObjectSize', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'rng' });
      await h.call('PutObject', { Bucket: 'rng', Key: 'k', Body: body('0123456789') });
      const cases: [string, string, string][] = [['bytes=2-5', '2345', 'bytes 2-5/10'], ['bytes=7-', '789', 'bytes 7-9/10'],
        ['bytes=-2', '89', 'bytes 8-9/10'], ['bytes=8-99', '89', 'bytes 8-9/10']];
      for (const [Range, text, contentRange] of cases) {
        const out = await h.call('GetObject', { Bucket: 'rng', Key: 'k', Range });
        expect((await readAll(out.Body)).toString(), Range).toBe(text);
        expect(out.ContentRange).toBe(contentRange);
        expect(out.ContentLength).toBe(text.length);
      }
      const whole = await h.call('GetObject', { Bucket: 'rng', Key: 'k', Range: 'bytes=5-1' });
      expect(whole.ContentRange).toBeUndefined();
      expect((await readAll(whole.Body)).toString()).toBe('0123456789');
      const err = await expectError(h.call('GetObject', { Bucket: 'rng', Key: 'k', Range: 'bytes=10-' }), 'InvalidRange', 'The requested range is not satisfiable');
      expect(err.httpStatus).toBe(416);
      expect(err.extra).toEqual({ RangeRequested: 'bytes=10-', ActualObjectSize: 10 });
    });

    it('answers conditions before ranges, with response-* overrides', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'cnd' });
      const { ETag } = await h.call('PutObject', { Bucket: 'cnd', Key: 'k', Body: body('abc'), ContentType: 'text/plain' });
      expect((await expectError(h.call('GetObject', { Bucket: 'cnd', Key: 'k', IfNoneMatch: ETag }), 'NotModified')).httpStatus).toBe(304);
      expect((await expectError(h.call('GetObject', { Bucket: 'cnd', Key: 'k', IfMatch: '"zzz"', Range: 'bytes=100-' }), 'PreconditionFailed')).httpStatus).toBe(412);
      await expectError(h.call('HeadObject', { Bucket: 'cnd', Key: 'k', IfModifiedSince: new Date(Date.now() + 60_000) }), 'NotModified');
      const out = await h.call('GetObject', { Bucket: 'cnd', Key: 'k', IfMatch: ETag, ResponseContentType: 'application/json',
        ResponseContentDisposition: 'attachment; filename="k.json"', ResponseCacheControl: 'no-cache' });
      expect(out).toMatchObject({ ContentType: 'application/json', ContentDisposition: 'attachment; filename="k.json"', CacheControl: 'no-cache' });
    });
  });
});
