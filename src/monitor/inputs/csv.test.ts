import { describe, expect, it } from 'vitest';
import { MAX_DATASET_FEATURES } from '../profile.js';
import { readCsv } from './csv.js';
import { emptyStats, type ReadStats, type Row } from './types.js';

/** Feeds text (or bytes) in chunks of `size` bytes, so every chunk-boundary case gets exercised. */
async function* chunks(data: string | Buffer, size = 7): AsyncGenerator<Buffer> {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function rows(data: string | Buffer, opts: { header?: boolean; disableFastPath?: boolean; size?: number; stats?: ReadStats } = {}): Promise<Row[]> {
  const out: Row[] = [];
  for await (const r of readCsv(chunks(data, opts.size), opts)) out.push(r);
  return out;
}

describe('CSV reader', () => {
  it('refuses a first record wider than MAX_DATASET_FEATURES, with or without header, before building rows', async () => {
    const line = Array.from({ length: MAX_DATASET_FEATURES + 1 }, (_, i) => i).join(',');
    for (const opts of [{ header: true }, { header: false }, { header: false, disableFastPath: true }]) {
      await expect(rows(`${line}\n${line}\n`, { ...opts, size: 1 << 16 })).rejects.toThrow(`the dataset has more than ${MAX_DATASET_FEATURES} columns;`);
    }
    // Exactly at the cap is fine.
    const ok = Array.from({ length: MAX_DATASET_FEATURES }, (_, i) => i).join(',');
    expect(await rows(`${ok}\n`, { size: 1 << 16 })).toHaveLength(1);
  });

  it('names headerless columns _c0, _c1, … and keeps cells as text', async () => {
    expect(await rows('1,2.5,a\n3,,b\n')).toEqual([
      { _c0: '1', _c1: '2.5', _c2: 'a' },
      { _c0: '3', _c1: null, _c2: 'b' },
    ]);
  });

  it('uses the header for names, renaming empty and repeated ones', async () => {
    expect(await rows('x,,x,y\n1,2,3,4\n', { header: true })).toEqual([{ x0: '1', _c1: '2', x2: '3', y: '4' }]);
  });

  it('reads quoted fields with csv-parse: delimiters, doubled quotes and newlines inside quotes', async () => {
    const text = 'a,b\n1,2\n"x,y","say ""hi"""\n"multi\nline",3\n4,5\n';
    expect(await rows(text, { header: true })).toEqual([
      { a: '1', b: '2' },
      { a: 'x,y', b: 'say "hi"' },
      { a: 'multi\nline', b: '3' },
      { a: '4', b: '5' },
    ]);
  });

  it('pads short rows with null and drops extra cells, counting both', async () => {
    const stats = emptyStats();
    expect(await rows('a,b,c\n1\n1,2,3,4,5\n', { header: true, stats })).toEqual([
      { a: '1', b: null, c: null },
      { a: '1', b: '2', c: '3' },
    ]);
    expect(stats).toMatchObject({ rows: 2, shortRows: 1, longRows: 1 });
  });

  it('fixes the width of a headerless file from its first record', async () => {
    expect(await rows('1,2\n3,4,5\n6\n')).toEqual([
      { _c0: '1', _c1: '2' },
      { _c0: '3', _c1: '4' },
      { _c0: '6', _c1: null },
    ]);
  });

  it('reads invalid UTF-8 as U+FFFD and counts the lines', async () => {
    const stats = emptyStats();
    const bytes = Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xff, 0xfe]), Buffer.from('\n2,é\n')]);
    const out = await rows(bytes, { header: true, stats, size: 3 });
    expect(out).toEqual([
      { a: '1', b: '\uFFFD\uFFFD' },
      { a: '2', b: 'é' },
    ]);
    expect(stats.invalidUtf8Lines).toBe(1);
  });

  it('yields nothing for an empty file or a header alone', async () => {
    expect(await rows('')).toEqual([]);
    expect(await rows('a,b\n', { header: true })).toEqual([]);
  });

  it('handles a BOM, CRLF line ends, blank lines and a last line without newline', async () => {
    expect(await rows('\uFEFFa,b\r\n1,2\r\n\r\n\n3,4', { header: true })).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '4' },
    ]);
  });

  it('keeps a column named __proto__ as an own property', async () => {
    const [r] = await rows('__proto__,b\n1,2\n', { header: true });
    expect(Object.keys(r)).toEqual(['__proto__', 'b']);
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
  });

  it('reports an unclosed quote with its line', async () => {
    await expect(rows('a\n1\n"open\n')).rejects.toThrow(/CSV line \d+: .*quote/i);
  });

  it('fast path and csv-parse agree on random unquoted input', async () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    const pieces = ['1', '2.5', '', 'abc', ' x ', '-3e5', 'é', '\r'];
    for (let t = 0; t < 200; t++) {
      let text = '';
      const lines = 1 + rnd(8);
      for (let l = 0; l < lines; l++) {
        const cells = Array.from({ length: rnd(5) }, () => pieces[rnd(pieces.length)].replace('\r', ''));
        text += cells.join(',') + (rnd(4) === 0 ? '\r\n' : '\n');
      }
      if (rnd(2) === 0) text = text.replace(/\r?\n$/, '');
      const header = rnd(2) === 0;
      const size = 1 + rnd(20);
      const fast = await rows(text, { header, size });
      const slow = await rows(text, { header, size, disableFastPath: true });
      expect(fast, JSON.stringify(text)).toEqual(slow);
    }
  });
});
