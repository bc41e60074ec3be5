import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';

/**
 * Process plumbing for `vigil/exec` model servers: the command, its environment, a port, and stopping it whole.
 * Each server runs in its own process group so a stop also reaches the workers it forked (gunicorn, torchserve).
 */

/** `VIGIL_SERVE_COMMAND`: a JSON array of strings (exact argv), or a plain string split on whitespace (no quoting). */
export function parseServeCommand(value: string | undefined): string[] {
  const text = (value ?? '').trim();
  if (text === '') throw new Error('The vigil/exec image needs the Environment variable VIGIL_SERVE_COMMAND (the command that starts the model server).');
  if (text.startsWith('[')) {
    let argv: unknown;
    try {
      argv = JSON.parse(text);
    } catch {
      throw new Error('VIGIL_SERVE_COMMAND starts with "[" but is not a valid JSON array.');
    }
    if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string') || argv[0] === '') {
      throw new Error('VIGIL_SERVE_COMMAND must be a non-empty JSON array of strings, e.g. ["python3", "serve.py"].');
    }
    return argv as string[];
  }
  return text.split(/\s+/);
}

/**
 * Host variables a server needs to start at all. Everything else of Vigil's own environment (credentials, master
 * key settings, database URLs) stays out: a model server gets only what its model's Environment gives it.
 */
const INHERITED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SYSTEMROOT'];

export function serverEnvironment(container: Record<string, string> | undefined, port: number, modelDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name];
  Object.assign(env, container ?? {});
  env.SAGEMAKER_BIND_TO_PORT = String(port);
  env.SM_MODEL_DIR = modelDir;
  return env;
}

/** A port free right now on loopback. Another process could take it before the server binds; the ping catches that. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Spawns without a shell (argv as given), output line by line into the log, tracked for an emergency stop at exit. */
export function spawnServer(argv: string[], env: NodeJS.ProcessEnv, cwd: string, log: Logger): ChildProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // If Vigil exits without closing its runtimes, its model servers must not outlive it.
    process.once('exit', () => {
      for (const child of live) signalGroup(child, 'SIGKILL');
    });
  }
  const child = spawn(argv[0], argv.slice(1), { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  for (const [stream, input] of [['stdout', child.stdout], ['stderr', child.stderr]] as const) {
    if (!input) continue;
    createInterface({ input, crlfDelay: Infinity }).on('line', (line) => {
      log.info({ stream, pid: child.pid }, line.length > 4096 ? `${line.slice(0, 4096)}…` : line);
    });
  }
  return child;
}

const running = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null && child.pid !== undefined;

/** SIGTERM to the group, then SIGKILL after `graceMs` if it is still running. Resolves once it has exited. */
export async function stopServer(child: ChildProcess, graceMs: number): Promise<void> {
  if (!running(child)) return;
  const exited = once(child, 'exit').then(() => undefined, () => undefined);
  signalGroup(child, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  if ((await Promise.race([exited, forced])) === 'timeout') {
    signalGroup(child, 'SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}
