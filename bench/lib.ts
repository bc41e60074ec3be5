/** What the benchmarks share: ports, pinned server processes, a data dir's credentials, signing, load runs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Creds { accessKeyId: string; secretAccessKey: string }

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Server pinned to CPU 0 when taskset exists, so the load generator (this process) keeps CPU 1. */
export function spawnPinned(args: string[], readyPattern: RegExp, env: NodeJS.ProcessEnv = process.env): Promise<ChildProcess> {
  const useTaskset = os.cpus().length > 1;
  const [cmd, argv] = useTaskset ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], env });
    child.stdout!.on('data', (d: Buffer) => { if (readyPattern.test(d.toString())) resolve(child); });
    child.on('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
}

export async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** The root key, CA and HTTPS endpoint a first `vigil serve` wrote into its data dir. */
export async function dataDirClient(dir: string): Promise<{ root: Creds; ca: string; httpsUrl: string }> {
  const creds = await readFile(path.join(dir, 'credentials'), 'utf8');
  return {
    root: { accessKeyId: /aws_access_key_id = (\S+)/.exec(creds)![1], secretAccessKey: /aws_secret_access_key = (\S+)/.exec(creds)![1] },
    ca: await readFile(path.join(dir, 'tls', 'ca.pem'), 'utf8'),
    httpsUrl: /endpoint_url = (\S+)/.exec(await readFile(path.join(dir, 'config'), 'utf8'))![1],
  };
}

/** One signed request; SigV4 has no replay protection, so it stays valid for the skew window. */
export async function signedHeaders(opts: { service: string; host: string; path?: string; headers: Record<string, string>; body: string },
  creds: Creds): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: opts.service, region: 'us-east-1', credentials: creds, sha256: Sha256, applyChecksum: false });
  const [hostname, port] = opts.host.split(':');
  const req = new HttpRequest({
    method: 'POST', protocol: 'http:', hostname, port: Number(port), path: opts.path ?? '/',
    headers: { host: opts.host, ...opts.headers }, body: opts.body,
  });
  const out = await signer.sign(req);
  return Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v]));
}

export interface LoadResult { rps: number; p50: number; p99: number; non2xx: number }

/** A warm-up, then the measured run; `rate` caps the overall request rate (requests per second). */
export async function load(url: string, headers: Record<string, string>, body: string,
  opts: { connections: number; seconds: number; rate?: number }): Promise<LoadResult> {
  const base = { url, method: 'POST' as const, headers, body, connections: opts.connections, ...(opts.rate ? { overallRate: opts.rate } : {}) };
  await autocannon({ ...base, duration: 2 });
  const r = await autocannon({ ...base, duration: opts.seconds });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx + r.errors };
}

/**
 * How much extra work per request a throughput target leaves on this machine. The baseline server is re-run with
 * N µs of busy work added to every request (BENCH_BURN_US); where its throughput falls to `target` × the plain
 * baseline is the budget the gateway's own work must fit in. It is less than the naive 1/(target·rps) − 1/rps,
 * because a slower server also leaves the load generator idle, and waking it costs the server's core.
 */
export async function budget(startBaseline: (env: NodeJS.ProcessEnv) => Promise<ChildProcess>, run: (url: string) => Promise<LoadResult>,
  url: string, baselineRps: number, target: number, burns = [5, 10, 20]): Promise<{ budgetUs: number; points: [number, number][] }> {
  const points: [number, number][] = [[0, baselineRps]];
  for (const us of burns) {
    const child = await startBaseline({ ...process.env, BENCH_BURN_US: String(us) });
    try {
      points.push([us, (await run(url)).rps]);
    } finally {
      await stop(child);
    }
  }
  // Per-request time grows about linearly with the added work: interpolate in 1/rps.
  const goal = 1 / (target * baselineRps);
  for (let i = 1; i < points.length; i++) {
    const [b0, r0] = points[i - 1];
    const [b1, r1] = points[i];
    if (1 / r1 >= goal) return { budgetUs: b0 + ((goal - 1 / r0) / (1 / r1 - 1 / r0)) * (b1 - b0), points };
  }
  const [bl, rl] = points[points.length - 1];
  return { budgetUs: bl * (goal / (1 / rl)), points };
}

export function budgetLine(b: { budgetUs: number; points: [number, number][] }, target: number, baselineRps: number): string {
  const shown = b.points.slice(1).map(([us, rps]) => `+${us} µs → ${(rps / baselineRps).toFixed(2)}`).join(', ');
  return `  calibration: the baseline with busy work added per request: ${shown}
`
    + `  → a ratio of ${target} leaves ≈ ${b.budgetUs.toFixed(1)} µs of work per request on this machine`;
}

export function row(label: string, r: LoadResult): string {
  return `  ${label.padEnd(26)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  non-2xx ${r.non2xx}`;
}
