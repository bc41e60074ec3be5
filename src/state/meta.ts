import type { Db, MetaStore } from './types.js';

/** Small key/value settings (account id, master-key fingerprint…) shared by all replicas. */
export class SqlMetaStore implements MetaStore {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<string | undefined> {
    const rows = await this.db.query<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]);
    return rows.length ? rows[0].value : undefined;
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    // The INSERT decides the winner atomically; the read-back then sees whichever value won.
    await this.db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, value]);
    const stored = await this.get(key);
    if (stored === undefined) throw new Error(`meta key '${key}' vanished right after being set`);
    return stored;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
      key,
      value,
    ]);
  }
}
