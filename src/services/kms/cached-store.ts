import { MISSED_CHANGES, type ChangeBus } from '../../state/changes.js';
import type { ListOptions, ResourceRecord, ResourceStore } from '../../state/types.js';

const TOPIC = 'kms';

export interface CachedStoreOptions {
  /** Safety net for a change notification that never arrived; local changes and the bus invalidate at once. */
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}

interface Entry {
  value: unknown;
  expiresAt: number;
}

/**
 * KMS's reads, cached. Every Encrypt/Decrypt/GenerateDataKey reads the key, its aliases and its grants; from the
 * database that was three queries and most of the call's time. KMS rows change rarely, so any change empties the
 * whole cache, here and (through the change bus) on every replica.
 *
 * Entries also expire after `ttlMs`: the bound on staleness when a notification is lost between replicas.
 *
 * A read never sees a write in progress through the cache: while a KMS write or write transaction is open in this
 * process reads go to the database and are not kept, and a read that started before a change finished is not kept
 * either (generation check). Cached documents are frozen, so a caller that modified one in place would fail loudly
 * instead of corrupting what other requests see.
 */
export class CachedKmsStore implements ResourceStore {
  private readonly cache = new Map<string, Entry>();
  private generation = 0;
  /** Writes and write transactions open in this process. */
  private writing = 0;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly inner: ResourceStore, private readonly bus: ChangeBus, private readonly opts: CachedStoreOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
    bus.subscribe(TOPIC, () => this.drop());
    bus.subscribe(MISSED_CHANGES, () => this.drop());
  }

  get<T>(accountId: string, service: string, kind: string, id: string): Promise<ResourceRecord<T> | undefined> {
    return this.read(`g\0${accountId}\0${service}\0${kind}\0${id}`, () => this.inner.get<T>(accountId, service, kind, id));
  }

  findById<T>(service: string, kind: string, id: string): Promise<ResourceRecord<T> | undefined> {
    return this.read(`f\0${service}\0${kind}\0${id}`, () => this.inner.findById<T>(service, kind, id));
  }

  list<T>(accountId: string, service: string, kind: string, opts: ListOptions = {}): Promise<ResourceRecord<T>[]> {
    const key = `l\0${accountId}\0${service}\0${kind}\0${opts.parentId ?? ''}\0${opts.idPrefix ?? ''}\0${opts.after ?? ''}\0${opts.limit ?? ''}`;
    return this.read(key, () => this.inner.list<T>(accountId, service, kind, opts));
  }

  /** Read-modify-write reads always go to the database (and lock the row on PostgreSQL). */
  getForUpdate<T>(accountId: string, service: string, kind: string, id: string): Promise<ResourceRecord<T> | undefined> {
    return this.inner.getForUpdate<T>(accountId, service, kind, id);
  }

  count(accountId: string, service: string, kind: string, parentId?: string): Promise<number> {
    return this.inner.count(accountId, service, kind, parentId);
  }

  create<T>(accountId: string, service: string, kind: string, id: string, doc: T, parentId?: string): Promise<boolean> {
    return this.write(() => this.inner.create(accountId, service, kind, id, doc, parentId));
  }

  update<T>(accountId: string, service: string, kind: string, id: string, doc: T): Promise<boolean> {
    return this.write(() => this.inner.update(accountId, service, kind, id, doc));
  }

  delete(accountId: string, service: string, kind: string, id: string): Promise<boolean> {
    return this.write(() => this.inner.delete(accountId, service, kind, id));
  }

  /** Runs a unit of work that may write: the cache stays out of the way until it has committed or rolled back. */
  unitOfWork<T>(fn: () => Promise<T>): Promise<T> {
    return this.write(fn);
  }

  /** The other replicas are told before the change is reported done, so a caller's next request sees it there too. */
  private async write<T>(fn: () => Promise<T>): Promise<T> {
    this.writing++;
    this.drop();
    try {
      return await fn();
    } finally {
      this.writing--;
      this.drop();
      await this.bus.publish(TOPIC, '').catch((err: unknown) => this.opts.onError?.(err));
    }
  }

  private drop(): void {
    this.generation++;
    this.cache.clear();
  }

  private async read<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.writing > 0) return load();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > this.now()) return hit.value as T;
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation && this.writing === 0) {
      if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, { value: deepFreeze(value), expiresAt: this.now() + this.ttlMs });
    }
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
