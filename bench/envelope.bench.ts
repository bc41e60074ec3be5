/**
 * Envelope benchmark (issue 3): envelope encryption and decryption of a large stream against raw node:crypto
 * AES-256-GCM over the same data, through the same stream.pipeline harness, in the same run.
 *
 *   npx tsx bench/envelope.bench.ts      BENCH_BYTES (default 1 GiB), BENCH_ROUNDS (default 5), BENCH_FRAME_SIZE
 *
 * The source yields 64 KiB views of a fixed 1 MiB pseudo-random block, so producing data costs nothing and the
 * input is never held in memory. KMS is the in-memory provider (no server); one data key per stream.
 *
 * The work runs in child processes under plain `node` (this file and src/crypto transpiled to a temp dir):
 * tsx's loader thread alone adds ~35 MB of RSS, which would say nothing about the envelope. One child per
 * scenario measures peak RSS in isolation; one child times all scenarios, alternating raw and envelope each round
 * so that each ratio compares runs made under the same machine conditions (median over rounds).
 *
 * Decryption cannot be timed alone without storing the ciphertext, so it is timed as a round trip (encrypt →
 * decrypt in one pipeline) against a raw GCM round trip; decrypt-only rates are round trip minus encryption.
 * Raw GCM streaming releases plaintext before its tag is checked; the envelope never does (per frame).
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { DataKeyCache, decryptBuffer, decryptStream, encryptBuffer, encryptStream } from '../src/crypto/envelope.js';
import { MemoryDataKeyProvider } from '../src/crypto/memory-data-key-provider.js';

const BYTES = Number(process.env.BENCH_BYTES ?? 2 ** 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const FRAME_SIZE = Number(process.env.BENCH_FRAME_SIZE ?? 64 * 1024);
const CHUNK = 64 * 1024;
const CONTEXT = { bucket: 'captures', endpoint: 'fraud' };
const SCENARIOS = ['raw encrypt', 'envelope encrypt', 'raw round trip', 'envelope round trip'] as const;
type Scenario = (typeof SCENARIOS)[number];
type Stage = (source: AsyncIterable<Buffer>) => AsyncIterable<Buffer>;

// ---------------------------------------------------------------- workload (runs in the children)

/** xorshift32: deterministic, so every run encrypts the same bytes. */
function pseudoRandomBlock(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const BLOCK = pseudoRandomBlock(1024 * 1024);

async function* source(bytes: number): AsyncGenerator<Buffer> {
  for (let pos = 0; pos < bytes; pos += CHUNK) {
    const at = pos % BLOCK.length;
    yield BLOCK.subarray(at, at + Math.min(CHUNK, bytes - pos));
  }
}

/** Counts bytes; when asked, checks them against the source (used on the warm-up pass). */
function sink(verify: boolean): { writable: Writable; received: () => number } {
  let received = 0;
  const writable = new Writable({
    highWaterMark: CHUNK,
    write(chunk: Buffer, _encoding, done) {
      const at = received % BLOCK.length;
      if (verify && (at + chunk.length > BLOCK.length || !chunk.equals(BLOCK.subarray(at, at + chunk.length)))) {
        return done(new Error(`output differs from input at byte ${received}`));
      }
      received += chunk.length;
      done();
    },
  });
  return { writable, received: () => received };
}

/** Raw GCM over the whole stream as one message: the baseline. The tag travels beside the stream. */
function rawStages(roundTrip: boolean): Stage[] {
  const [key, iv] = [randomBytes(32), randomBytes(12)];
  let tag: Buffer | undefined;
  const encrypt: Stage = async function* (src) {
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    for await (const chunk of src) yield cipher.update(chunk);
    cipher.final();
    tag = cipher.getAuthTag();
  };
  const decrypt: Stage = async function* (src) {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    for await (const chunk of src) yield decipher.update(chunk);
    decipher.setAuthTag(tag!); // set once the encrypting stage has finished
    decipher.final();
  };
  return roundTrip ? [encrypt, decrypt] : [encrypt];
}

const kms = new MemoryDataKeyProvider();
const KEY = kms.createKey();

function stages(scenario: Scenario): Stage[] {
  const encrypt = encryptStream(kms, KEY, CONTEXT, { frameSize: FRAME_SIZE });
  if (scenario === 'raw encrypt' || scenario === 'raw round trip') return rawStages(scenario === 'raw round trip');
  return scenario === 'envelope encrypt' ? [encrypt] : [encrypt, decryptStream(kms, CONTEXT)];
}

async function timeScenario(scenario: Scenario, bytes: number, verify: boolean): Promise<number> {
  const out = sink(verify);
  const start = process.hrtime.bigint();
  await pipeline(source(bytes), ...(stages(scenario) as []), out.writable);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // Envelope encryption adds its header and 25 bytes per frame; every other scenario returns exactly the input.
  const ok = scenario === 'envelope encrypt' ? out.received() > bytes : out.received() === bytes;
  if (!ok) throw new Error(`${scenario}: ${out.received()} bytes out, ${bytes} in`);
  return seconds;
}

async function smallMessageRates(): Promise<Record<string, { encrypt: number; decrypt: number }>> {
  const payload = BLOCK.subarray(0, 1024);
  const rates: Record<string, { encrypt: number; decrypt: number }> = {};
  for (const [label, cache] of [['no cache', undefined], ['data-key cache', new DataKeyCache({ maxAgeMs: 60_000 })]] as const) {
    const n = 5000;
    const message = await encryptBuffer(kms, KEY, payload, CONTEXT, { cache });
    let start = performance.now();
    for (let i = 0; i < n; i++) await encryptBuffer(kms, KEY, payload, CONTEXT, { cache });
    const encrypt = n / ((performance.now() - start) / 1000);
    start = performance.now();
    for (let i = 0; i < n; i++) await decryptBuffer(kms, message, CONTEXT, { cache });
    rates[label] = { encrypt, decrypt: n / ((performance.now() - start) / 1000) };
  }
  return rates;
}

async function child(mode: string): Promise<unknown> {
  if (mode.startsWith('rss:')) {
    const startRss = process.memoryUsage.rss();
    await timeScenario(mode.slice(4) as Scenario, BYTES, false);
    return { startRss, maxRss: process.resourceUsage().maxRSS * 1024 };
  }
  // Warm-up with verification: proves every path returns the input bytes, and lets the JIT settle.
  for (const s of SCENARIOS) await timeScenario(s, Math.min(BYTES, 64 * 2 ** 20), s.includes('round trip'));
  const times: number[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const row: number[] = [];
    for (const s of SCENARIOS) row.push(await timeScenario(s, BYTES, false));
    times.push(row);
  }
  return { times, small: await smallMessageRates() };
}

// ---------------------------------------------------------------- orchestration (runs under tsx)

/** Transpiles this file and src/crypto to plain ESM JavaScript, keeping the relative layout. */
async function transpile(dir: string): Promise<string> {
  const { default: ts } = await import('typescript');
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const cryptoFiles = (await readdir(path.join(root, 'src/crypto'))).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const files = [...cryptoFiles.map((f) => `src/crypto/${f}`), 'bench/envelope.bench.ts'];
  const compilerOptions = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true };
  for (const file of files) {
    const js = ts.transpileModule(await readFile(path.join(root, file), 'utf8'), { compilerOptions }).outputText;
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file.replace(/\.ts$/, '.js')), js);
  }
  await writeFile(path.join(dir, 'package.json'), '{"type":"module"}');
  return path.join(dir, 'bench/envelope.bench.js');
}

function runChild(script: string, mode: string): unknown {
  const r = spawnSync(process.execPath, [script], { env: { ...process.env, BENCH_CHILD: mode }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench child '${mode}' failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mbps = (seconds: number) => (BYTES / 1e6 / seconds).toFixed(0).padStart(6) + ' MB/s';
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function report(times: number[][], rss: Record<string, { startRss: number; maxRss: number }>): void {
  const col = (s: Scenario) => times.map((row) => row[SCENARIOS.indexOf(s)]);
  const decryptOnly = (rt: Scenario, enc: Scenario) => times.map((row) => row[SCENARIOS.indexOf(rt)] - row[SCENARIOS.indexOf(enc)]);
  const ratio = (raw: number[], env: number[]) => median(raw.map((r, i) => r / env[i])).toFixed(2);
  const lines: [string, number[], string?][] = [
    ['(a) raw AES-256-GCM encrypt', col('raw encrypt')],
    ['(b) envelope encryptStream', col('envelope encrypt'), ratio(col('raw encrypt'), col('envelope encrypt'))],
    ['    raw encrypt + decrypt', col('raw round trip')],
    ['(c) envelope encrypt + decryptStream', col('envelope round trip'), ratio(col('raw round trip'), col('envelope round trip'))],
    ['    raw decrypt (derived)', decryptOnly('raw round trip', 'raw encrypt')],
    ['    envelope decryptStream (derived)', decryptOnly('envelope round trip', 'envelope encrypt'),
      ratio(decryptOnly('raw round trip', 'raw encrypt'), decryptOnly('envelope round trip', 'envelope encrypt'))],
  ];
  for (const [label, xs, r] of lines) console.log(`  ${label.padEnd(38)} ${mbps(median(xs))}${r ? `   ratio vs raw ${r} (target >= 0.70)` : ''}`);
  console.log('  peak RSS per scenario, each alone in a fresh `node` (target < 100 MB):');
  for (const s of SCENARIOS) console.log(`    ${s.padEnd(22)} ${mib(rss[s].maxRss).padStart(10)}   (at start ${mib(rss[s].startRss)})`);
}

async function orchestrate(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-envelope-bench-'));
  try {
    const script = await transpile(dir);
    console.log(`envelope bench: ${mib(BYTES)} per run, ${ROUNDS} rounds (median), frame size ${FRAME_SIZE}, ${os.cpus().length} CPUs, Node ${process.version}`);
    const rss = Object.fromEntries(SCENARIOS.map((s) => [s, runChild(script, `rss:${s}`)])) as Record<string, { startRss: number; maxRss: number }>;
    const { times, small } = runChild(script, 'time') as { times: number[][]; small: Record<string, { encrypt: number; decrypt: number }> };
    report(times, rss);
    for (const [label, r] of Object.entries(small)) {
      console.log(`  1 KiB messages, ${label.padEnd(15)} encryptBuffer ${r.encrypt.toFixed(0).padStart(6)}/s   decryptBuffer ${r.decrypt.toFixed(0).padStart(6)}/s`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.env.BENCH_CHILD) console.log(JSON.stringify(await child(process.env.BENCH_CHILD)));
else await orchestrate();
