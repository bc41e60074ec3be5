import { SqlAuditStore } from './audit.js';
import { SqlMetaStore } from './meta.js';
import { migrate, type Migration } from './migrations.js';
import { PostgresDb } from './postgres.js';
import { SqlResourceStore, type Clock } from './resources.js';
import { SqliteDb } from './sqlite.js';
import type { Db, StateBackend } from './types.js';
import { LocalChangeBus, PgChangeBus, type ChangeBus } from './changes.js';

export interface OpenStateOptions {
  /** postgres://… or postgresql://…: use PostgreSQL. */
  url?: string;
  /** A file (created 0600 if missing) or ':memory:': use SQLite. */
  sqlitePath?: string;
  /** PostgreSQL schema for Vigil's tables; created if missing. */
  pgSchema?: string;
  /** Stamps createdAt/updatedAt and defaults audit eventTime (injected in tests). */
  clock?: Clock;
  /** Replaces the built-in migration list (tests). */
  migrations?: readonly Migration[];
}

/** Opens the configured database, brings its schema up to date and returns the stores over it. */
export async function openState(opts: OpenStateOptions): Promise<StateBackend> {
  const db = openDb(opts);
  const clock = opts.clock;
  try {
    await migrate(db, { migrations: opts.migrations, createSchema: opts.pgSchema, now: clock && (() => clock.now()) });
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  if (opts.url === undefined) return backendOver(db, opts.clock);
  const changes = new PgChangeBus(opts.url, opts.pgSchema);
  try {
    await changes.start();
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return backendOver(db, opts.clock, changes);
}

/** The stores over an already migrated Db. */
export function backendOver(db: Db, clock?: Clock, changes: ChangeBus = new LocalChangeBus()): StateBackend {
  return {
    db,
    changes,
    resources: new SqlResourceStore(db, clock),
    meta: new SqlMetaStore(db),
    audit: new SqlAuditStore(db, clock),
    close: async () => {
      await changes.close();
      await db.close();
    },
  };
}

function openDb(opts: OpenStateOptions): Db {
  if (opts.url !== undefined && opts.sqlitePath !== undefined) {
    throw new Error('openState: give either url (PostgreSQL) or sqlitePath (SQLite), not both');
  }
  if (opts.url !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(opts.url)) throw new Error('openState: url must start with postgres://');
    return new PostgresDb(opts.url, { schema: opts.pgSchema });
  }
  if (opts.pgSchema !== undefined) throw new Error('openState: pgSchema needs a PostgreSQL url');
  if (opts.sqlitePath !== undefined) return new SqliteDb(opts.sqlitePath);
  throw new Error('openState: give url (PostgreSQL) or sqlitePath (SQLite)');
}

export { PostgresDb, type PostgresOptions } from './postgres.js';
export { assertSchemaName } from './sql-params.js';
export { SqliteDb, type SqliteOptions } from './sqlite.js';
export { MIGRATIONS, migrate, type MigrateOptions, type Migration } from './migrations.js';
export { SqlResourceStore, prefixSuccessor, type Clock } from './resources.js';
export { SqlMetaStore } from './meta.js';
export { SqlAuditStore } from './audit.js';
export type * from './types.js';
export { LocalChangeBus, PgChangeBus, MISSED_CHANGES, type ChangeBus } from './changes.js';
