import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The real `vigil` command as installed (bin/vigil.js over the compiled dist/). */
export const BIN = path.resolve('bin/vigil.js');

export interface Served { child: ChildProcess; stdout: string[]; stderr: string; url: string }

/** Runs `vigil ARGS…` to completion. Only PATH and `env` are passed: nothing leaks in from the test's environment. */
export function runVigil(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `vigil serve ARGS…` and resolves once it prints its one stdout line. */
export function serveVigil(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const r: Served = { child, stdout: [], stderr: '', url: '' };
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        r.stdout.push(line);
        const m = /^vigil: listening on (https:\/\/\S+)$/.exec(line);
        if (m) { r.url = m[1]; resolve(r); }
      }
    });
    child.stderr!.on('data', (d: Buffer) => { r.stderr += d.toString(); });
    child.on('exit', (code) => reject(new Error(`vigil exited with ${code}: ${r.stderr}`)));
  });
}

/** Exit code, or `signal NAME` when a signal ended the process. */
export function exitOf(child: ChildProcess): Promise<number | string | null> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? `signal ${signal}`)));
}

/** SIGTERM, then wait for the exit. */
export async function stopVigil(child: ChildProcess): Promise<number | string | null> {
  const exited = exitOf(child);
  child.kill('SIGTERM');
  return exited;
}
