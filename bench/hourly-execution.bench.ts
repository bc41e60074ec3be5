/**
 * Hourly execution benchmark (issue 6 §5): the work a schedule's hourly execution does when its window was
 * profiled minute by minute — merge the stored per-minute profiles (SqlProfileStore on SQLite), rename the
 * positional columns and analyse against the baseline — against, in the same run, the rescan it replaces: the same
 * rows read from capture JSONL through the capture reader and profiled. Both go through the server's MonitorCore
 * seam (monitoring/analyzer.ts), as an execution does.
 *
 *   npm run bench:hourly                    (1M captured records × 15 numeric features; BENCH_REPEAT=3, best kept)
 *
 * Target: merge + analysis ≤ 2 s.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { suggestBaseline } from '../src/monitor/jobs.js';
import { SqlProfileStore, type ProfilePartial } from '../src/monitor/live/index.js';
import { DatasetProfile } from '../src/monitor/profile.js';
import { monitorCore } from '../src/services/sagemaker/monitoring/analyzer.js';
import { openState } from '../src/state/index.js';
import { mulberry32, standardNormal } from '../src/util/prng.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const FEATURES = 15;
const MINUTES = 60;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const KEY = { accountId: '123456789012', region: 'us-east-1', endpoint: 'bench', variant: 'AllTraffic' };
const NAMES = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
const INPUT_ONLY = { sagemakerCaptureJson: { captureIndexNames: ['endpointInput'] } };

/** Deterministic standard-normal traffic. */
function normal(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => standardNormal(uniform);
}

/** Feature i ~ N(i, 1 + i/10), rounded as a client would send it. */
function values(next: () => number): number[] {
  const x = new Array<number>(FEATURES);
  for (let i = 0; i < FEATURES; i++) x[i] = Math.round((i + (1 + i / 10) * next()) * 1e4) / 1e4;
  return x;
}

function captureLine(x: number[], n: number): string {
  const at = new Date(T0 + Math.floor((n * MINUTES * 60_000) / ROWS)).toISOString();
  return JSON.stringify({
    captureData: { endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: x.join(','), encoding: 'CSV' } },
    eventMetadata: { eventId: `e-${n}`, inferenceTime: at },
    eventVersion: '0',
  });
}

/** An hour of traffic: 60 per-minute profiles as the live profiler keeps them (`_c0…`) and the same rows as capture JSONL. */
async function generate(file: string): Promise<ProfilePartial[]> {
  const next = normal(42);
  const out = createWriteStream(file);
  const partials: ProfilePartial[] = [];
  let n = 0;
  for (let m = 0; m < MINUTES; m++) {
    const profile = DatasetProfile.empty();
    const upTo = Math.round((ROWS * (m + 1)) / MINUTES);
    let chunk: string[] = [];
    for (; n < upTo; n++) {
      const x = values(next);
      const row: Record<string, number> = {};
      for (let i = 0; i < FEATURES; i++) row[`_c${i}`] = x[i];
      profile.add(row);
      chunk.push(captureLine(x, n));
      if (chunk.length === 5000) {
        if (!out.write(chunk.join('\n') + '\n')) await once(out, 'drain');
        chunk = [];
      }
    }
    if (chunk.length && !out.write(chunk.join('\n') + '\n')) await once(out, 'drain');
    partials.push({ ...KEY, minute: T0 + m * 60_000, profile });
  }
  out.end();
  await once(out, 'finish');
  return partials;
}

async function baseline() {
  const next = normal(7);
  const rows = Array.from({ length: 20_000 }, () => Object.fromEntries(values(next).map((v, i) => [NAMES[i], v])));
  const b = await suggestBaseline((async function* () { yield rows; })());
  return { statistics: b.statistics, constraints: b.constraints };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-hourly-'));
  const state = await openState({ sqlitePath: path.join(dir, 'state.db') });
  try {
    const store = new SqlProfileStore(state.db, 'bench-writer');
    const file = path.join(dir, 'capture.jsonl');
    let t = performance.now();
    const partials = await generate(file);
    for (let i = 0; i < partials.length; i += 10) await store.insert(partials.slice(i, i + 10));
    const b = await baseline();
    console.log(`generated ${ROWS} rows × ${FEATURES} features: ${MINUTES} stored minute profiles, capture JSONL ${((await stat(file)).size / 1e6).toFixed(0)} MB `
      + `(${((performance.now() - t) / 1000).toFixed(1)} s, not timed)`);

    const start = new Date(T0);
    const end = new Date(T0 + MINUTES * 60_000);
    let best = Infinity;
    let mergeMs = 0;
    let rows = 0;
    for (let r = 0; r < REPEAT; r++) {
      t = performance.now();
      const merged = await store.merged(KEY.accountId, KEY.region, KEY.endpoint, undefined, start, end);
      const m = performance.now() - t;
      if (!merged || merged.missingMinutes.length) throw new Error('stored minutes missing');
      const a = await monitorCore.analyzeProfile(merged.profile, b, { names: NAMES });
      const total = performance.now() - t;
      rows = a.statistics.dataset.item_count;
      if (total < best) { best = total; mergeMs = m; }
    }
    console.log(`stored profiles: mergedProfile + analysis of ${rows} rows: ${(best / 1000).toFixed(3)} s (merge ${(mergeMs / 1000).toFixed(3)} s; best of ${REPEAT})`
      + ` — target ≤ 2 s: ${best <= 2000 ? 'met' : 'NOT met'}`);

    t = performance.now();
    const files = (async function* () { yield { name: 'capture.jsonl', body: createReadStream(file) }; })();
    const a = await monitorCore.analyze(monitorCore.rows(INPUT_ONLY, files, { names: NAMES }), b);
    const rescan = performance.now() - t;
    if (a.statistics.dataset.item_count !== rows) throw new Error(`rescan read ${a.statistics.dataset.item_count} rows, profiles ${rows}`);
    console.log(`rescan (in-run baseline): capture reader + profile + analysis of ${rows} rows: ${(rescan / 1000).toFixed(3)} s`);
    console.log(`ratio: stored profiles take ${(best / rescan * 100).toFixed(1)} % of the rescan (${(rescan / best).toFixed(1)}× faster)`);
  } finally {
    await state.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
