/**
 * Sends live transactions to a Vigil (or AWS) SageMaker endpoint with the AWS SDK, at a steady rate, optionally
 * drifted (drift.ts), so data capture, drift monitoring and alarms have something to watch.
 *
 * Each request body is CSV rows of the 15 model features (features.ts, no header), Content-Type text/csv.
 * Endpoint, region and credentials come from the usual AWS settings — `eval "$(npx vigil env)"` exports them
 * (AWS_ENDPOINT_URL, AWS_PROFILE, NODE_EXTRA_CA_CERTS, …) — or from --endpoint-url / --region.
 *
 * CLI: npx tsx examples/fraud-detection/traffic.ts --endpoint-name fraud-detection [--rate 5] [--duration 60]
 *        [--count N] [--batch 1] [--concurrency 4] [--seed 7] [--drift amount=3 …] [--drift-after SECONDS]
 *        [--ground-truth FILE.jsonl] [--endpoint-url URL] [--region R]
 *
 * With --ground-truth (requires --batch 1) every request carries an InferenceId, and the label the generator
 * drew for it is appended to FILE in SageMaker's ground-truth JSON Lines format, for model-quality monitoring.
 * Labels under drift come from the same fraud rule (generate.ts), so drift is covariate shift, not concept shift.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { isMain, numberFlag, runMain } from './cli.js';
import { applyDrift, isNoDrift, parseDrift, type Drift } from './drift.js';
import { featureCsvLine } from './features.js';
import { drawLabel, drawTransaction } from './generate.js';
import { Prng } from './prng.js';
import { TrafficStats } from './traffic-stats.js';

export interface TrafficOptions {
  endpointName: string;
  /** Requests per second. */
  rate: number;
  /** Stop after this many requests… */
  count?: number;
  /** …or after this many seconds, whichever comes first (neither: until aborted). */
  durationSeconds?: number;
  /** Rows per request. */
  batch: number;
  /** Requests in flight at most; a slow endpoint lowers the achieved rate rather than piling up requests. */
  concurrency: number;
  seed: number;
  drift: Drift;
  /** Send undrifted traffic for this long first, so one run shows the before and after. */
  driftAfterSeconds: number;
  groundTruthFile?: string;
  reportEverySeconds: number;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** A counting semaphore: acquire() waits while `limit` holders are out. */
class Slots {
  private free: number;
  private readonly waiters: (() => void)[] = [];
  constructor(limit: number) {
    this.free = limit;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
}

function groundTruthLine(inferenceId: string, label: 0 | 1): string {
  return JSON.stringify({ groundTruthData: { data: String(label), encoding: 'CSV' }, eventMetadata: { eventId: inferenceId }, eventVersion: '0' }) + '\n';
}

export async function runTraffic(client: SageMakerRuntimeClient, o: TrafficOptions): Promise<TrafficStats> {
  if (o.groundTruthFile && o.batch !== 1) throw new Error('--ground-truth needs --batch 1 (one label per InferenceId)');
  if (!(o.rate > 0)) throw new Error('--rate must be positive');
  const rng = new Prng(o.seed);
  const runId = `fraud-${o.seed}-${Date.now().toString(36)}`;
  const stats = new TrafficStats();
  const slots = new Slots(Math.max(1, o.concurrency));
  const inFlight = new Set<Promise<void>>();
  const truth: WriteStream | undefined = o.groundTruthFile ? createWriteStream(o.groundTruthFile, { flags: 'a' }) : undefined;
  const start = performance.now();
  let nextReport = o.reportEverySeconds * 1000;
  const drifting = (): boolean => !isNoDrift(o.drift) && performance.now() - start >= o.driftAfterSeconds * 1000;

  for (let i = 0; o.count === undefined || i < o.count; i++) {
    const due = start + (i * 1000) / o.rate;
    if (o.durationSeconds !== undefined && due - start >= o.durationSeconds * 1000) break;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait, undefined, { signal: o.signal }).catch(() => undefined);
    if (o.signal?.aborted) break;
    await slots.acquire();

    const drift = drifting();
    const rows = Array.from({ length: o.batch }, () => {
      const t = drift ? applyDrift(drawTransaction(rng), o.drift, rng) : drawTransaction(rng);
      return { t, label: drawLabel(t, rng) };
    });
    const inferenceId = truth ? `${runId}-${i}` : undefined;
    const sentAt = performance.now();
    const request = client
      .send(
        new InvokeEndpointCommand({
          EndpointName: o.endpointName,
          ContentType: 'text/csv',
          Body: new TextEncoder().encode(rows.map((r) => featureCsvLine(r.t)).join('\n')),
          ...(inferenceId ? { InferenceId: inferenceId } : {}),
        }),
      )
      .then(
        (res) => {
          stats.success(performance.now() - sentAt, new TextDecoder().decode(res.Body ?? new Uint8Array()), drift);
          if (truth && inferenceId) truth.write(groundTruthLine(inferenceId, rows[0].label));
        },
        (err: unknown) => stats.failure(err),
      )
      .finally(() => {
        slots.release();
        inFlight.delete(request);
      });
    inFlight.add(request);

    if (performance.now() - start >= nextReport) {
      o.log(stats.line((performance.now() - start) / 1000));
      nextReport += o.reportEverySeconds * 1000;
    }
  }
  await Promise.all(inFlight);
  if (truth) await new Promise<void>((resolve, reject) => truth.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return stats;
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const { values } = parseArgs({
      options: {
        'endpoint-name': { type: 'string', default: 'fraud-detection' },
        rate: { type: 'string', default: '5' },
        duration: { type: 'string' },
        count: { type: 'string' },
        batch: { type: 'string', default: '1' },
        concurrency: { type: 'string', default: '4' },
        seed: { type: 'string', default: '7' },
        drift: { type: 'string', multiple: true, default: [] },
        'drift-after': { type: 'string', default: '0' },
        'ground-truth': { type: 'string' },
        'endpoint-url': { type: 'string' },
        region: { type: 'string' },
        'report-every': { type: 'string', default: '5' },
      },
    });
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort()); // finish in-flight requests, then print the summary
    const client = new SageMakerRuntimeClient({
      ...(values['endpoint-url'] ? { endpoint: values['endpoint-url'] } : {}),
      ...(values.region ? { region: values.region } : {}),
    });
    const drift = parseDrift(values.drift);
    const started = performance.now();
    const stats = await runTraffic(client, {
      endpointName: values['endpoint-name'],
      rate: numberFlag('rate', values.rate),
      count: values.count === undefined ? undefined : numberFlag('count', values.count),
      durationSeconds: values.duration === undefined ? undefined : numberFlag('duration', values.duration),
      batch: Math.max(1, Math.round(numberFlag('batch', values.batch))),
      concurrency: numberFlag('concurrency', values.concurrency),
      seed: numberFlag('seed', values.seed),
      drift,
      driftAfterSeconds: numberFlag('drift-after', values['drift-after']),
      groundTruthFile: values['ground-truth'],
      reportEverySeconds: numberFlag('report-every', values['report-every']),
      log: (line) => console.log(line),
      signal: controller.signal,
    });
    console.log(stats.line((performance.now() - started) / 1000));
    client.destroy();
    if (stats.failed > 0 && stats.ok === 0) process.exitCode = 1;
  });
}
