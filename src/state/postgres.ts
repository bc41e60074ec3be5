import pg from 'pg';
import { Mutex } from './mutex.js';
import { BatchUndoFailed, ScopedDb, type Conn, type OpenTx } from './scoped-db.js';
import { assertSchemaName, bindable, toPostgresPlaceholders } from './sql-params.js';

export interface PostgresOptions {
  /** Schema holding Vigil's tables (search_path of every connection); tests use a throwaway one. */
  schema?: string;
  /** Pool size (default 10). */
  maxConnections?: number;
  /** Errors of idle pooled connections (server restart…). The pool drops such a connection by itself. */
  onIdleError?: (err: Error) => void;
}

const INT8_OID = 20;

/**
 * Db over a `pg` Pool. Statements outside a transaction go to any pooled connection; a transaction runs on
 * one dedicated client at READ COMMITTED (stores rely on row-level uniqueness and ON CONFLICT, not on
 * serialisable isolation). SQL is the portable subset with `?` placeholders (see toPostgresPlaceholders).
 */
export class PostgresDb extends ScopedDb {
  readonly dialect = 'postgres' as const;
  readonly schema: string | undefined;
  private readonly pool: pg.Pool;

  constructor(url: string, opts: PostgresOptions = {}) {
    if (opts.schema !== undefined) assertSchemaName(opts.schema);
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.maxConnections ?? 10,
      // A start-up parameter rather than a SET per checkout: no connection can ever miss it.
      options: opts.schema ? `-c search_path=${opts.schema}` : undefined,
      types: { getTypeParser: typeParser as typeof pg.types.getTypeParser },
    });
    // Without a listener an idle connection's error would be an uncaught 'error' event and end the process.
    pool.on('error', (err) => opts.onIdleError?.(err));
    super(new PgConn(pool), new Mutex());
    this.pool = pool;
    this.schema = opts.schema;
  }

  protected async begin(): Promise<OpenTx> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
    } catch (err) {
      client.release(true);
      throw err;
    }
    return {
      conn: new PgConn(client),
      commit: async () => {
        // PostgreSQL answers COMMIT with ROLLBACK (no error) when a statement in the transaction failed
        // and the caller swallowed that error: report it instead of pretending the work was saved.
        const res = await client.query('COMMIT');
        if (res.command === 'ROLLBACK') throw new Error('transaction was rolled back: a statement in it failed');
      },
      rollback: async () => {
        await client.query('ROLLBACK');
      },
      end: (reusable) => client.release(reusable ? undefined : true),
    };
  }

  protected async shutdown(): Promise<void> {
    await this.pool.end();
  }
}

class PgConn implements Conn {
  constructor(private readonly target: pg.Pool | pg.PoolClient) {}

  async query<T>(sql: string, params: unknown[]): Promise<T[]> {
    const res = await this.target.query({ text: toPostgresPlaceholders(sql), values: bindable(params) });
    return res.rows as T[];
  }

  async run(sql: string, params: unknown[]): Promise<number> {
    const res = await this.target.query({ text: toPostgresPlaceholders(sql), values: bindable(params) });
    return res.rowCount ?? 0;
  }

  /** Multi-row VALUES, a few hundred rows per statement, in a transaction (or a savepoint inside one) unless it is one statement. */
  async insertMany(sql: string, rows: unknown[][]): Promise<number> {
    if (rows.length === 0) return 0;
    const perStatement = Math.max(1, Math.floor(MAX_PARAMS_PER_STATEMENT / Math.max(1, rows[0].length)));
    const statements: { text: string; values: unknown[] }[] = [];
    for (let i = 0; i < rows.length; i += perStatement) {
      const chunk = rows.slice(i, i + perStatement);
      statements.push({ text: toPostgresPlaceholders(repeatValues(sql, chunk.length)), values: bindable(chunk.flat()) });
    }
    const inTransaction = !(this.target instanceof pg.Pool);
    // Inside a transaction even one statement gets a savepoint: a failed statement would otherwise abort it all.
    if (statements.length === 1 && !inTransaction) return (await this.target.query(statements[0])).rowCount ?? 0;
    const client = inTransaction ? this.target as pg.PoolClient : await (this.target as pg.Pool).connect();
    const [open, done, undo] = inTransaction
      ? ['SAVEPOINT vigil_insert_many', 'RELEASE SAVEPOINT vigil_insert_many', 'ROLLBACK TO SAVEPOINT vigil_insert_many']
      : ['BEGIN', 'COMMIT', 'ROLLBACK'];
    let reusable = true;
    try {
      await client.query(open);
      let changed = 0;
      try {
        for (const st of statements) changed += (await client.query(st)).rowCount ?? 0;
        await client.query(done);
      } catch (err) {
        const undone = await client.query(undo).then(() => true, () => false);
        if (undone) throw err;
        reusable = false;
        throw inTransaction ? new BatchUndoFailed('could not roll back a failed batch insert', { cause: err }) : err;
      }
      return changed;
    } finally {
      if (!inTransaction) (client as pg.PoolClient).release(reusable ? undefined : true);
    }
  }

  async exec(sql: string): Promise<void> {
    // No values: pg uses the simple protocol, which accepts several statements in one string.
    await this.target.query(sql);
  }
}

/** Bound parameters per statement: well under PostgreSQL's 65,535, so statements stay a few hundred KB. */
const MAX_PARAMS_PER_STATEMENT = 2000;

/** … VALUES (?, ?) …  →  … VALUES (?, ?), (?, ?), … for n rows. The group may hold placeholders and literals, not calls. */
function repeatValues(sql: string, n: number): string {
  const m = /\bVALUES\s*(\([^()]*\))/i.exec(sql);
  if (!m) throw new Error(`insertMany needs a single-row INSERT … VALUES (…) statement: ${sql.slice(0, 80)}`);
  const group = m[1];
  return sql.slice(0, m.index) + 'VALUES ' + Array.from({ length: n }, () => group).join(', ') + sql.slice(m.index + m[0].length);
}

/** BIGINT comes back as a number, as it does from SQLite (our values are epoch ms and counts, far below 2^53). */
function typeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
  return pg.types.getTypeParser(oid, format as 'text');
}
