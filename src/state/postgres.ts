import pg from 'pg';
import { Mutex } from './mutex.js';
import { ScopedDb, type Conn, type OpenTx } from './scoped-db.js';
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

  async exec(sql: string): Promise<void> {
    // No values: pg uses the simple protocol, which accepts several statements in one string.
    await this.target.query(sql);
  }
}

/** BIGINT comes back as a number, as it does from SQLite (our values are epoch ms and counts, far below 2^53). */
function typeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
  return pg.types.getTypeParser(oid, format as 'text');
}
