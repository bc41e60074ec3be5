import { describe, expect, it } from 'vitest';
import { Categorical, CATEGORICAL_KEY_BYTES_CAP, CATEGORICAL_MAX_KEY_LENGTH } from './profile-categorical.js';
import { DatasetProfile, profileToStatistics } from './profile.js';

/** A distinct value of `length` characters (distinct prefix, then padding). */
const long = (i: number, length: number): string => `${i}:`.padEnd(length, 'x');

function stringStats(p: DatasetProfile, name: string) {
  return profileToStatistics(p).features.find((f) => f.name === name)?.string_statistics;
}

describe('Categorical key-size bounds', () => {
  it('a single key longer than the per-key bound overflows at once (row and cell paths)', () => {
    const p = DatasetProfile.empty();
    p.add({ a: long(0, CATEGORICAL_MAX_KEY_LENGTH + 1), b: 'x' });
    const a = p.feature('a')!.categorical;
    expect(a.overflowed).toBe(true);
    expect(a.keyBytes).toBe(0);
    expect(p.feature('b')!.categorical.overflowed).toBe(false);

    const c = new Categorical();
    const text = `short,${long(1, 5000)}`;
    c.addStringCell(text, 0, 5);
    c.addStringCell(text, 6, text.length);
    expect(c.overflowed).toBe(true);
    expect(c.distinctCount()).toBe(2);

    // A long number spelling (e.g. zero padding) is a key too.
    const n = new Categorical();
    const zeros = `1.${'0'.repeat(CATEGORICAL_MAX_KEY_LENGTH)}`;
    n.addNumberCell(1, zeros, 0, zeros.length);
    expect(n.overflowed).toBe(true);
    expect(n.distinctCount()).toBe(1);
  });

  it('many distinct long values keep the stored key bytes bounded, and statistics still come out', () => {
    const p = DatasetProfile.empty();
    const n = 3000;
    let maxBytes = 0;
    for (let i = 0; i < n; i++) {
      p.add({ text: long(i, 1000), small: ['a', 'b', 'c'][i % 3] });
      maxBytes = Math.max(maxBytes, p.feature('text')!.categorical.keyBytes);
    }
    const cat = p.feature('text')!.categorical;
    // Past ~1 MiB of keys (about 1048 values of 1000 characters) the feature overflowed, far below 4096 values.
    expect(maxBytes).toBeLessThanOrEqual(CATEGORICAL_KEY_BYTES_CAP);
    expect(cat.overflowed).toBe(true);
    expect(cat.strings).toBeNull();
    expect(cat.keyBytes).toBe(0);
    const s = stringStats(p, 'text')!;
    expect(s.distribution).toBeUndefined();
    expect(Math.abs(s.distinct_count - n) / n).toBeLessThan(0.05);
    // The small feature keeps its categorical distribution.
    expect(stringStats(p, 'small')!.distribution?.categorical.buckets).toHaveLength(3);
  });

  it('merged and deserialized profiles respect the same bound', () => {
    const half = (from: number) => {
      const p = DatasetProfile.empty();
      for (let i = from; i < from + 700; i++) p.add({ text: long(i, 1000) });
      return p;
    };
    const a = half(0);
    const b = half(700);
    expect(a.feature('text')!.categorical.overflowed).toBe(false);
    expect(b.feature('text')!.categorical.overflowed).toBe(false);
    const m = a.merge(b);
    const cat = m.feature('text')!.categorical;
    expect(cat.overflowed).toBe(true);
    expect(Math.abs(cat.distinctCount() - 1400) / 1400).toBeLessThan(0.05);
    // The same merged data, round-tripped, and a serialized over-bound histogram restored: both overflowed.
    expect(DatasetProfile.deserialize(m.serialize()).feature('text')!.categorical.overflowed).toBe(true);
    const restored = Categorical.restore(new Map(Array.from({ length: 1100 }, (_, i) => [long(i, 1000), 1])), [[1, 2, '1']], null);
    expect(restored.overflowed).toBe(true);
    expect(Math.abs(restored.distinctCount() - 1101) / 1101).toBeLessThan(0.05);
    // Under the bound nothing changes.
    const ok = DatasetProfile.deserialize(a.serialize()).feature('text')!.categorical;
    expect(ok.overflowed).toBe(false);
    expect(ok.keyBytes).toBe(a.feature('text')!.categorical.keyBytes);
  });
});
