/**
 * Baseline benchmark (issue 6): `vigil baseline` on a generated CSV against Debian pandas (read_csv + describe +
 * 10-bin histograms + value_counts) on the same file in the same run, interleaved so machine load hits both alike.
 * DuckDB SUMMARIZE (bench/duckdb-summarize.mjs, @duckdb/node-api) runs on the same file as the third reference.
 *
 *   npm run bench:baseline                              (1M rows × 20 columns; BENCH_REPEAT=3 runs each, best kept)
 *   BENCH_ROWS=10000000 npm run bench:baseline          (RSS check: streamed 10M rows, vigil only unless BENCH_PANDAS=1)
 *
 * Targets: vigil wall time ≤ 1.0× pandas, ≥ 10M values/s, peak RSS ≤ 300 MB at 10M rows.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? (ROWS > 2_000_000 ? 1 : 3));
const RSS_MODE = ROWS > 2_000_000;
const RUN_PANDAS = process.env.BENCH_PANDAS !== undefined ? process.env.BENCH_PANDAS === '1' : !RSS_MODE;
const COLS = 20;
const PY = '/usr/bin/python3';
const TIME = '/usr/bin/time';

// ---- data ----------------------------------------------------------------------------------------------------

const prng = mulberry32;

interface Column { name: string; cell(r: () => number): string }

const LEVELS = [5, 8, 12, 20, 35, 50];
const CATEGORIES = LEVELS.map((n, j) => Array.from({ length: n }, (_, i) => `${['red', 'grn', 'blu', 'cty', 'dev', 'seg'][j]}_${i}`));

// 7 float columns, 7 integer columns (some with missing cells), 6 categorical with 5–50 levels.
const COLUMNS: Column[] = [
  { name: 'amount', cell: (r) => (r() * 5000).toFixed(2) },
  { name: 'score', cell: (r) => r().toFixed(6) },
  { name: 'latency_ms', cell: (r) => (r() < 0.02 ? '' : (-Math.log(1 - r()) * 120).toFixed(3)) },
  { name: 'temp', cell: (r) => ((r() + r() + r() - 1.5) * 20).toFixed(1) },
  { name: 'ratio', cell: (r) => (r() < 0.05 ? '' : (r() / (r() + 0.1)).toFixed(4)) },
  { name: 'lat', cell: (r) => (r() * 180 - 90).toFixed(5) },
  { name: 'lon', cell: (r) => (r() * 360 - 180).toFixed(5) },
  { name: 'age', cell: (r) => String(18 + Math.floor(r() * 70)) },
  { name: 'count', cell: (r) => String(Math.floor(-Math.log(1 - r()) * 10)) },
  { name: 'id', cell: (r) => String(Math.floor(r() * 1e9)) },
  { name: 'balance', cell: (r) => (r() < 0.03 ? '' : String(Math.floor((r() - 0.3) * 1e6))) },
  { name: 'items', cell: (r) => String(1 + Math.floor(r() * 12)) },
  { name: 'year', cell: (r) => String(1990 + Math.floor(r() * 35)) },
  { name: 'clicks', cell: (r) => (r() < 0.1 ? '' : String(Math.floor(r() * r() * 500))) },
  ...CATEGORIES.map((levels, j) => ({
    name: ['color', 'grade', 'region', 'city', 'device', 'segment'][j],
    cell: (r: () => number) => (j === 3 && r() < 0.04 ? '' : levels[Math.floor(r() * r() * levels.length)]),
  })),
];
const NUMERIC = COLUMNS.slice(0, 14).map((c) => c.name);
const CATEGORICAL = COLUMNS.slice(14).map((c) => c.name);

/** Written in ~1 MB pieces with backpressure, so 10M rows (1.3 GB) never sit in memory. */
async function generate(file: string, rows: number): Promise<void> {
  const r = prng(20260601);
  const out = createWriteStream(file);
  let buf = `${COLUMNS.map((c) => c.name).join(',')}\n`;
  for (let i = 0; i < rows; i++) {
    let line = COLUMNS[0].cell(r);
    for (let j = 1; j < COLUMNS.length; j++) line += `,${COLUMNS[j].cell(r)}`;
    buf += `${line}\n`;
    if (buf.length >= 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

// ---- runners -------------------------------------------------------------------------------------------------

interface Run { seconds: number; rssMB: number; cpuSeconds: number }

const PANDAS_SCRIPT = `
import sys, resource, numpy as np, pandas as pd
num, cat = sys.argv[2].split(','), sys.argv[3].split(',')
df = pd.read_csv(sys.argv[1])
d = df.describe(include='all')
h = [np.histogram(df[c].dropna().to_numpy(), bins=10) for c in num]
v = [df[c].value_counts() for c in cat]
print(len(df), d.shape, len(h), sum(len(x) for x in v), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
`;
import { mulberry32 } from '../src/util/prng.js';


/** Wall time and peak RSS of a child, measured by GNU time when present (else wall time only). */
async function measure(cmd: string, args: string[]): Promise<Run> {
  const haveTime = existsSync(TIME);
  const [c, a] = haveTime ? [TIME, ['-f', '@@ %e %M %U %S', cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const child = spawn(c, a, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${err}`);
  const m = /@@ ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(err);
  return { seconds, rssMB: m ? Number(m[2]) / 1024 : NaN, cpuSeconds: m ? Number(m[3]) + Number(m[4]) : NaN };
}

function best(runs: Run[]): Run {
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

function duckdbAvailable(): string | undefined {
  return existsSync('node_modules/@duckdb/node-api') ? undefined : '@duckdb/node-api is not installed (npm ci installs it as a dev dependency)';
}

function line(label: string, r: Run, values: number): string {
  return `  ${label.padEnd(30)} ${r.seconds.toFixed(2).padStart(7)} s  ${(values / r.seconds / 1e6).toFixed(1).padStart(6)} M values/s  peak RSS ${r.rssMB.toFixed(0).padStart(5)} MB  CPU ${r.cpuSeconds.toFixed(2)} s`;
}

/** Other work on the machine skews wall times (two vCPUs): say how busy it was. */
function load(): string {
  return os.loadavg().map((x) => x.toFixed(1)).join(' ');
}

// ---- main ----------------------------------------------------------------------------------------------------

const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-baseline-bench-'));
try {
  const csv = path.join(dir, 'data.csv');
  const script = path.join(dir, 'pandas_profile.py');
  await writeFile(script, PANDAS_SCRIPT);
  const t = Date.now();
  await generate(csv, ROWS);
  const bytes = (await stat(csv)).size;
  const values = ROWS * COLS;
  console.log(`baseline bench: ${ROWS.toLocaleString('en-US')} rows × ${COLS} columns (${NUMERIC.length} numeric, ${CATEGORICAL.length} categorical), ${(bytes / 1e6).toFixed(0)} MB, generated in ${((Date.now() - t) / 1000).toFixed(1)} s; ${os.cpus().length} CPUs; best of ${REPEAT}`);

  console.log(`  load average before: ${load()}`);
  const tiny = path.join(dir, 'tiny.csv');
  await writeFile(tiny, `${COLUMNS.map((c) => c.name).join(',')}\n${COLUMNS.map(() => '1').join(',')}\n`);
  const startupRuns: Run[] = [];
  for (let i = 0; i < 3; i++) startupRuns.push(await measure(process.execPath, [path.resolve('bin/vigil.js'), 'baseline', '--input', tiny, '--header', '--output', path.join(dir, 'tiny-out')]));
  const startup = best(startupRuns);
  const vigilArgs = [path.resolve('bin/vigil.js'), 'baseline', '--input', csv, '--header', '--output', path.join(dir, 'out')];
  const pandasArgs = [script, csv, NUMERIC.join(','), CATEGORICAL.join(',')];
  const vigilRuns: Run[] = [];
  const pandasRuns: Run[] = [];
  const duckRuns: Run[] = [];
  const duckSkip = duckdbAvailable();
  for (let i = 0; i < REPEAT; i++) {
    if (RUN_PANDAS) pandasRuns.push(await measure(PY, pandasArgs));
    if (duckSkip === undefined) duckRuns.push(await measure(process.execPath, [path.resolve('bench/duckdb-summarize.mjs'), csv]));
    vigilRuns.push(await measure(process.execPath, vigilArgs));
  }

  console.log(`  load average after: ${load()}`);
  const v = best(vigilRuns);
  console.log(`  vigil startup (1-row file)     ${startup.seconds.toFixed(2).padStart(7)} s  (included in every vigil run)`);
  console.log(line('vigil baseline', v, values));
  console.log(`    runs: ${vigilRuns.map((r) => r.seconds.toFixed(2)).join(', ')} s`);
  if (RUN_PANDAS) {
    const p = best(pandasRuns);
    console.log(line('pandas (read+describe+hist+vc)', p, values));
    console.log(`    runs: ${pandasRuns.map((r) => r.seconds.toFixed(2)).join(', ')} s`);
    const ratio = v.seconds / p.seconds;
    console.log(`  ratio vigil/pandas wall time: ${ratio.toFixed(2)}× (target ≤ 1.0×) ${ratio <= 1 ? 'PASS' : 'FAIL'}`);
  } else {
    console.log('  pandas skipped (RSS-check mode; BENCH_PANDAS=1 to include it: it holds the whole frame in memory)');
  }
  if (duckSkip === undefined) console.log(line('duckdb SUMMARIZE', best(duckRuns), values));
  else console.log(`  duckdb skipped: ${duckSkip}`);
  const vps = values / v.seconds;
  console.log(`  vigil throughput: ${(vps / 1e6).toFixed(1)} M values/s (target ≥ 10) ${vps >= 1e7 ? 'PASS' : 'FAIL'}`);
  if (RSS_MODE) console.log(`  vigil peak RSS at ${ROWS.toLocaleString('en-US')} rows: ${v.rssMB.toFixed(0)} MB (target ≤ 300) ${v.rssMB <= 300 ? 'PASS' : 'FAIL'}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
