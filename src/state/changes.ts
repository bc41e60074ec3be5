import { EventEmitter } from 'node:events';
import pg from 'pg';

/**
 * Change notifications between replicas, so in-memory caches (credentials, policies, endpoint routes) can be
 * invalidated when another replica changes what they hold. Subscribers also receive `'*'` (payload '') when
 * notifications may have been missed (a reconnect): they must then drop everything.
 */
export interface ChangeBus {
  publish(topic: string, payload: string): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(topic: string, fn: (payload: string) => void): () => void;
  close(): Promise<void>;
}

export const MISSED_CHANGES = '*';

const RECONNECT_DELAY_MS = 1000;
const MAX_RECONNECT_DELAY_MS = 30_000;

/** One process (SQLite, the embedded default): notifications stay in memory. */
export class LocalChangeBus implements ChangeBus {
  protected readonly events = new EventEmitter();

  constructor() {
    this.events.setMaxListeners(0);
  }

  async publish(topic: string, payload: string): Promise<void> {
    this.deliver(topic, payload);
  }

  subscribe(topic: string, fn: (payload: string) => void): () => void {
    this.events.on(topic, fn);
    return () => this.events.off(topic, fn);
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
  }

  protected deliver(topic: string, payload: string): void {
    this.events.emit(topic, payload);
  }
}

/**
 * PostgreSQL LISTEN/NOTIFY on a dedicated connection. Local subscribers are told at once; other replicas
 * through the channel. The channel is per schema so that deployments sharing a database stay apart.
 */
export class PgChangeBus extends LocalChangeBus {
  private client: pg.Client | undefined;
  private closed = false;
  private reconnecting = false;
  private readonly channel: string;
  private readonly origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;

  constructor(private readonly url: string, private readonly schema: string | undefined,
    private readonly onError: (err: Error) => void = () => undefined) {
    super();
    this.channel = schema ? `vigil_changes_${schema}` : 'vigil_changes';
  }

  /** Connects and listens. Only the connection that is listening reconnects when it ends (see reconnect()). */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => this.onNotification(msg.payload));
    client.on('error', (err) => this.onError(err));
    client.on('end', () => {
      if (this.client === client) this.reconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (err) {
      // Half open: close it; its 'end' is ignored, the caller decides whether to retry.
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  override async publish(topic: string, payload: string): Promise<void> {
    this.deliver(topic, payload);
    const message = JSON.stringify({ o: this.origin, t: topic, p: payload });
    const client = this.client;
    if (client) await client.query('SELECT pg_notify($1, $2)', [this.channel, message]);
  }

  override async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
    await super.close();
  }

  private onNotification(raw: string | undefined): void {
    try {
      const msg = JSON.parse(raw ?? '') as { o: string; t: string; p: string };
      if (msg.o !== this.origin) this.deliver(msg.t, msg.p);
    } catch {
      // Not ours: ignore.
    }
  }

  /**
   * After a lost connection notifications may have been missed both ways: this replica's subscribers drop their
   * caches, and so do the other replicas', since changes made here meanwhile were never announced to them. One
   * attempt at a time, backing off from 1 s to 30 s while PostgreSQL is unreachable.
   */
  private reconnect(): void {
    this.client = undefined;
    if (this.closed || this.reconnecting) return;
    this.reconnecting = true;
    const attempt = (delayMs: number): void => {
      setTimeout(() => {
        if (this.closed) {
          this.reconnecting = false;
          return;
        }
        this.start().then(() => {
          this.reconnecting = false;
          if (!this.client) return;
          this.deliver(MISSED_CHANGES, '');
          const message = JSON.stringify({ o: this.origin, t: MISSED_CHANGES, p: '' });
          // If this fails the connection is gone again, and its 'end' brings us back here.
          this.client.query('SELECT pg_notify($1, $2)', [this.channel, message]).catch((err: Error) => this.onError(err));
        }, (err: Error) => {
          this.onError(err);
          attempt(Math.min(delayMs * 2, MAX_RECONNECT_DELAY_MS));
        });
      }, delayMs).unref();
    };
    attempt(RECONNECT_DELAY_MS);
  }
}
