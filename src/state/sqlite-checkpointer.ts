import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * Moves SQLite's WAL checkpoints off the event loop. By default the connection that commits checkpoints every
 * ~4 MB of WAL, copying pages into the database file and fsyncing it inside COMMIT: under sustained audit and
 * metric writes that stalled the event loop for up to a quarter of a second and made each row a third more
 * expensive. Here a worker thread with its own connection runs PASSIVE checkpoints (they never block writers)
 * every `intervalMs`, and the main connection's automatic checkpoints are off while that worker is healthy.
 *
 * The worker starts after `startDelayMs`, so short-lived databases (tests, CLI commands) never pay for a thread.
 * If it fails, automatic checkpoints come back: the WAL must never grow without bound.
 */
export interface CheckpointerOptions {
  intervalMs?: number;
  startDelayMs?: number;
  /** How long checkpoints may keep failing before the worker is given up (default 10 s). */
  giveUpAfterMs?: number;
  onError?: (err: Error) => void;
}

/** SQLite's default wal_autocheckpoint, restored whenever the worker is not running. */
const DEFAULT_AUTOCHECKPOINT = 1000;
/**
 * Checkpoints failing this many times in a row and for this long: the worker is given up and SQLite checkpoints on
 * commit again (a blip such as a moment of a full disk does not cost the background checkpoints for good).
 */
const MAX_CONSECUTIVE_FAILURES = 5;
const DEFAULT_GIVE_UP_AFTER_MS = 10_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 0, fileMustExist: true });
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)');
let failures = 0;
let failingSince = 0;
const timer = setInterval(() => {
  try {
    checkpoint();
    failures = 0;
  } catch (err) {
    if (failures++ === 0) failingSince = Date.now();
    parentPort.postMessage({ error: String(err && err.message || err), failures, failingForMs: Date.now() - failingSince });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { checkpoint(); } catch {}
  db.close();
  parentPort.close();
});
parentPort.postMessage({ ready: true });
`;

export class WalCheckpointer {
  private worker: Worker | undefined;
  private readonly startTimer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly conn: Database.Database,
    private readonly path: string,
    private readonly opts: CheckpointerOptions = {},
  ) {
    this.startTimer = setTimeout(() => this.start(), opts.startDelayMs ?? 1000);
    this.startTimer.unref();
  }

  private start(): void {
    if (this.stopped) return;
    let worker: Worker;
    try {
      const driver = createRequire(import.meta.url).resolve('better-sqlite3');
      worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path: this.path, intervalMs: this.opts.intervalMs ?? 200 } });
    } catch (err) {
      // Automatic checkpoints were never switched off: the database simply keeps checkpointing on commit.
      this.report(new Error(`background WAL checkpointer could not start: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    this.worker = worker;
    worker.unref();
    worker.on('message', (m: { ready?: boolean; error?: string; failures?: number; failingForMs?: number }) => {
      // Messages a worker already given up (or stopped) had queued are not this checkpointer's business any more.
      if (this.worker !== worker) return;
      if (m.ready && !this.stopped) this.conn.pragma('wal_autocheckpoint = 0');
      if (!m.error) return;
      // The first failure is reported; if they persist, the WAL must not grow without bound: give the worker up.
      if (m.failures === 1) this.report(new Error(`background WAL checkpoint failed: ${m.error}`));
      if ((m.failures ?? 0) >= MAX_CONSECUTIVE_FAILURES && (m.failingForMs ?? 0) >= (this.opts.giveUpAfterMs ?? DEFAULT_GIVE_UP_AFTER_MS)) {
        this.report(new Error(`background WAL checkpoints keep failing (${m.error}); SQLite checkpoints on commit again`));
        this.fallBack(worker);
        void worker.terminate();
      }
    });
    worker.on('error', (err: unknown) => {
      // An error thrown in the worker arrives cloned; a driver error class may come without its message.
      const e = err as { message?: unknown; code?: unknown };
      this.report(new Error(`background WAL checkpointer stopped: ${String(e?.message ?? e?.code ?? err)}`));
      this.fallBack(worker);
    });
    worker.on('exit', () => this.fallBack(worker));
  }

  private report(err: Error): void {
    if (this.opts.onError) this.opts.onError(err);
    else process.emitWarning(err.message, 'VigilStateWarning');
  }

  /** For tests: whether the worker is running and the main connection's automatic checkpoints are off. */
  get active(): boolean {
    return this.worker !== undefined && Number(this.conn.pragma('wal_autocheckpoint', { simple: true })) === 0;
  }

  private fallBack(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (!this.stopped && this.conn.open) this.conn.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
  }

  /** Stops the worker after a last checkpoint; the main connection checkpoints on its own again. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.startTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (this.conn.open) this.conn.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('stop');
    await exited;
  }
}
