import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';
import { looksLikeHeader } from './baseline-io.js';
import { MAX_DATASET_FEATURES } from '../monitor/profile.js';

function table(rows: number, shift: number, seed: number): string {
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  let out = 'x,y\n';
  for (let i = 0; i < rows; i++) out += `${(rnd() * 100 + shift).toFixed(2)},${(rnd() * 10).toFixed(2)}\n`;
  return out;
}

describe('vigil baseline / analyze (in process)', () => {
  let dir: string;
  let stderr: string;
  let stdout: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-monitor-cli-'));
    await writeFile(path.join(dir, 'train.csv'), table(2000, 0, 1));
    await writeFile(path.join(dir, 'same.csv'), table(1000, 0, 2));
    await writeFile(path.join(dir, 'shifted.csv'), table(1000, 50, 3));
    await writeFile(path.join(dir, 'pre.mjs'), 'export function preprocess_handler(r) { return { x: r.x * 2 }; }\n');
    await writeFile(path.join(dir, 'data.jsonl'), '{"x": 1}\n{"x": 2}\n');
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });
  const run = async (...args: string[]) => {
    stderr = '';
    stdout = '';
    return main(args);
  };

  it('baseline writes statistics.json and constraints.json and exits 0', async () => {
    expect(await run('baseline', '--input', path.join(dir, 'train.csv'), '--output', path.join(dir, 'base'))).toBe(0);
    const stats = JSON.parse(await readFile(path.join(dir, 'base', 'statistics.json'), 'utf8'));
    expect(stats.dataset.item_count).toBe(2000);
    expect(stats.features.map((f: { name: string }) => f.name)).toEqual(['x', 'y']);
    expect(await readFile(path.join(dir, 'base', 'constraints.json'), 'utf8')).toContain('"monitoring_config" : {');
    expect(stdout).toMatch(/^baseline: 2000 rows, 2 features \(csv, header\)/);
  });

  it('analyze exits 0 without violations and 3 with them, writing all three files', async () => {
    expect(await run('analyze', '--baseline', path.join(dir, 'base'), '--input', path.join(dir, 'same.csv'), '--output', path.join(dir, 'ok'))).toBe(0);
    expect(await readFile(path.join(dir, 'ok', 'constraint_violations.json'), 'utf8')).toBe('{\n  "violations" : [ ]\n}\n');
    expect(await run('analyze', '--baseline', path.join(dir, 'base'), '--input', path.join(dir, 'shifted.csv'), '--output', path.join(dir, 'bad'))).toBe(3);
    const v = JSON.parse(await readFile(path.join(dir, 'bad', 'constraint_violations.json'), 'utf8'));
    expect(v.violations.map((x: { feature_name: string; constraint_check_type: string }) => `${x.constraint_check_type}:${x.feature_name}`)).toEqual(['baseline_drift_check:x']);
    expect(await readFile(path.join(dir, 'bad', 'report.html'), 'utf8')).toContain('<svg');
    expect(stdout).toMatch(/1 violation \(baseline_drift_check: x\)/);
  });

  it('an input without data rows exits 1 and says so, for both commands; read warnings are printed first', async () => {
    await writeFile(path.join(dir, 'empty.csv'), 'x,y\n');
    expect(await run('baseline', '--input', path.join(dir, 'empty.csv'), '--header', '--output', path.join(dir, 'none'))).toBe(1);
    expect(stderr).toContain(`vigil baseline: ${path.join(dir, 'empty.csv')} has no data rows; nothing to baseline`);
    await writeFile(path.join(dir, 'short.csv'), 'x,y\n1\n');
    expect(await run('analyze', '--baseline', path.join(dir, 'base'), '--input', path.join(dir, 'empty.csv'), '--header', '--output', path.join(dir, 'none'))).toBe(1);
    expect(stderr).toContain(`vigil analyze: ${path.join(dir, 'empty.csv')} has no data rows; nothing to analyze`);
    expect(await run('baseline', '--input', path.join(dir, 'short.csv'), '--output', path.join(dir, 'short'))).toBe(0);
    expect(stderr).toContain('vigil baseline: warning: 1 CSV rows had fewer cells than the header');
  });

  it('usage errors exit 2 with a one-line message', async () => {
    expect(await run('baseline', '--output', dir)).toBe(2);
    expect(stderr).toMatch(/^vigil: --input is required\n/);
    expect(await run('analyze', '--input', 'x', '--output', 'y', '--format', 'parquet', '--baseline', 'b')).toBe(2);
    expect(stderr).toContain("--format must be one of csv, jsonl, capture, got 'parquet'");
    expect(await run('baseline', '--input', 'x', '--output', 'y', '--bogus')).toBe(2);
    expect(await run('baseline', '--input', path.join(dir, 'data.jsonl'), '--output', path.join(dir, 'p'), '--preprocessor', path.join(dir, 'missing.mjs'))).toBe(2);
    expect(stderr).toMatch(/--preprocessor .*missing\.mjs: cannot load/);
  });

  it('failures exit 1 with one line and no stack trace', async () => {
    expect(await run('baseline', '--input', path.join(dir, 'nope.csv'), '--output', path.join(dir, 'x'))).toBe(1);
    expect(stderr).toBe(`vigil baseline: ${path.join(dir, 'nope.csv')}: no such file or directory\n`);
    expect(await run('analyze', '--baseline', path.join(dir, 'nowhere'), '--input', path.join(dir, 'same.csv'), '--output', path.join(dir, 'x'))).toBe(1);
    expect(stderr).toMatch(/statistics\.json: not found/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a dataset wider than MAX_DATASET_FEATURES with exit 1 and one line', async () => {
    const width = MAX_DATASET_FEATURES + 1;
    const line = Array.from({ length: width }, (_, i) => i).join(',');
    await writeFile(path.join(dir, 'wide.csv'), `${line}\n${line}\n${line}\n`);
    await writeFile(path.join(dir, 'wide.jsonl'), `${JSON.stringify(Object.fromEntries(Array.from({ length: width }, (_, i) => [`k${i}`, i])))}\n`);
    const tooWide = `the dataset has more than ${MAX_DATASET_FEATURES} columns;`;
    for (const args of [
      ['baseline', '--input', path.join(dir, 'wide.csv'), '--output', path.join(dir, 'w1')],
      ['baseline', '--input', path.join(dir, 'wide.csv'), '--no-header', '--output', path.join(dir, 'w2')],
      ['baseline', '--input', path.join(dir, 'wide.jsonl'), '--output', path.join(dir, 'w3')],
      ['analyze', '--baseline', path.join(dir, 'base'), '--input', path.join(dir, 'wide.csv'), '--output', path.join(dir, 'w4')],
    ]) {
      expect(await run(...args)).toBe(1);
      expect(stderr).toContain(tooWide);
      expect(stderr.split('\n')).toHaveLength(2); // one line, then the final newline
    }
  });

  it('runs a preprocessor module on JSON lines', async () => {
    expect(await run('baseline', '--input', path.join(dir, 'data.jsonl'), '--output', path.join(dir, 'pre'), '--preprocessor', path.join(dir, 'pre.mjs'))).toBe(0);
    const stats = JSON.parse(await readFile(path.join(dir, 'pre', 'statistics.json'), 'utf8'));
    expect(stats.features[0].numerical_statistics.sum).toBe(6);
  });

  it('detects a CSV header only when the first line is all names over a numeric line', () => {
    expect(looksLikeHeader('a,b', '1,2')).toBe(true);
    expect(looksLikeHeader('1,2', '3,4')).toBe(false);
    expect(looksLikeHeader('a,b', 'c,d')).toBe(false);
    expect(looksLikeHeader('a,', '1,2')).toBe(false);
  });
});
