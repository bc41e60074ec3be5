import { AsyncLocalStorage } from 'node:async_hooks';
import { Mutex, gated } from './mutex.js';
import type { Db, Dialect } from './types.js';

/** What one connection can do. `query`/`run` must start their work synchronously (see `gated`). */
export interface Conn {
  query<T>(sql: string, params: unknown[]): Promise<T[]>;
  run(sql: string, params: unknown[]): Promise<number>;
  /** Db.insertMany on this connection; atomic on its own (a savepoint inside an open transaction). */
  insertMany(sql: string, rows: unknown[][]): Promise<number>;
  exec(sql: string): Promise<void>;
}

/** A top-level transaction as the engine opened it. */
export interface OpenTx {
  conn: Conn;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Gives the connection back; `reusable` is false when rollback failed and the connection is suspect. */
  end(reusable: boolean): void;
}

/** Shared by every level of one top-level transaction. */
interface TxState {
  /** Set when a savepoint could not be rolled back: the transaction must not commit. */
  broken?: Error;
}

/** Where statements run: the root (no transaction), a transaction, or a savepoint inside one. */
class Scope {
  /** Held while a child transaction/savepoint of this scope is open, so siblings and the parent wait. */
  readonly lock: Mutex;
  done = false;

  constructor(
    readonly conn: Conn,
    readonly parent: Scope | undefined,
    readonly depth: number,
    readonly tx: TxState | undefined,
    lock = new Mutex(),
  ) {
    this.lock = lock;
  }

  isWithin(ancestor: Scope): boolean {
    return this === ancestor || (this.parent?.isWithin(ancestor) ?? false);
  }
}

/** Thrown by Conn.insertMany when a failed batch inside a transaction could not be undone. */
export class BatchUndoFailed extends Error {}

const FINISHED = 'transaction handle used after its transaction finished (use it only inside the callback)';

/**
 * The engine-neutral half of a Db: routing of statements to the right scope, top-level transactions and
 * savepoints. Calls made from inside a transaction callback's async context run in that transaction even when
 * they go through the root handle, because stores are usually built over the root Db and called from inside
 * transactions; without this they would deadlock (SQLite) or run on another connection (PostgreSQL).
 */
export abstract class ScopedDb implements Db {
  abstract readonly dialect: Dialect;
  private readonly current = new AsyncLocalStorage<Scope>();
  private readonly root: Scope;
  /** Top-level transactions open now; at zero the async-context tracking is switched off (see top()). */
  private openTransactions = 0;

  protected constructor(rootConn: Conn, rootLock: Mutex) {
    this.root = new Scope(rootConn, undefined, 0, undefined, rootLock);
  }

  /** Opens a top-level transaction (BEGIN issued). */
  protected abstract begin(): Promise<OpenTx>;
  protected abstract shutdown(): Promise<void>;

  query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.queryIn<T>(this.root, sql, params);
  }

  run(sql: string, params: unknown[] = []): Promise<number> {
    return this.runIn(this.root, sql, params);
  }

  insertMany(sql: string, rows: unknown[][]): Promise<number> {
    return this.insertManyIn(this.root, sql, rows);
  }

  exec(sql: string): Promise<void> {
    return this.execIn(this.root, sql);
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.transactionIn(this.root, fn);
  }

  async close(): Promise<void> {
    if (this.root.done) return;
    this.root.done = true;
    await this.shutdown();
  }

  private async queryIn<T>(own: Scope, sql: string, params: unknown[]): Promise<T[]> {
    const s = this.target(own);
    return gated(s.lock, () => s.conn.query<T>(sql, params));
  }

  private async runIn(own: Scope, sql: string, params: unknown[]): Promise<number> {
    const s = this.target(own);
    return gated(s.lock, () => s.conn.run(sql, params));
  }

  /**
   * Inside a transaction the batch may take several statements in a savepoint (PostgreSQL): it holds the scope's lock
   * throughout, as a nested transaction does, so no sibling statement runs inside its savepoint and is undone with it.
   */
  private async insertManyIn(own: Scope, sql: string, rows: unknown[][]): Promise<number> {
    const s = this.target(own);
    if (s === this.root) return gated(s.lock, () => s.conn.insertMany(sql, rows));
    const release = await s.lock.acquire();
    try {
      return await s.conn.insertMany(sql, rows);
    } catch (err) {
      // The batch's savepoint could not be rolled back: its rows may remain, so the transaction must not commit.
      if (err instanceof BatchUndoFailed && s.tx) s.tx.broken = err;
      throw err;
    } finally {
      release();
    }
  }

  private async execIn(own: Scope, sql: string): Promise<void> {
    const s = this.target(own);
    return gated(s.lock, () => s.conn.exec(sql));
  }

  private async transactionIn<T>(own: Scope, fn: (tx: Db) => Promise<T>): Promise<T> {
    const s = this.target(own);
    return s === this.root ? this.top(fn) : this.savepoint(s, fn);
  }

  /** The handle's own scope, or the live scope below it that the caller is running inside. */
  private target(own: Scope): Scope {
    if (own.done) throw new Error(own === this.root ? 'database is closed' : FINISHED);
    let s = this.current.getStore();
    // Work that outlives its transaction (fire-and-forget) falls back to the nearest scope still open.
    while (s && s.done) s = s.parent;
    const scope = s && s.isWithin(own) ? s : own;
    if (scope.tx?.broken) throw new Error('transaction is aborted', { cause: scope.tx.broken });
    return scope;
  }

  private handle(scope: Scope): Db {
    return {
      dialect: this.dialect,
      query: <T>(sql: string, params?: unknown[]) => this.queryIn<T>(scope, sql, params ?? []),
      run: (sql: string, params?: unknown[]) => this.runIn(scope, sql, params ?? []),
      insertMany: (sql: string, rows: unknown[][]) => this.insertManyIn(scope, sql, rows),
      exec: (sql: string) => this.execIn(scope, sql),
      transaction: <T>(fn: (tx: Db) => Promise<T>) => this.transactionIn(scope, fn),
      close: () => Promise.reject(new Error('close the database, not a transaction handle')),
    };
  }

  private async top<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    this.openTransactions++;
    let tx: OpenTx;
    try {
      tx = await this.begin();
    } catch (err) {
      this.transactionEnded();
      throw err;
    }
    const scope = new Scope(tx.conn, this.root, 1, {});
    let reusable = true;
    try {
      const result = await this.runScope(scope, fn);
      if (scope.tx?.broken) throw new Error('transaction is aborted', { cause: scope.tx.broken });
      await tx.commit();
      return result;
    } catch (err) {
      reusable = await tx.rollback().then(
        () => true,
        () => false,
      );
      throw err;
    } finally {
      tx.end(reusable);
      this.transactionEnded();
    }
  }

  /**
   * While an AsyncLocalStorage is enabled Node runs a hook for every promise the process creates, which costs the
   * request path about a tenth of its throughput. With no transaction open no scope can be current (a finished
   * one falls back to the root anyway), so tracking is switched off; the next transaction's run() turns it on.
   */
  private transactionEnded(): void {
    if (--this.openTransactions === 0) this.current.disable();
  }

  private async savepoint<T>(parent: Scope, fn: (tx: Db) => Promise<T>): Promise<T> {
    const release = await parent.lock.acquire();
    try {
      // Siblings are serialised by the parent's lock, so one name per depth is enough.
      const name = `vigil_sp_${parent.depth}`;
      await parent.conn.exec(`SAVEPOINT ${name}`);
      const scope = new Scope(parent.conn, parent, parent.depth + 1, parent.tx);
      try {
        const result = await this.runScope(scope, fn);
        await parent.conn.exec(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (err) {
        await this.undoSavepoint(parent, name, err);
        throw err;
      }
    } finally {
      release();
    }
  }

  /** Runs fn in scope, then closes the scope once nested work started inside it has finished. */
  private async runScope<T>(scope: Scope, fn: (tx: Db) => Promise<T>): Promise<T> {
    try {
      return await this.current.run(scope, () => fn(this.handle(scope)));
    } finally {
      scope.done = true;
      await scope.lock.idle();
    }
  }

  private async undoSavepoint(parent: Scope, name: string, cause: unknown): Promise<void> {
    try {
      await parent.conn.exec(`ROLLBACK TO SAVEPOINT ${name}`);
      await parent.conn.exec(`RELEASE SAVEPOINT ${name}`);
    } catch (undoErr) {
      // The inner writes could not be undone: committing the outer transaction would persist them.
      if (parent.tx) parent.tx.broken = new Error(`could not roll back savepoint: ${String(undoErr)}`, { cause });
    }
  }
}
