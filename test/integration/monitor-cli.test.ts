import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVigil } from '../helpers/binary.js';

/** Capture JSONL as an endpoint writes it: CSV in, CSV out. */
function capture(rows: number, shift: number): string {
  let s = 11;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const input = `${(rnd() * 100 + shift).toFixed(2)},${(rnd() * 10).toFixed(2)}`;
    lines.push(
      JSON.stringify({
        captureData: {
          endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: input, encoding: 'CSV' },
          endpointOutput: { observedContentType: 'text/csv', mode: 'OUTPUT', data: (rnd() * 1).toFixed(3), encoding: 'CSV' },
        },
        eventMetadata: { eventId: `e${i}`, inferenceTime: '2024-05-01T10:00:00Z' },
        eventVersion: '0',
      }),
    );
  }
  return lines.join('\n') + '\n';
}

describe('vigil baseline / analyze (the real binary)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-monitor-bin-'));
    let train = '';
    let s = 11;
    const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 2000; i++) train += `${(rnd() * 100).toFixed(2)},${(rnd() * 10).toFixed(2)}\n`;
    await writeFile(path.join(dir, 'train.csv'), train);
    await writeFile(path.join(dir, 'ok.jsonl'), capture(500, 0));
    await writeFile(path.join(dir, 'drift.jsonl'), capture(500, 60));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('baselines headerless CSV, then analyzes capture files: exit 0, then 3 on drift', async () => {
    const base = await runVigil(['baseline', '--input', path.join(dir, 'train.csv'), '--output', path.join(dir, 'base')]);
    expect(base.stderr).toBe('');
    expect(base.code).toBe(0);
    expect(base.stdout).toContain('2000 rows, 2 features (csv, no header)');

    const ok = await runVigil(['analyze', '--baseline', path.join(dir, 'base'), '--input', path.join(dir, 'ok.jsonl'), '--output', path.join(dir, 'out-ok')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('500 rows, no violations');

    const bad = await runVigil(['analyze', '--baseline', path.join(dir, 'base'), '--input', path.join(dir, 'drift.jsonl'), '--format', 'capture', '--output', path.join(dir, 'out-bad')]);
    expect(bad.code).toBe(3);
    const v = JSON.parse(await readFile(path.join(dir, 'out-bad', 'constraint_violations.json'), 'utf8'));
    expect(v.violations).toEqual([expect.objectContaining({ feature_name: '_c0', constraint_check_type: 'baseline_drift_check' })]);
    expect((await readFile(path.join(dir, 'out-bad', 'report.html'), 'utf8')).startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('exits 2 on usage errors and 1 on failures, with one line and no stack trace', async () => {
    const usage = await runVigil(['analyze', '--input', 'x']);
    expect(usage.code).toBe(2);
    expect(usage.stderr.split('\n')[0]).toMatch(/^vigil: --(baseline|output) is required$/);
    expect(usage.stderr).not.toMatch(/\n\s+at /);
    const fail = await runVigil(['baseline', '--input', path.join(dir, 'missing.csv'), '--output', path.join(dir, 'x')]);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toBe(`vigil baseline: ${path.join(dir, 'missing.csv')}: no such file or directory\n`);
  });
});
