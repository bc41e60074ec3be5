import type { ChangeBus } from './changes.js';

/**
 * One repository layer over two SQL engines. SQL is written once with `?` placeholders; the PostgreSQL
 * driver rewrites them to `$n`. Keep statements in the common subset of SQLite and PostgreSQL.
 */
export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  readonly dialect: Dialect;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a statement; returns the number of rows changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /**
   * Runs one single-row `INSERT … VALUES (?, …) [ON CONFLICT …]` (no function calls inside VALUES, which PostgreSQL
   * repeats per row) for every parameter row, all or nothing; returns
   * the rows changed. Each engine takes its cheapest path: SQLite one prepared statement in a loop, PostgreSQL
   * multi-row VALUES (a round trip per few hundred rows).
   */
  insertMany(sql: string, rows: unknown[][]): Promise<number>;
  /**
   * Unit of work; nested calls join the outer transaction. Both implementations nest as SAVEPOINTs, so a nested
   * call that throws undoes only its own writes, and any Db call made from inside `fn`'s async context (even
   * through the root handle) runs in the transaction.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). Optional: added by the state layer. */
  exec?(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** A stored resource: one row per AWS resource, the resource's own fields as a JSON document. */
export interface ResourceRecord<T = unknown> {
  accountId: string;
  service: string;
  kind: string;
  /** Unique within (account, service, kind): a user name, a policy ARN, an access key id… */
  id: string;
  /** Optional owner for listings (the user of an access key, the role of an inline policy…). */
  parentId?: string;
  doc: T;
  createdAt: Date;
  updatedAt: Date;
}

export interface ListOptions {
  parentId?: string;
  /** Only ids starting with this prefix (IAM PathPrefix is on the doc; this is for id prefixes). */
  idPrefix?: string;
  /** Exclusive start id, for pagination (ids are returned in ascending order). */
  after?: string;
  limit?: number;
}

export interface ResourceStore {
  get<T>(accountId: string, service: string, kind: string, id: string): Promise<ResourceRecord<T> | undefined>;
  /**
   * get() for a read-modify-write inside a transaction: on PostgreSQL the row stays locked until the transaction
   * ends (SELECT … FOR UPDATE), so a concurrent writer cannot slip in between and have its update lost. SQLite
   * already runs one writer at a time.
   */
  getForUpdate<T>(accountId: string, service: string, kind: string, id: string): Promise<ResourceRecord<T> | undefined>;
  /** Looks an id up across accounts (access key ids are globally unique). */
  findById<T>(service: string, kind: string, id: string): Promise<ResourceRecord<T> | undefined>;
  /** Inserts; returns false (and changes nothing) if the id already exists. */
  create<T>(accountId: string, service: string, kind: string, id: string, doc: T, parentId?: string): Promise<boolean>;
  /** Replaces the document; returns false if the record does not exist. */
  update<T>(accountId: string, service: string, kind: string, id: string, doc: T): Promise<boolean>;
  delete(accountId: string, service: string, kind: string, id: string): Promise<boolean>;
  list<T>(accountId: string, service: string, kind: string, opts?: ListOptions): Promise<ResourceRecord<T>[]>;
  count(accountId: string, service: string, kind: string, parentId?: string): Promise<number>;
}

export interface MetaStore {
  get(key: string): Promise<string | undefined>;
  /** Sets only if absent; returns the value that is stored afterwards (first writer wins across replicas). */
  setIfAbsent(key: string, value: string): Promise<string>;
  set(key: string, value: string): Promise<void>;
}

/** CloudTrail-shaped audit event, stored as JSON with a few indexed columns. */
export interface AuditStore {
  append(events: Record<string, unknown>[]): Promise<void>;
  list(opts?: { since?: Date; limit?: number; eventName?: string }): Promise<Record<string, unknown>[]>;
}

export interface StateBackend {
  db: Db;
  /** Cache invalidation between replicas (in-memory for SQLite, LISTEN/NOTIFY for PostgreSQL). */
  changes: ChangeBus;
  resources: ResourceStore;
  meta: MetaStore;
  audit: AuditStore;
  close(): Promise<void>;
}
