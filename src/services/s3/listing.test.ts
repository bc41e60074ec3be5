import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { compareKeys } from './names.js';
import { body, expectError, s3Harness, type Out, type S3Harness } from './testing.js';
import { mulberry32 } from '../../util/prng.js';

const rng = mulberry32;

const ALPHABET = ['a', 'b', 'c', '/', '/', '-', '.', 'é', '😀', ' ', '+', '%', '\uE000'];

function randomKeys(n: number, seed: number): string[] {
  const r = rng(seed);
  const keys = new Set<string>();
  while (keys.size < n) {
    const len = 1 + Math.floor(r() * 8);
    let k = '';
    for (let i = 0; i < len; i++) k += ALPHABET[Math.floor(r() * ALPHABET.length)];
    keys.add(k);
  }
  return [...keys];
}

/** The straightforward model: every entry (key or common prefix) in order, after `after`. */
function model(keys: string[], prefix: string, delimiter: string | undefined, after: string | undefined): { key?: string; prefix?: string }[] {
  const out: { key?: string; prefix?: string }[] = [];
  const seen = new Set<string>();
  for (const k of [...keys].sort(compareKeys)) {
    if (!k.startsWith(prefix)) continue;
    const i = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
    const entry = i >= 0 ? { prefix: k.slice(0, i + delimiter!.length) } : { key: k };
    const name = entry.prefix ?? entry.key!;
    if (after !== undefined && compareKeys(name, after) <= 0) continue;
    if (entry.prefix && seen.has(entry.prefix)) continue;
    if (entry.prefix) seen.add(entry.prefix);
    out.push(entry);
  }
  return out;
}

/** Every page of a ListObjectsV2 walk, flattened into entries in response order (keys and prefixes merged by name). */
async function walkV2(h: S3Harness, input: Record<string, unknown>): Promise<{ entries: { key?: string; prefix?: string }[]; pages: Out[] }> {
  const entries: { key?: string; prefix?: string }[] = [];
  const pages: Out[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await h.call('ListObjectsV2', { Bucket: 'list', ...input, ...(token ? { ContinuationToken: token } : {}) });
    pages.push(page);
    const items = [...(page.Contents ?? []).map((o: Out) => ({ key: o.Key as string })), ...(page.CommonPrefixes ?? []).map((p: Out) => ({ prefix: p.Prefix as string }))];
    entries.push(...items.sort((a, b) => compareKeys(a.key ?? a.prefix!, b.key ?? b.prefix!)));
    expect(page.KeyCount).toBe(items.length);
    if (!page.IsTruncated) return { entries, pages };
    token = page.NextContinuationToken;
    expect(token).toBeTruthy();
  }
}

withEachBackend((_name, open) => {
  describe('ListObjects', () => {
    it('matches a model implementation on 200 random keys: prefixes, delimiters, pagination, start-after', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'list' });
      const keys = randomKeys(200, 42);
      for (const Key of keys) await h.call('PutObject', { Bucket: 'list', Key, Body: body('') });
      const queries: { prefix: string; delimiter?: string; startAfter?: string; max: number }[] = [
        { prefix: '', max: 1000 }, { prefix: '', max: 7 }, { prefix: '', delimiter: '/', max: 1000 }, { prefix: '', delimiter: '/', max: 3 },
        { prefix: 'a', delimiter: '/', max: 4 }, { prefix: 'a/', delimiter: '/', max: 2 }, { prefix: '', delimiter: 'é', max: 5 },
        { prefix: '', delimiter: '/', startAfter: 'b', max: 6 }, { prefix: '', startAfter: keys[17], max: 9 }, { prefix: 'zzz', max: 5 },
        { prefix: '', delimiter: 'ab', max: 11 }, { prefix: '😀', delimiter: '/', max: 1 },
      ];
      for (const q of queries) {
        const { entries, pages } = await walkV2(h, { Prefix: q.prefix || undefined, Delimiter: q.delimiter, StartAfter: q.startAfter, MaxKeys: q.max });
        const expected = model(keys, q.prefix, q.delimiter, q.startAfter);
        if (q.prefix !== 'zzz') expect(expected.length, JSON.stringify(q)).toBeGreaterThan(0);
        expect(entries, JSON.stringify(q)).toEqual(expected);
        for (const p of pages.slice(0, -1)) expect(p.KeyCount).toBe(q.max);
      }
      // v1 walks with NextMarker (delimiter) or the last key, and agrees too.
      for (const q of [{ delimiter: '/', max: 3 }, { delimiter: undefined, max: 13 }]) {
        const entries: { key?: string; prefix?: string }[] = [];
        let marker: string | undefined;
        for (;;) {
          const page = await h.call('ListObjects', { Bucket: 'list', Delimiter: q.delimiter, MaxKeys: q.max, Marker: marker });
          const items = [...(page.Contents ?? []).map((o: Out) => ({ key: o.Key })), ...(page.CommonPrefixes ?? []).map((p: Out) => ({ prefix: p.Prefix }))];
          entries.push(...items.sort((a, b) => compareKeys(a.key ?? a.prefix, b.key ?? b.prefix)));
          if (!page.IsTruncated) break;
          marker = q.delimiter ? page.NextMarker : page.Contents[page.Contents.length - 1].Key;
          if (!q.delimiter) expect(page.NextMarker).toBeUndefined();
        }
        expect(entries).toEqual(model(keys, '', q.delimiter, undefined));
      }
    });

    it('url-encodes names with encoding-type=url, validates max-keys and tokens', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'list' });
      for (const Key of ['a b/c+d', 'a b/é', 'x%y']) await h.call('PutObject', { Bucket: 'list', Key, Body: body('1') });
      const out = await h.call('ListObjectsV2', { Bucket: 'list', Delimiter: '/', EncodingType: 'url', Prefix: '' });
      expect(out.CommonPrefixes).toEqual([{ Prefix: 'a%20b/' }]);
      expect(out.Contents.map((o: Out) => o.Key)).toEqual(['x%25y']);
      expect(out.EncodingType).toBe('url');
      const inner = await h.call('ListObjectsV2', { Bucket: 'list', Prefix: 'a b/', EncodingType: 'url' });
      expect(inner.Contents.map((o: Out) => o.Key)).toEqual(['a%20b/c%2Bd', 'a%20b/%C3%A9']);
      expect(inner.Prefix).toBe('a%20b/');
      const zero = await h.call('ListObjectsV2', { Bucket: 'list', MaxKeys: 0 });
      expect(zero).toMatchObject({ KeyCount: 0, IsTruncated: false, MaxKeys: 0 });
      expect((await h.call('ListObjectsV2', { Bucket: 'list', MaxKeys: 5000 })).MaxKeys).toBe(1000);
      await expectError(h.call('ListObjectsV2', { Bucket: 'list', ContinuationToken: 'bm9wZQ==' }), 'InvalidArgument', 'The continuation token provided is incorrect');
      await expectError(h.call('ListObjectsV2', { Bucket: 'missing' }), 'NoSuchBucket');
    });
  });
});
