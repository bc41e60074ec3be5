/**
 * Test helpers: run a suite against SQLite and PostgreSQL alike. Imported by tests only (it uses vitest).
 *
 *   withEachBackend((name, open) => {
 *     it('creates a user', async () => { const state = await open(); … });
 *   });
 *
 * Every open() is a new, empty, migrated database (a temp file, or a throwaway `vigil_test_<random>` schema),
 * closed after the test and removed after the suite. PostgreSQL comes from VIGIL_TEST_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/test); when it is unreachable the suite fails if CI is set, and is
 * skipped with a loud warning otherwise.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, it } from 'vitest';
import { openState, type OpenStateOptions } from './index.js';
import type { StateBackend } from './types.js';

export const TEST_PG_URL = process.env.VIGIL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type BackendName = 'sqlite' | 'postgres';

export interface TestBackend {
  readonly name: BackendName;
  /** openState options for a new, empty database (not yet opened), removed after the suite. */
  location(): Promise<OpenStateOptions>;
  /** A migrated backend over a new, empty database. */
  open(): Promise<StateBackend>;
  /** Opens (again) the database at `loc`, e.g. to test a second replica or a restart. */
  openAt(loc: OpenStateOptions): Promise<StateBackend>;
}

/** A new schema in the test database; `drop()` removes it with everything in it. */
export async function createTestPgSchema(url = TEST_PG_URL): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  const schema = randomSchemaName();
  await withPgClient(url, (c) => c.query(`CREATE SCHEMA ${schema}`));
  return { url, schema, drop: () => dropPgSchema(url, schema) };
}

let probe: Promise<string | undefined> | undefined;

/** Resolves to why PostgreSQL cannot be used for tests, or undefined when it can (checked once per worker). */
export function postgresUnavailable(): Promise<string | undefined> {
  probe ??= withPgClient(TEST_PG_URL, (c) => c.query('SELECT 1')).then(
    () => undefined,
    (err: unknown) => (err instanceof Error ? err.message : String(err)) || 'connection failed',
  );
  return probe;
}

/** Registers `describe('sqlite')` and `describe('postgres')` blocks, each running `fn`'s tests. */
export function withEachBackend(
  fn: (name: BackendName, open: () => Promise<StateBackend>, backend: TestBackend) => void,
): void {
  for (const name of ['sqlite', 'postgres'] as const) {
    describe(name, async () => {
      if (name === 'postgres') {
        const reason = await postgresUnavailable();
        if (reason !== undefined) return registerUnavailable(reason);
      }
      const harness = new Harness(name);
      beforeEach(() => harness.startTest());
      afterEach(() => harness.endTest());
      afterAll(() => harness.cleanup());
      fn(name, () => harness.open(), harness);
    });
  }
}

function registerUnavailable(reason: string): void {
  const message = `PostgreSQL at ${redact(TEST_PG_URL)} is unreachable (${reason}); set VIGIL_TEST_PG_URL`;
  if (process.env.CI) {
    it('PostgreSQL is reachable (required when CI is set)', () => {
      throw new Error(message);
    });
    return;
  }
  console.warn(`\n!!!!!!!! SKIPPING PostgreSQL tests: ${message} !!!!!!!!\n`);
  it.skip(`PostgreSQL tests skipped: ${message}`, () => {});
}

class Harness implements TestBackend {
  private readonly opened: StateBackend[] = [];
  private readonly schemas: string[] = [];
  private dir: string | undefined;
  private testMark: number | undefined;

  constructor(readonly name: BackendName) {}

  async location(): Promise<OpenStateOptions> {
    if (this.name === 'postgres') {
      const schema = randomSchemaName();
      this.schemas.push(schema); // created by openState itself, which is part of what we test
      return { url: TEST_PG_URL, pgSchema: schema };
    }
    this.dir ??= mkdtempSync(join(tmpdir(), 'vigil-state-'));
    return { sqlitePath: join(this.dir, `${randomBytes(6).toString('hex')}.db`) };
  }

  async open(): Promise<StateBackend> {
    return this.openAt(await this.location());
  }

  async openAt(loc: OpenStateOptions): Promise<StateBackend> {
    const state = await openState(loc);
    this.opened.push(state);
    return state;
  }

  startTest(): void {
    this.testMark = this.opened.length;
  }

  /** Backends a test opened are closed after it, so pooled connections do not pile up over a suite. */
  async endTest(): Promise<void> {
    const mine = this.opened.splice(this.testMark ?? this.opened.length);
    this.testMark = undefined;
    await Promise.all(mine.map((s) => s.close().catch(() => {})));
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((s) => s.close().catch(() => {})));
    for (const schema of this.schemas.splice(0)) await dropPgSchema(TEST_PG_URL, schema);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

function randomSchemaName(): string {
  return `vigil_test_${randomBytes(6).toString('hex')}`;
}

async function dropPgSchema(url: string, schema: string): Promise<void> {
  await withPgClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

async function withPgClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
