import { closeSync, mkdirSync, openSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Mutex } from './mutex.js';
import { ScopedDb, type Conn, type OpenTx } from './scoped-db.js';
import { bindable } from './sql-params.js';
import { WalCheckpointer, type CheckpointerOptions } from './sqlite-checkpointer.js';

export interface SqliteOptions {
  /** How long a statement waits for another process's write lock before SQLITE_BUSY (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Prepared statements kept per connection (LRU, default 256). */
  statementCacheSize?: number;
  /** WAL checkpoints in a worker thread (default on for files; see WalCheckpointer). */
  backgroundCheckpoints?: boolean | CheckpointerOptions;
}

/**
 * Db over better-sqlite3. The driver is synchronous and has one connection, so an open transaction would
 * otherwise absorb any statement another async task issues meanwhile: a per-database mutex is held for the
 * whole transaction and every statement from outside it waits (see ScopedDb for calls from inside).
 */
export class SqliteDb extends ScopedDb {
  readonly dialect = 'sqlite' as const;
  private readonly conn: Database.Database;
  private readonly sqlConn: SqliteConn;
  private readonly lock: Mutex;
  private readonly unregister: () => void;
  private readonly checkpointer: WalCheckpointer | undefined;

  constructor(path: string, opts: SqliteOptions = {}) {
    const conn = openConnection(path, opts.busyTimeoutMs ?? 5000);
    const sqlConn = new SqliteConn(conn, opts.statementCacheSize ?? 256);
    const shared = lockFor(path);
    super(sqlConn, shared.lock);
    this.conn = conn;
    this.sqlConn = sqlConn;
    this.lock = shared.lock;
    this.unregister = shared.unregister;
    const bg = opts.backgroundCheckpoints ?? true;
    if (bg !== false && !isMemory(path)) this.checkpointer = new WalCheckpointer(conn, path, bg === true ? {} : bg);
  }

  protected async begin(): Promise<OpenTx> {
    const release = await this.lock.acquire();
    try {
      // IMMEDIATE takes the write lock now, so two processes cannot both read and then fail to upgrade.
      this.conn.exec('BEGIN IMMEDIATE');
    } catch (err) {
      release();
      throw err;
    }
    return {
      conn: this.sqlConn,
      commit: async () => {
        // SQLite rolls back on its own after some errors (disk full, I/O); COMMIT would then silently no-op.
        if (!this.conn.inTransaction) throw new Error('SQLite rolled the transaction back after an error');
        this.conn.exec('COMMIT');
      },
      rollback: async () => {
        if (this.conn.inTransaction) this.conn.exec('ROLLBACK');
      },
      end: () => release(),
    };
  }

  protected async shutdown(): Promise<void> {
    // Let a transaction in progress finish rather than cut it off.
    await this.checkpointer?.stop();
    const release = await this.lock.acquire();
    try {
      this.conn.close();
      this.unregister();
    } finally {
      release();
    }
  }
}

class SqliteConn implements Conn {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly cacheSize: number,
  ) {}

  async query<T>(sql: string, params: unknown[]): Promise<T[]> {
    const stmt = this.prepare(sql);
    const args = bindable(params);
    if (stmt.reader) return stmt.all(...args) as T[];
    stmt.run(...args);
    return [];
  }

  async run(sql: string, params: unknown[]): Promise<number> {
    return this.prepare(sql).run(...bindable(params)).changes;
  }

  async insertMany(sql: string, rows: unknown[][]): Promise<number> {
    const stmt = this.prepare(sql);
    // better-sqlite3 opens a transaction, or a savepoint when one is already open; synchronous, so nothing interleaves.
    return this.db.transaction(() => {
      let changed = 0;
      for (const row of rows) changed += stmt.run(...bindable(row)).changes;
      return changed;
    })();
  }

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }

  private prepare(sql: string): Database.Statement {
    let stmt = this.cache.get(sql);
    if (stmt) {
      this.cache.delete(sql); // re-insert: Map order is our LRU order
    } else {
      stmt = this.db.prepare(sql);
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
    }
    this.cache.set(sql, stmt);
    return stmt;
  }
}

function openConnection(path: string, busyTimeoutMs: number): Database.Database {
  if (!isMemory(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Create the file owner-only before SQLite does (it would use the umask); -wal/-shm copy its mode.
    closeSync(openSync(path, 'a', 0o600));
  }
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function isMemory(path: string): boolean {
  return path === ':memory:' || path === '';
}

/**
 * Two SqliteDb objects on one file in one process must share the mutex: otherwise one's BEGIN IMMEDIATE
 * busy-waits synchronously on the other's open transaction, which can never progress (same event loop).
 */
const fileLocks = new Map<string, { lock: Mutex; refs: number }>();

function lockFor(path: string): { lock: Mutex; unregister: () => void } {
  if (isMemory(path)) return { lock: new Mutex(), unregister: () => {} };
  const key = realpathSync(path);
  const entry = fileLocks.get(key) ?? { lock: new Mutex(), refs: 0 };
  entry.refs++;
  fileLocks.set(key, entry);
  let done = false;
  const unregister = () => {
    if (done) return;
    done = true;
    if (--entry.refs === 0) fileLocks.delete(key);
  };
  return { lock: entry.lock, unregister };
}
