import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Logger } from 'pino';
import type { ContainerSpec, InvokeRequest, InvokeResult, LoadContext, ModelRuntime } from '../types.js';
import { safeRelativePath, unpackArtifact } from './archive.js';
import { ContainerClient, waitForPing } from './container-client.js';
import { pingFailure, type ContainerSettings } from './container-runtime.js';
import { modelNotReady } from './errors.js';
import { freePort, parseServeCommand, serverEnvironment, spawnServer, stopServer } from './exec-process.js';

/**
 * `vigil/exec`: Vigil plays the part of SageMaker's host agent for a model server it starts itself. It unpacks the
 * model, starts the command on a free port, waits for `/ping`, restarts the server with backoff when it dies (requests
 * meanwhile get ModelNotReadyException, as during an AWS instance replacement), and stops it on close().
 */

export interface ExecSettings extends ContainerSettings {
  workDir: string;
  /** Time a (re)started server has to answer `/ping`. */
  startupTimeoutMs: number;
  /** SIGTERM → SIGKILL delay on stop. */
  stopGraceMs: number;
  restartBackoffMs: { initial: number; max: number };
}

/** A server that stayed up this long is considered healthy again: its next crash restarts without backoff. */
const STABLE_MS = 60_000;

/** The file name a single-file artifact gets in the model directory: the last segment of its URL. */
function artifactFileName(url: string): string {
  let last = url.split(/[?#]/)[0].split('/').pop() ?? '';
  try {
    last = decodeURIComponent(last);
  } catch {
    // keep the raw segment
  }
  const safe = safeRelativePath(posix.basename(last));
  return safe && !safe.includes('/') ? safe : 'model';
}

type State = 'starting' | 'ready' | 'down' | 'closed';

export class ExecRuntime implements ModelRuntime {
  readonly kind = 'container';
  readonly #argv: string[];
  readonly #spec: ContainerSpec;
  readonly #dir: string;
  readonly #settings: ExecSettings;
  readonly #client: ContainerClient;
  readonly #log: Logger;
  readonly #label: string;
  #state: State = 'starting';
  #child: ChildProcess | undefined;
  #childExit: string | undefined;
  #readyAt = 0;
  #failures = 0;
  #restartTimer: NodeJS.Timeout | undefined;

  private constructor(argv: string[], spec: ContainerSpec, dir: string, settings: ExecSettings, container: string, ctx: LoadContext) {
    this.#argv = argv;
    this.#spec = spec;
    this.#dir = dir;
    this.#settings = settings;
    this.#label = ctx.label;
    this.#log = ctx.log.child({ model: ctx.label, container });
    // The port is a placeholder until the first start picks a real one.
    this.#client = new ContainerClient('http://127.0.0.1:1', { container, invocationTimeoutMs: settings.invocationTimeoutMs, maxResponseBytes: settings.maxResponseBytes });
  }

  static async load(spec: ContainerSpec, ctx: LoadContext, container: string, settings: ExecSettings): Promise<ExecRuntime> {
    const argv = parseServeCommand(spec.Environment?.VIGIL_SERVE_COMMAND);
    const dir = await mkdtemp(join(settings.workDir, 'model-'));
    const runtime = new ExecRuntime(argv, spec, dir, settings, container, ctx);
    try {
      if (spec.ModelDataUrl) {
        let bytes: Buffer;
        try {
          bytes = await ctx.artifacts.fetch(spec.ModelDataUrl);
        } catch (err) {
          throw new Error(`Could not read the model artifact ${spec.ModelDataUrl}: ${(err as Error).message}`);
        }
        await unpackArtifact(bytes, dir, artifactFileName(spec.ModelDataUrl));
      }
      try {
        await runtime.#start();
      } catch (err) {
        throw pingFailure(ctx.label, container, `${argv[0]}: ${(err as Error).message}`);
      }
      return runtime;
    } catch (err) {
      await runtime.close();
      throw err;
    }
  }

  invoke(req: InvokeRequest): Promise<InvokeResult> {
    if (this.#state !== 'ready') {
      return Promise.reject(modelNotReady(this.#label, this.#state === 'closed' ? 'it has been stopped' : 'its model server is restarting'));
    }
    return this.#client.invoke(req);
  }

  async close(): Promise<void> {
    this.#state = 'closed';
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    this.#child = undefined;
    if (child) await stopServer(child, this.#settings.stopGraceMs);
    this.#client.close();
    await rm(this.#dir, { recursive: true, force: true });
  }

  /** Spawns the server on a fresh port and resolves once `/ping` answers 200; rejects (server stopped) otherwise. */
  async #start(): Promise<void> {
    const port = await freePort();
    if (this.#state === 'closed') return;
    this.#state = 'starting';
    this.#childExit = undefined;
    const child = spawnServer(this.#argv, serverEnvironment(this.#spec.Environment, port, this.#dir), this.#dir, this.#log);
    this.#child = child;
    child.once('error', (err) => this.#onExit(child, `the serve command could not be started: ${err.message}`));
    child.once('exit', (code, signal) => this.#onExit(child, `the model server exited (${signal ?? `code ${code}`})`));
    this.#client.setBase(`http://127.0.0.1:${port}`);
    this.#log.info({ pid: child.pid, port }, 'model server starting');
    try {
      await waitForPing(this.#client, this.#settings.startupTimeoutMs, () => (this.#child === child ? this.#childExit : 'the runtime was closed'));
    } catch (err) {
      if (this.#child === child) this.#child = undefined;
      await stopServer(child, this.#settings.stopGraceMs);
      throw err;
    }
    if (this.#closed()) return;
    this.#state = 'ready';
    this.#readyAt = Date.now();
    this.#log.info({ pid: child.pid, port }, 'model server is healthy');
  }

  /** A method, not an inline compare: TypeScript would keep the state narrowed across the awaits above. */
  #closed(): boolean {
    return this.#state === 'closed';
  }

  #onExit(child: ChildProcess, why: string): void {
    if (this.#child !== child) return;
    this.#childExit ??= why;
    if (this.#state !== 'ready') return; // a failed start: #start reports it (at load) or its caller reschedules
    this.#child = undefined;
    this.#state = 'down';
    if (Date.now() - this.#readyAt >= STABLE_MS) this.#failures = 0;
    this.#log.warn({ pid: child.pid, reason: why }, 'model server stopped; restarting');
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    if (this.#state === 'closed') return;
    const { initial, max } = this.#settings.restartBackoffMs;
    const delay = Math.min(initial * 2 ** this.#failures, max);
    this.#failures++;
    this.#restartTimer = setTimeout(() => {
      this.#start().catch((err: Error) => {
        if (this.#state === 'closed') return;
        this.#state = 'down';
        this.#log.error({ reason: err.message, retryInMs: Math.min(initial * 2 ** this.#failures, max) }, 'model server restart failed');
        this.#scheduleRestart();
      });
    }, delay);
  }
}
