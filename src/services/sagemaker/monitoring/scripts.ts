/**
 * `record_preprocessor_script` and `post_analytics_processor_script`: user JavaScript run isolated from the server
 * (docs/model-monitor-server.md has the contract). Each script gets its own worker thread with heap limits; each call
 * must finish within the time limit or the worker is terminated and the job fails with that reason.
 */
import { Worker } from 'node:worker_threads';
import { MAX_LOG_LINE_CHARS, MAX_LOG_LINES, WORKER_SOURCE } from './script-worker.js';

export interface ScriptLimits {
  /** Per call (one record for a preprocessor, the whole run for a post-processor). */
  timeoutMs: number;
  maxHeapMb: number;
}

export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = { timeoutMs: 30_000, maxHeapMb: 128 };

const MIB = 1024 * 1024;
/** The largest JSON result a handler may return: a preprocessor's is one record, a post-processor's its extra files. */
export const MAX_RESULT_BYTES: Record<string, number> = { preprocess_handler: MIB, postprocess_handler: 16 * MIB };

/** A script failed: its message becomes the job's FailureReason. */
export class ScriptError extends Error {}

interface Reply { id: number; result?: string; error?: string; logs?: string }

export class ScriptRunner {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  #next = 0;
  #dead: Error | undefined;
  /** Lines the script logged (capped), for the job's ExitMessage. */
  readonly logs: string[] = [];

  constructor(readonly label: string, source: string, handler: string, private readonly limits: ScriptLimits = DEFAULT_SCRIPT_LIMITS) {
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { source, filename: label, handler, timeoutMs: limits.timeoutMs, maxResultBytes: MAX_RESULT_BYTES[handler] ?? MIB },
      resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb, maxYoungGenerationSizeMb: Math.max(4, limits.maxHeapMb / 8), stackSizeMb: 4 },
      env: {},
      stdout: true,
      stderr: true,
    });
    this.#worker.unref();
    this.#worker.on('message', (r: Reply) => this.#settle(r));
    this.#worker.on('error', (err) => this.#fail(new ScriptError(`${label} failed: ${err.message}`)));
    this.#worker.on('exit', (code) => this.#fail(new ScriptError(`${label} exited (code ${code})`)));
  }

  /** Calls the handler with JSON-serialisable arguments (plus a logger); resolves with its JSON result. */
  async call(args: unknown[]): Promise<unknown> {
    if (this.#dead) throw this.#dead;
    const id = this.#next++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(new ScriptError(`${this.label} timed out after ${this.limits.timeoutMs} ms`));
        void this.#worker.terminate();
      }, this.limits.timeoutMs + 250);
      this.#pending.set(id, { resolve, reject, timer });
      this.#worker.postMessage({ id, args: JSON.stringify(args) });
    });
    if (reply.logs) {
      for (const l of JSON.parse(reply.logs) as unknown[]) {
        if (this.logs.length < MAX_LOG_LINES && typeof l === 'string') this.logs.push(l.slice(0, MAX_LOG_LINE_CHARS));
      }
    }
    if (reply.error !== undefined) {
      const timedOut = /timed out/i.test(reply.error);
      throw new ScriptError(timedOut ? `${this.label} timed out after ${this.limits.timeoutMs} ms` : `${this.label} failed: ${reply.error}`);
    }
    return JSON.parse(reply.result ?? 'null');
  }

  async close(): Promise<void> {
    this.#dead ??= new ScriptError(`${this.label} was closed`);
    await this.#worker.terminate();
  }

  #settle(r: Reply): void {
    const p = this.#pending.get(r.id);
    if (!p) return;
    clearTimeout(p.timer);
    this.#pending.delete(r.id);
    p.resolve(r);
  }

  #fail(err: Error): void {
    this.#dead ??= err;
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(this.#dead);
    }
    this.#pending.clear();
  }
}
