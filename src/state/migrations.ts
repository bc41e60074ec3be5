import { assertSchemaName } from './sql-params.js';
import type { Db, Dialect } from './types.js';

export interface Migration {
  /** Positive, strictly increasing; never renumber or edit a released migration, add a new one. */
  version: number;
  name: string;
  /** One script for both engines, or one per engine when the DDL differs. */
  up: string | { sqlite: string; postgres: string };
}

/*
 * Conventions (both engines): timestamps are BIGINT epoch milliseconds, booleans INTEGER 0/1, JSON TEXT.
 * PostgreSQL key columns are COLLATE "C" so ORDER BY and range scans use code point order, as SQLite's BINARY
 * collation does; pagination and id-prefix ranges then agree on both engines whatever the database locale.
 */
const INITIAL_SQLITE = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE resources (
  account_id TEXT NOT NULL, service TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, parent_id TEXT,
  doc TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, service, kind, id)
) STRICT;
CREATE INDEX resources_by_id ON resources (service, kind, id);
CREATE INDEX resources_by_parent ON resources (account_id, service, kind, parent_id);
CREATE TABLE audit_events (
  event_id TEXT PRIMARY KEY, event_time INTEGER NOT NULL, event_source TEXT NOT NULL, event_name TEXT NOT NULL,
  read_only INTEGER NOT NULL, account_id TEXT, doc TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_by_time ON audit_events (event_time, event_id);
`;

const INITIAL_POSTGRES = `
CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE resources (
  account_id TEXT COLLATE "C" NOT NULL, service TEXT COLLATE "C" NOT NULL, kind TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL, parent_id TEXT COLLATE "C",
  doc TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, service, kind, id)
);
CREATE INDEX resources_by_id ON resources (service, kind, id);
CREATE INDEX resources_by_parent ON resources (account_id, service, kind, parent_id);
CREATE TABLE audit_events (
  event_id TEXT COLLATE "C" PRIMARY KEY, event_time BIGINT NOT NULL, event_source TEXT NOT NULL,
  event_name TEXT NOT NULL, read_only INTEGER NOT NULL, account_id TEXT, doc TEXT NOT NULL
);
CREATE INDEX audit_events_by_time ON audit_events (event_time, event_id);
`;

/*
 * CloudWatch-style metric aggregates (src/metrics): each row is a partial aggregate of one series over one
 * period, written by one process (writer_id). Replicas and successive flushes insert rows for the same minute
 * without conflicts; readers merge them (sums and counts add, min/max fold, DDSketches merge). `dimensions` is
 * the canonical JSON of the dimension set (sorted by name), so series are found by exact match.
 */
const METRICS_SQLITE = `
CREATE TABLE metric_points (
  account_id TEXT NOT NULL, region TEXT NOT NULL, namespace TEXT NOT NULL, metric_name TEXT NOT NULL,
  dimensions TEXT NOT NULL, period_start INTEGER NOT NULL, period_seconds INTEGER NOT NULL, writer_id TEXT NOT NULL,
  sum REAL NOT NULL, count REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, sketch TEXT, unit TEXT
) STRICT;
CREATE INDEX metric_points_by_series ON metric_points (account_id, region, namespace, metric_name, dimensions, period_start);
`;

const METRICS_POSTGRES = `
CREATE TABLE metric_points (
  account_id TEXT COLLATE "C" NOT NULL, region TEXT COLLATE "C" NOT NULL, namespace TEXT COLLATE "C" NOT NULL,
  metric_name TEXT COLLATE "C" NOT NULL, dimensions TEXT COLLATE "C" NOT NULL, period_start BIGINT NOT NULL,
  period_seconds INTEGER NOT NULL, writer_id TEXT NOT NULL,
  sum DOUBLE PRECISION NOT NULL, count DOUBLE PRECISION NOT NULL, min DOUBLE PRECISION NOT NULL, max DOUBLE PRECISION NOT NULL,
  sketch TEXT, unit TEXT
);
CREATE INDEX metric_points_by_series ON metric_points (account_id, region, namespace, metric_name, dimensions, period_start);
`;

/*
 * Near-real-time drift (src/monitor/live): one serialized DatasetProfile (base64 of profile-serialize.ts's binary
 * form) per endpoint, variant, period and writing process. A row covers span_minutes minutes from minute_start:
 * 1 as written from the request path, 60 once old minutes are rolled up into their hour (60× fewer, smaller rows
 * for the long retention). Replicas each write their own partial for a period and readers merge them, as with
 * metric_points. A row with item_count 0 is a marker: the writer was profiling that variant and saw no traffic,
 * so readers can tell an idle minute from a missing one.
 */
const MONITOR_PROFILES_SQLITE = `
CREATE TABLE monitor_profiles (
  account_id TEXT NOT NULL, region TEXT NOT NULL, endpoint TEXT NOT NULL, variant TEXT NOT NULL,
  minute_start INTEGER NOT NULL, span_minutes INTEGER NOT NULL, writer_id TEXT NOT NULL, item_count INTEGER NOT NULL,
  profile TEXT NOT NULL
) STRICT;
CREATE INDEX monitor_profiles_by_endpoint ON monitor_profiles (account_id, region, endpoint, minute_start);
CREATE INDEX monitor_profiles_by_minute ON monitor_profiles (minute_start, span_minutes);
`;

const MONITOR_PROFILES_POSTGRES = `
CREATE TABLE monitor_profiles (
  account_id TEXT COLLATE "C" NOT NULL, region TEXT COLLATE "C" NOT NULL, endpoint TEXT COLLATE "C" NOT NULL,
  variant TEXT COLLATE "C" NOT NULL, minute_start BIGINT NOT NULL, span_minutes INTEGER NOT NULL,
  writer_id TEXT NOT NULL, item_count BIGINT NOT NULL, profile TEXT NOT NULL
);
CREATE INDEX monitor_profiles_by_endpoint ON monitor_profiles (account_id, region, endpoint, minute_start);
CREATE INDEX monitor_profiles_by_minute ON monitor_profiles (minute_start, span_minutes);
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', up: { sqlite: INITIAL_SQLITE, postgres: INITIAL_POSTGRES } },
  { version: 2, name: 'metric-points', up: { sqlite: METRICS_SQLITE, postgres: METRICS_POSTGRES } },
  { version: 3, name: 'monitor-profiles', up: { sqlite: MONITOR_PROFILES_SQLITE, postgres: MONITOR_PROFILES_POSTGRES } },
];

const BOOKKEEPING = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`;

export interface MigrateOptions {
  migrations?: readonly Migration[];
  /** PostgreSQL: create this schema first if missing (under the same lock, so replicas do not race). */
  createSchema?: string;
  now?: () => Date;
}

/**
 * Brings the database up to date in one transaction; returns the versions it applied (none when current).
 * Replicas starting together on PostgreSQL serialise on a transaction-scoped advisory lock; on SQLite
 * BEGIN IMMEDIATE does the same. Refuses a database migrated by a newer build rather than run on it.
 */
export async function migrate(db: Db, opts: MigrateOptions = {}): Promise<number[]> {
  const migrations = opts.migrations ?? MIGRATIONS;
  checkOrder(migrations);
  const now = opts.now ?? (() => new Date());
  return db.transaction(async (tx) => {
    const exec = execOf(tx);
    if (tx.dialect === 'postgres') await lockMigrations(tx, opts.createSchema);
    await exec(BOOKKEEPING);
    const applied = await tx.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations');
    checkApplied(applied, migrations);
    const done = new Set(applied.map((r) => Number(r.version)));
    const todo = migrations.filter((m) => !done.has(m.version));
    for (const m of todo) {
      await exec(scriptFor(m, tx.dialect));
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        now().getTime(),
      ]);
    }
    return todo.map((m) => m.version);
  });
}

async function lockMigrations(tx: Db, createSchema: string | undefined): Promise<void> {
  // Keyed by search_path, so tests migrating separate schemas in parallel do not wait for each other.
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('vigil:migrate:' || current_setting('search_path')))");
  if (createSchema !== undefined) {
    assertSchemaName(createSchema);
    await execOf(tx)(`CREATE SCHEMA IF NOT EXISTS ${createSchema}`);
  }
}

function execOf(db: Db): (sql: string) => Promise<void> {
  const exec = db.exec?.bind(db);
  if (!exec) throw new Error('migrate needs a Db that implements exec()');
  return exec;
}

function scriptFor(m: Migration, dialect: Dialect): string {
  return typeof m.up === 'string' ? m.up : m.up[dialect];
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (!Number.isSafeInteger(m.version) || m.version < 1) throw new Error(`bad migration version ${m.version}`);
    if (i > 0 && m.version <= migrations[i - 1].version) {
      throw new Error(`migrations out of order at version ${m.version}`);
    }
  });
}

function checkApplied(applied: { version: number; name: string }[], migrations: readonly Migration[]): void {
  const known = new Map(migrations.map((m) => [m.version, m.name]));
  for (const row of applied) {
    const version = Number(row.version);
    const name = known.get(version);
    if (name === undefined) {
      throw new Error(`database has schema version ${version}, unknown to this build: upgrade Vigil`);
    }
    if (name !== row.name) {
      throw new Error(`schema version ${version} is '${row.name}' in the database but '${name}' in this build`);
    }
  }
}
