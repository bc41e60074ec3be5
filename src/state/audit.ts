import { randomUUID } from 'node:crypto';
import type { Clock } from './resources.js';
import type { AuditStore, Db } from './types.js';

const INSERT = 'INSERT INTO audit_events (event_id, event_time, event_source, event_name, read_only, account_id, doc) '
  + 'VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING';

/**
 * CloudTrail-shaped events: the whole event as JSON plus the columns lookups filter and sort on.
 * Appends are all-or-nothing and idempotent per eventID, so a retried batch is not stored twice.
 */
export class SqlAuditStore implements AuditStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async append(events: Record<string, unknown>[]): Promise<void> {
    // Validate everything first: a bad event must not leave half a batch behind.
    const rows = events.map((e) => this.toRow(e));
    if (rows.length === 0) return;
    await this.db.insertMany(INSERT, rows);
  }

  /** Oldest first (event time, then event id); `since` is inclusive. */
  async list(opts: { since?: Date; limit?: number; eventName?: string } = {}): Promise<Record<string, unknown>[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.since !== undefined) {
      where.push('event_time >= ?');
      params.push(opts.since.getTime());
    }
    if (opts.eventName !== undefined) {
      where.push('event_name = ?');
      params.push(opts.eventName);
    }
    let sql = 'SELECT doc FROM audit_events';
    if (where.length) sql += ` WHERE ${where.join(' AND ')}`;
    sql += ' ORDER BY event_time, event_id';
    if (opts.limit !== undefined) {
      if (!Number.isSafeInteger(opts.limit) || opts.limit < 0) throw new RangeError(`bad limit ${opts.limit}`);
      sql += ' LIMIT ?';
      params.push(opts.limit);
    }
    const rows = await this.db.query<{ doc: string }>(sql, params);
    return rows.map((r) => JSON.parse(r.doc) as Record<string, unknown>);
  }

  private toRow(event: Record<string, unknown>): unknown[] {
    // Copied only when fields must be filled in: the gateway's events arrive complete, thousands per second.
    const doc = event.eventID === undefined || event.eventTime === undefined ? { ...event } : event;
    if (doc.eventID === undefined) doc.eventID = randomUUID();
    if (doc.eventTime === undefined) doc.eventTime = this.clock.now().toISOString();
    const time = doc.eventTime instanceof Date ? doc.eventTime.getTime() : Date.parse(String(doc.eventTime));
    if (Number.isNaN(time)) throw new TypeError(`audit event has an invalid eventTime: ${String(doc.eventTime)}`);
    for (const field of ['eventID', 'eventSource', 'eventName'] as const) {
      if (typeof doc[field] !== 'string' || doc[field] === '') throw new TypeError(`audit event needs a string ${field}`);
    }
    return [doc.eventID, time, doc.eventSource, doc.eventName, doc.readOnly === true, accountOf(doc), JSON.stringify(doc)];
  }
}

function accountOf(event: Record<string, unknown>): string | null {
  if (typeof event.recipientAccountId === 'string') return event.recipientAccountId;
  const identity = event.userIdentity as { accountId?: unknown } | undefined;
  return typeof identity?.accountId === 'string' ? identity.accountId : null;
}
