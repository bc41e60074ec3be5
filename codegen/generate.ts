/**
 * `npx tsx codegen/generate.ts [--check]`: writes src/services/<svc>/api.generated.ts from the botocore models.
 * With --check it writes nothing and exits 1 when a committed file differs from what the models produce.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICES } from './patches.js';
import { renderService } from './render.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function main(check: boolean): number {
  let stale = 0;
  for (const spec of SERVICES) {
    const { path, source } = renderService(spec);
    const target = join(repoRoot, path);
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (current === source) continue;
    if (check) {
      console.error(`stale: ${path}`);
      stale++;
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, source);
    console.log(`wrote ${path} (${source.length} bytes)`);
  }
  return stale ? 1 : 0;
}

process.exitCode = main(process.argv.includes('--check'));
