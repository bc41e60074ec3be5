import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsvBatches } from './inputs/csv.js';
import { emptyStats, type ReadStats } from './inputs/types.js';
import { profileRows } from './jobs.js';
import { profileCsvFiles } from './parallel.js';
import { profileToStatistics, type DatasetProfile } from './profile.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rng(seed: number): () => number {
  return () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
}

/** Every shape the readers treat specially: missing, booleans, mixed types, ragged rows, CRLF, empty lines,
 *  long and non-ASCII strings, invalid UTF-8, -0, exponents, long mantissas, a high-cardinality column. */
function messyCsv(rows: number, seed: number, header = true): Buffer {
  const r = rng(seed);
  const parts: Buffer[] = [Buffer.from(header ? '\uFEFFnum,int,cat,flag,mixed,word,big\n' : '')];
  for (let i = 0; i < rows; i++) {
    const cells = [
      r() < 0.05 ? '' : r() < 0.01 ? '-0' : r() < 0.02 ? '1.5e3' : ((r() - 0.5) * 1e4).toFixed(3),
      String(Math.floor(r() * 100) - 50),
      r() < 0.03 ? '' : ['paris', 'lima', 'a-very-long-city-name-number-one', 'Zürich', '東京'][Math.floor(r() * 5)],
      r() < 0.5 ? 'true' : 'false',
      r() < 0.1 ? 'N/A' : r() < 0.2 ? 'true' : String(Math.floor(r() * 7)),
      `w${Math.floor(r() * 300)}-long-enough-to-be-a-sliced-string`,
      r() < 0.01 ? '12345678901234567890.5' : String(Math.floor(r() * 1e6)),
    ];
    if (r() < 0.01) cells.pop();
    if (r() < 0.01) cells.push('extra');
    parts.push(Buffer.from(cells.join(',') + (r() < 0.1 ? '\r\n' : '\n')));
    if (r() < 0.01) parts.push(Buffer.from(r() < 0.5 ? '\n' : '\r\n'));
    if (r() < 0.002) parts.push(Buffer.from([0x31, 0xff, 0x2c, 0x0a]));
  }
  return Buffer.concat(parts);
}

function write(name: string, data: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

async function rowProfile(paths: string[], header: boolean): Promise<{ profile: DatasetProfile; stats: ReadStats }> {
  const stats = emptyStats();
  async function* all() {
    for (const p of paths) yield* readCsvBatches(Readable.from([readFileSync(p)]), { header, stats });
  }
  return { profile: await profileRows(all()), stats };
}

describe('columnar CSV profiling, one thread', () => {
  it('equals the row reader byte for byte (serialized profile) and in its read statistics', async () => {
    for (const header of [true, false]) {
      const paths = [write(`a${header}.csv`, messyCsv(20_000, 1, header)), write(`b${header}.csv`, messyCsv(5_000, 2, header))];
      const expected = await rowProfile(paths, header);
      const stats = emptyStats();
      const got = await profileCsvFiles(paths, { header, threads: 1, stats });
      expect(got).toBeDefined();
      expect(Buffer.from(got!.serialize()).equals(Buffer.from(expected.profile.serialize()))).toBe(true);
      expect(stats).toEqual(expected.stats);
    }
  });

  it('handles files with no rows, a header only, or no final newline like the row reader', async () => {
    const paths = [write('empty.csv', ''), write('hdr.csv', 'x,y\n'), write('tail.csv', 'x,y\n1,a\n2,b')];
    const expected = await rowProfile(paths, true);
    const got = await profileCsvFiles(paths, { header: true, threads: 1 });
    expect(Buffer.from(got!.serialize()).equals(Buffer.from(expected.profile.serialize()))).toBe(true);
  });

  it('declines quoted input (header or data) so the caller uses the row reader', async () => {
    expect(await profileCsvFiles([write('q1.csv', '"x",y\n1,2\n')], { header: true, threads: 1 })).toBeUndefined();
    const stats = emptyStats();
    expect(await profileCsvFiles([write('q2.csv', 'x,y\n1,2\n3,"a,b"\n')], { header: true, threads: 1, stats })).toBeUndefined();
    expect(stats.rows).toBe(0);
  });
});

describe('parallel CSV profiling (worker threads)', () => {
  it('merges to the single-threaded result: exact counts, sums, extrema, histograms; mean/std within 1e-12; KLL within its error', async () => {
    const path = write('big.csv', messyCsv(120_000, 3));
    const single = (await profileCsvFiles([path], { header: true, threads: 1 }))!;
    const stats = emptyStats();
    const multi = (await profileCsvFiles([path], { header: true, threads: 3, minParallelBytes: 0, rangeBytes: 1 << 20, stats }))!;
    expect(multi).toBeDefined();
    expect(stats.rows).toBe(single.itemCount);
    expect(multi.itemCount).toBe(single.itemCount);
    expect(multi.featureNames()).toEqual(single.featureNames());
    const a = profileToStatistics(single);
    const b = profileToStatistics(multi);
    for (const f of single.allFeatures()) {
      const g = multi.feature(f.name)!;
      expect([g.nFractional, g.nIntegral, g.nBoolean, g.nString, g.n, g.min, g.max]).toEqual([f.nFractional, f.nIntegral, f.nBoolean, f.nString, f.n, f.min, f.max]);
      expect(g.categorical.histogram()).toEqual(f.categorical.histogram());
      expect(g.categorical.distinctCount()).toBe(f.categorical.distinctCount());
      if (f.n > 0) {
        expect(Math.abs(g.totalSum - f.totalSum)).toBeLessThanOrEqual(1e-12 * Math.abs(f.totalSum) + 1e-9);
        expect(Math.abs(g.mean - f.mean)).toBeLessThanOrEqual(1e-12 * Math.abs(f.mean));
        expect(Math.abs(g.stdDev - f.stdDev)).toBeLessThanOrEqual(1e-12 * f.stdDev);
        expect(g.kll.count).toBe(f.n);
        // Rank error of a k=2048 KLL is well under 1 %.
        for (const q of [0.1, 0.25, 0.5, 0.75, 0.9]) {
          const x = quantile(f, q);
          expect(Math.abs(g.kll.rank(x) - f.kll.rank(x))).toBeLessThanOrEqual(0.01 * f.n);
        }
      }
    }
    expect(b.dataset).toEqual(a.dataset);
    expect(b.features.map((f) => [f.name, f.inferred_type])).toEqual(a.features.map((f) => [f.name, f.inferred_type]));
  });
});

function quantile(f: { kll: { sortedWithCumulativeWeights(): { values: Float64Array; cumulative: Float64Array } } }, q: number): number {
  const { values, cumulative } = f.kll.sortedWithCumulativeWeights();
  const target = q * cumulative[cumulative.length - 1];
  let i = 0;
  while (cumulative[i] < target) i++;
  return values[i];
}

describe('columnar CSV profiling with a delimiter the number grammar accepts', () => {
  it('still equals the row reader (cells are sliced instead of classified in place)', async () => {
    const text = messyCsv(3000, 4).toString('utf8').replaceAll(',', ' ').replaceAll('N/A', 'NA');
    const path = write('spaces.csv', text);
    const stats = emptyStats();
    const expected = await profileRows(readCsvBatches(Readable.from([readFileSync(path)]), { header: true, delimiter: ' ', stats }));
    const got = await profileCsvFiles([path], { header: true, delimiter: ' ', threads: 1 });
    expect(Buffer.from(got!.serialize()).equals(Buffer.from(expected.serialize()))).toBe(true);
  });
});
