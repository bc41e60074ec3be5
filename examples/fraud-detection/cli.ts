import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** True when the module at `metaUrl` is the script being run (`npx tsx file.ts`), not an import of it. */
export function isMain(metaUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(metaUrl));
  } catch {
    return false;
  }
}

/** The demo's default output directory, examples/fraud-detection/out/ (git-ignored). */
export const DEFAULT_OUT_DIR = fileURLToPath(new URL('./out/', import.meta.url));

/** A positive finite number from a CLI flag, or a clear error naming the flag. */
export function numberFlag(name: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number (got '${value}')`);
  return n;
}

/** Runs a CLI body, printing a one-line error (not a stack trace) and exiting 1 when it throws. */
export function runMain(body: () => void | Promise<void>): void {
  Promise.resolve()
    .then(body)
    .catch((err: unknown) => {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    });
}
