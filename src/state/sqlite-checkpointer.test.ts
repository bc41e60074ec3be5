import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { WalCheckpointer } from './sqlite-checkpointer.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function open(): { db: Database.Database; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-ckpt-'));
  dirs.push(dir);
  const file = path.join(dir, 'state.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, doc TEXT NOT NULL)');
  return { db, file };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** [busy, WAL frames, frames already copied into the database]: a no-op checkpoint reports where things stand. */
const walState = (db: Database.Database) => (db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[])[0];

describe('WalCheckpointer', () => {
  it('checkpoints from a worker thread while the main connection only commits, and hands back on stop', async () => {
    const { db, file } = open();
    const ckpt = new WalCheckpointer(db, file, { startDelayMs: 0, intervalMs: 20 });
    await until(() => ckpt.active);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const insert = db.prepare('INSERT INTO t (doc) VALUES (?)');
    const doc = 'x'.repeat(1000);
    // ~8 MB of WAL: twice what one automatic checkpoint would let through. The WAL keeps being reset behind the writer.
    for (let batch = 0; batch < 40; batch++) {
      db.transaction(() => { for (let i = 0; i < 200; i++) insert.run(doc); })();
      await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => { const s = walState(db); return s.log === s.checkpointed; });
    expect(statSync(`${file}-wal`).size).toBeLessThan(8_000_000);
    await ckpt.stop();
    expect(ckpt.active).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 8000 });
    db.close();
  });

  it('a database closed before the start delay never starts a thread', async () => {
    const { db, file } = open();
    const ckpt = new WalCheckpointer(db, file, { startDelayMs: 50 });
    await ckpt.stop();
    await new Promise((r) => setTimeout(r, 80));
    expect(ckpt.active).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    db.close();
  });

  it('falls back to automatic checkpoints when the worker cannot run', async () => {
    const { db, file } = open();
    const errors: Error[] = [];
    const ckpt = new WalCheckpointer(db, path.join(path.dirname(file), 'missing.db'), { startDelayMs: 0, onError: (e) => errors.push(e) });
    await until(() => errors.length > 0);
    expect(errors[0].message).toMatch(/unable to open|does not exist|SQLITE_CANTOPEN/i);
    await until(() => !ckpt.active);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await ckpt.stop();
    db.close();
  });
  it('gives the worker up when its checkpoints keep failing, and says so once rather than every 200 ms', async () => {
    const { db, file } = open();
    const garbage = path.join(path.dirname(file), 'not-a-database.db');
    writeFileSync(garbage, 'x'.repeat(8192));
    const errors: Error[] = [];
    const ckpt = new WalCheckpointer(db, garbage, { startDelayMs: 0, intervalMs: 5, giveUpAfterMs: 100, onError: (e) => errors.push(e) });
    await until(() => errors.length >= 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/background WAL checkpoint failed: .*not a database/),
      expect.stringMatching(/keep failing .*checkpoints on commit again/),
    ]);
    expect(ckpt.active).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await ckpt.stop();
    db.close();
  });
});
