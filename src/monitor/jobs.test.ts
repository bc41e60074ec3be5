import { describe, expect, it } from 'vitest';
import { readCsvBatches } from './inputs/csv.js';
import { analyzeAgainstBaseline, suggestBaseline } from './jobs.js';
import { DatasetProfile } from './profile.js';

/** A small deterministic table: x ~ uniform(0,100) (+shift), y ~ uniform(0,10), c categorical. */
function table(rows: number, shiftX: number, seed = 1): string {
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  let out = 'x,y,c\n';
  for (let i = 0; i < rows; i++) out += `${(rnd() * 100 + shiftX).toFixed(2)},${(rnd() * 10).toFixed(2)},${['a', 'b', 'c'][i % 3]}\n`;
  return out;
}

async function* bytes(text: string): AsyncGenerator<Buffer> {
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += 4096) yield b.subarray(i, i + 4096);
}

describe('data-quality entrypoints', () => {
  it('baselines a CSV: item count, feature names and types, constraints', async () => {
    const progress: number[] = [];
    const { statistics, constraints } = await suggestBaseline(readCsvBatches(bytes(table(3000, 0)), { header: true }), { onProgress: (n) => progress.push(n) });
    expect(statistics.dataset.item_count).toBe(3000);
    expect(statistics.features.map((f) => [f.name, f.inferred_type])).toEqual([
      ['x', 'Fractional'],
      ['y', 'Fractional'],
      ['c', 'String'],
    ]);
    expect(constraints.features.map((f) => f.name)).toEqual(['x', 'y', 'c']);
    expect(progress.at(-1)).toBe(3000);
  });

  it('flags drift on the shifted feature only, and nothing on fresh data from the same distribution', async () => {
    const baseline = await suggestBaseline(readCsvBatches(bytes(table(3000, 0)), { header: true }));
    const shifted = await analyzeAgainstBaseline(readCsvBatches(bytes(table(2000, 40, 99)), { header: true }), baseline);
    const drift = shifted.violations.violations.filter((v) => v.constraint_check_type === 'baseline_drift_check').map((v) => v.feature_name);
    expect(drift).toEqual(['x']);
    expect(shifted.driftMetrics.get('x')!.psi).toBeGreaterThan(0.2);
    expect(shifted.driftMetrics.get('y')!.psi).toBeLessThan(0.1);
    const same = await analyzeAgainstBaseline(readCsvBatches(bytes(table(2000, 0, 99)), { header: true }), baseline);
    expect(same.violations.violations).toEqual([]);
  });

  it('analyzes a pre-merged profile like the raw rows it came from', async () => {
    const baseline = await suggestBaseline(readCsvBatches(bytes(table(1000, 0)), { header: true }));
    const a = await analyzeAgainstBaseline(readCsvBatches(bytes(table(500, 40, 5)), { header: true }), baseline);
    const b = await analyzeAgainstBaseline(readCsvBatches(bytes(table(500, 40, 6)), { header: true }), baseline);
    const merged = await analyzeAgainstBaseline(a.profile.merge(b.profile), baseline);
    expect(merged.profile).toBeInstanceOf(DatasetProfile);
    expect(merged.statistics.dataset.item_count).toBe(1000);
    expect(merged.violations.violations.map((v) => v.feature_name)).toContain('x');
  });
});
