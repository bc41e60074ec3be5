import type { Db, ListOptions, ResourceRecord, ResourceStore } from './types.js';

export interface Clock {
  now(): Date;
}

interface Row {
  account_id: string;
  service: string;
  kind: string;
  id: string;
  parent_id: string | null;
  doc: string;
  created_at: number;
  updated_at: number;
}

const COLUMNS = 'account_id, service, kind, id, parent_id, doc, created_at, updated_at';
const KEY = 'account_id = ? AND service = ? AND kind = ?';

/** ResourceStore over any Db: one row per resource, the document as JSON text. */
export class SqlResourceStore implements ResourceStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async get<T>(accountId: string, service: string, kind: string, id: string): Promise<ResourceRecord<T> | undefined> {
    const rows = await this.db.query<Row>(`SELECT ${COLUMNS} FROM resources WHERE ${KEY} AND id = ?`, [
      accountId,
      service,
      kind,
      id,
    ]);
    return rows.length ? toRecord<T>(rows[0]) : undefined;
  }

  async getForUpdate<T>(accountId: string, service: string, kind: string, id: string): Promise<ResourceRecord<T> | undefined> {
    const lock = this.db.dialect === 'postgres' ? ' FOR UPDATE' : '';
    const rows = await this.db.query<Row>(`SELECT ${COLUMNS} FROM resources WHERE ${KEY} AND id = ?${lock}`, [accountId, service, kind, id]);
    return rows.length ? toRecord<T>(rows[0]) : undefined;
  }

  /** Fails closed when the id is not unique across accounts: guessing an account would be a security bug. */
  async findById<T>(service: string, kind: string, id: string): Promise<ResourceRecord<T> | undefined> {
    const rows = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM resources WHERE service = ? AND kind = ? AND id = ? ORDER BY account_id LIMIT 2`,
      [service, kind, id],
    );
    if (rows.length > 1) throw new Error(`${service}/${kind} id '${id}' exists in more than one account`);
    return rows.length ? toRecord<T>(rows[0]) : undefined;
  }

  async create<T>(
    accountId: string,
    service: string,
    kind: string,
    id: string,
    doc: T,
    parentId?: string,
  ): Promise<boolean> {
    checkKey(accountId, service, kind, id);
    const now = this.clock.now().getTime();
    // ON CONFLICT, not catch-on-error: a failed INSERT would abort an enclosing PostgreSQL transaction.
    const changed = await this.db.run(
      `INSERT INTO resources (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, service, kind, id) DO NOTHING`,
      [accountId, service, kind, id, parentId ?? null, toJson(doc), now, now],
    );
    return changed > 0;
  }

  async update<T>(accountId: string, service: string, kind: string, id: string, doc: T): Promise<boolean> {
    const changed = await this.db.run(`UPDATE resources SET doc = ?, updated_at = ? WHERE ${KEY} AND id = ?`, [
      toJson(doc),
      this.clock.now().getTime(),
      accountId,
      service,
      kind,
      id,
    ]);
    return changed > 0;
  }

  async delete(accountId: string, service: string, kind: string, id: string): Promise<boolean> {
    const changed = await this.db.run(`DELETE FROM resources WHERE ${KEY} AND id = ?`, [accountId, service, kind, id]);
    return changed > 0;
  }

  async list<T>(accountId: string, service: string, kind: string, opts: ListOptions = {}): Promise<ResourceRecord<T>[]> {
    const where = [KEY];
    const params: unknown[] = [accountId, service, kind];
    if (opts.parentId !== undefined) {
      where.push('parent_id = ?');
      params.push(opts.parentId);
    }
    if (opts.idPrefix) addPrefixRange(opts.idPrefix, where, params);
    if (opts.after !== undefined) {
      where.push('id > ?');
      params.push(opts.after);
    }
    let sql = `SELECT ${COLUMNS} FROM resources WHERE ${where.join(' AND ')} ORDER BY id`;
    if (opts.limit !== undefined) {
      if (!Number.isSafeInteger(opts.limit) || opts.limit < 0) throw new RangeError(`bad limit ${opts.limit}`);
      sql += ' LIMIT ?';
      params.push(opts.limit);
    }
    const rows = await this.db.query<Row>(sql, params);
    return rows.map((r) => toRecord<T>(r));
  }

  async count(accountId: string, service: string, kind: string, parentId?: string): Promise<number> {
    const params: unknown[] = [accountId, service, kind];
    let sql = `SELECT COUNT(*) AS n FROM resources WHERE ${KEY}`;
    if (parentId !== undefined) {
      sql += ' AND parent_id = ?';
      params.push(parentId);
    }
    const rows = await this.db.query<{ n: number }>(sql, params);
    return Number(rows[0].n);
  }
}

/**
 * An id prefix as a range (prefix <= id < successor) rather than LIKE: no wildcard escaping to get wrong, it
 * is case-sensitive on both engines (SQLite's LIKE is not), and both can use the primary-key index for it.
 */
function addPrefixRange(prefix: string, where: string[], params: unknown[]): void {
  where.push('id >= ?');
  params.push(prefix);
  const upper = prefixSuccessor(prefix);
  if (upper !== undefined) {
    where.push('id < ?');
    params.push(upper);
  }
}

/**
 * The smallest string greater than every string starting with `prefix`, in code point order (= UTF-8 byte
 * order, which SQLite BINARY and PostgreSQL COLLATE "C" use); undefined when there is none.
 */
export function prefixSuccessor(prefix: string): string | undefined {
  const cps = Array.from(prefix, (ch) => ch.codePointAt(0) as number);
  while (cps.length > 0) {
    const last = cps.pop() as number;
    if (last < 0x10ffff) {
      // Surrogate code points cannot be encoded in UTF-8; the next real character after U+D7FF is U+E000.
      cps.push(last === 0xd7ff ? 0xe000 : last + 1);
      return String.fromCodePoint(...cps);
    }
  }
  return undefined;
}

function checkKey(...parts: string[]): void {
  for (const p of parts) {
    // PostgreSQL cannot store NUL in TEXT; refuse it on both engines so they behave alike.
    if (typeof p !== 'string' || p.length === 0 || p.includes('\u0000')) {
      throw new TypeError(`invalid resource key part ${JSON.stringify(p)}`);
    }
  }
}

function toJson(doc: unknown): string {
  const json = JSON.stringify(doc);
  if (json === undefined) throw new TypeError('resource document must be JSON-serialisable');
  return json;
}

function toRecord<T>(r: Row): ResourceRecord<T> {
  const rec: ResourceRecord<T> = {
    accountId: r.account_id,
    service: r.service,
    kind: r.kind,
    id: r.id,
    doc: JSON.parse(r.doc) as T,
    createdAt: new Date(Number(r.created_at)),
    updatedAt: new Date(Number(r.updated_at)),
  };
  if (r.parent_id !== null) rec.parentId = r.parent_id;
  return rec;
}
