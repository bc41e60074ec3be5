import { statSync } from 'node:fs';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, type Migration } from './index.js';
import { withEachBackend } from './testing.js';
import type { Db, StateBackend } from './types.js';

/** Code point order (= UTF-8 byte order), which both engines sort ids in; JS's default sort is UTF-16 order. */
const byCodePoint = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

const ids = (recs: { id: string }[]) => recs.map((r) => r.id);

async function versions(db: Db): Promise<number[]> {
  const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  return rows.map((r) => Number(r.version));
}

async function seed(s: StateBackend, account: string, idList: string[], parentId?: string) {
  for (const id of idList) expect(await s.resources.create(account, 'iam', 'user', id, { id }, parentId)).toBe(true);
}

withEachBackend((name, open, backend) => {
  describe('migrations', () => {
    it('are idempotent: reopening applies nothing and keeps the data', async () => {
      const loc = await backend.location();
      const first = await backend.openAt(loc);
      await first.resources.create('111111111111', 'iam', 'user', 'alice', { n: 1 });
      await first.close();
      const second = await backend.openAt(loc);
      expect(await migrate(second.db)).toEqual([]);
      expect(await versions(second.db)).toEqual(MIGRATIONS.map((m) => m.version));
      expect((await second.resources.get('111111111111', 'iam', 'user', 'alice'))?.doc).toEqual({ n: 1 });
    });

    it('two replicas starting at once both succeed and each version is applied once', async () => {
      const loc = await backend.location();
      const [a, b, c] = await Promise.all([backend.openAt(loc), backend.openAt(loc), backend.openAt(loc)]);
      expect(await versions(a.db)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await a.resources.create('1', 'iam', 'user', 'x', {})).toBe(true);
      expect(await b.resources.create('1', 'iam', 'user', 'x', {})).toBe(false);
      expect(await c.resources.count('1', 'iam', 'user')).toBe(1);
    });

    it('a failing migration leaves nothing behind', async () => {
      const s = await open();
      // The next version after the released ones, whatever their number.
      const next = MIGRATIONS[MIGRATIONS.length - 1].version + 1;
      const bad: Migration = { version: next, name: 'bad', up: 'CREATE TABLE half_done (x INTEGER); INSERT INTO nope VALUES (1);' };
      await expect(migrate(s.db, { migrations: [...MIGRATIONS, bad] })).rejects.toThrow();
      expect(await versions(s.db)).toEqual(MIGRATIONS.map((m) => m.version));
      const good: Migration = { version: next, name: 'good', up: 'CREATE TABLE half_done (x INTEGER)' };
      expect(await migrate(s.db, { migrations: [...MIGRATIONS, good] })).toEqual([next]);
    });

    it.runIf(name === 'sqlite')('creates the database file owner-only (it holds sealed secrets)', async () => {
      const loc = await backend.location();
      const s = await backend.openAt(loc);
      await s.meta.set('k', 'v');
      for (const f of [loc.sqlitePath!, `${loc.sqlitePath}-wal`]) expect(statSync(f).mode & 0o777).toBe(0o600);
    });

    it('refuses a database migrated by a newer build', async () => {
      const s = await open();
      const future: Migration = { version: 99, name: 'future', up: 'CREATE TABLE future_t (x INTEGER)' };
      await migrate(s.db, { migrations: [...MIGRATIONS, future] });
      await expect(migrate(s.db)).rejects.toThrow(/schema version 99, unknown to this build/);
    });
  });

  describe('resources', () => {
    it('create, get, update, delete', async () => {
      let now = new Date('2026-01-02T03:04:05.006Z');
      const s = await backend.openAt({ ...(await backend.location()), clock: { now: () => now } });
      expect(await s.resources.get('1', 'iam', 'user', 'bob')).toBeUndefined();
      expect(await s.resources.create('1', 'iam', 'user', 'bob', { Path: '/', tags: [1, true, null] })).toBe(true);
      const got = await s.resources.get<{ Path: string }>('1', 'iam', 'user', 'bob');
      expect(got).toEqual({
        accountId: '1', service: 'iam', kind: 'user', id: 'bob',
        doc: { Path: '/', tags: [1, true, null] }, createdAt: now, updatedAt: now,
      });
      expect(got && 'parentId' in got).toBe(false);
      now = new Date('2026-01-03T00:00:00.000Z');
      expect(await s.resources.update('1', 'iam', 'user', 'bob', { Path: '/x/' })).toBe(true);
      const updated = await s.resources.get('1', 'iam', 'user', 'bob');
      expect(updated?.doc).toEqual({ Path: '/x/' });
      expect(updated?.createdAt).toEqual(new Date('2026-01-02T03:04:05.006Z'));
      expect(updated?.updatedAt).toEqual(now);
      expect(await s.resources.delete('1', 'iam', 'user', 'bob')).toBe(true);
      expect(await s.resources.get('1', 'iam', 'user', 'bob')).toBeUndefined();
      expect(await s.resources.update('1', 'iam', 'user', 'bob', {})).toBe(false);
      expect(await s.resources.delete('1', 'iam', 'user', 'bob')).toBe(false);
    });

    it('duplicate create returns false and changes nothing; the key is (account, service, kind, id)', async () => {
      const s = await open();
      expect(await s.resources.create('1', 'iam', 'user', 'dup', { v: 1 })).toBe(true);
      expect(await s.resources.create('1', 'iam', 'user', 'dup', { v: 2 }, 'p')).toBe(false);
      expect((await s.resources.get('1', 'iam', 'user', 'dup'))?.doc).toEqual({ v: 1 });
      expect(await s.resources.create('2', 'iam', 'user', 'dup', {})).toBe(true);
      expect(await s.resources.create('1', 'sts', 'user', 'dup', {})).toBe(true);
      expect(await s.resources.create('1', 'iam', 'role', 'dup', {})).toBe(true);
      // A duplicate inside a transaction must not poison it (PostgreSQL aborts on a failed statement).
      await s.db.transaction(async () => {
        expect(await s.resources.create('1', 'iam', 'user', 'dup', {})).toBe(false);
        expect(await s.resources.create('1', 'iam', 'user', 'after-dup', {})).toBe(true);
      });
      expect(await s.resources.get('1', 'iam', 'user', 'after-dup')).toBeDefined();
    });

    it('lists in id order with parent filter, pagination and count', async () => {
      const s = await open();
      await seed(s, '1', ['carol', 'alice', 'bob', 'Zed', 'dave']);
      await seed(s, '1', ['k3', 'k1', 'k2'], 'alice');
      await seed(s, '2', ['other']);
      expect(ids(await s.resources.list('1', 'iam', 'user'))).toEqual(['Zed', 'alice', 'bob', 'carol', 'dave', 'k1', 'k2', 'k3']);
      expect(ids(await s.resources.list('1', 'iam', 'user', { parentId: 'alice' }))).toEqual(['k1', 'k2', 'k3']);
      expect((await s.resources.list('1', 'iam', 'user', { parentId: 'alice' }))[0].parentId).toBe('alice');
      const pages: string[][] = [];
      let after: string | undefined;
      for (;;) {
        const page = ids(await s.resources.list('1', 'iam', 'user', { after, limit: 3 }));
        if (!page.length) break;
        pages.push(page);
        after = page[page.length - 1];
      }
      expect(pages).toEqual([['Zed', 'alice', 'bob'], ['carol', 'dave', 'k1'], ['k2', 'k3']]);
      expect(await s.resources.list('1', 'iam', 'user', { limit: 0 })).toEqual([]);
      expect(await s.resources.count('1', 'iam', 'user')).toBe(8);
      expect(await s.resources.count('1', 'iam', 'user', 'alice')).toBe(3);
      expect(await s.resources.count('3', 'iam', 'user')).toBe(0);
    });

    it("idPrefix is literal: '%' and '_' are not wildcards, and matching is case-sensitive", async () => {
      const s = await open();
      const all = ['a', 'a%', 'a%b', 'a%c', 'aXb', 'a_b', 'a_c', 'abb', 'A_b', 'a\\b', 'b%'];
      await seed(s, '1', all);
      const list = async (idPrefix: string, more = {}) => ids(await s.resources.list('1', 'iam', 'user', { idPrefix, ...more }));
      expect(await list('a%')).toEqual(['a%', 'a%b', 'a%c']);
      expect(await list('a_')).toEqual(['a_b', 'a_c']);
      expect(await list('A')).toEqual(['A_b']);
      expect(await list('a\\')).toEqual(['a\\b']);
      expect(await list('%')).toEqual([]);
      expect(await list('a%', { after: 'a%', limit: 1 })).toEqual(['a%b']);
      expect(await list('')).toEqual([...all].sort(byCodePoint));
    });

    it('round-trips unicode ids and documents and orders ids by code point on both engines', async () => {
      const s = await open();
      const weird = ['é', '日本', '😀', '\uFFFD', 'z', 'Ω-%_', '\u{10FFFF}', '\u{10FFFF}a', 'a\u{10FFFF}'];
      const doc = { s: 'نص عربي · 中文 · 🧪 · "quotes" \\ back \u0000 nul \u2028', nested: { 'ключ': ['✓'] } };
      for (const id of weird) expect(await s.resources.create('1', 'iam', 'user', id, doc)).toBe(true);
      expect((await s.resources.get('1', 'iam', 'user', '😀'))?.doc).toEqual(doc);
      expect(ids(await s.resources.list('1', 'iam', 'user'))).toEqual([...weird].sort(byCodePoint));
      const prefixed = (p: string) => s.resources.list('1', 'iam', 'user', { idPrefix: p }).then(ids);
      expect(await prefixed('\u{10FFFF}')).toEqual(['\u{10FFFF}', '\u{10FFFF}a']);
      expect(await prefixed('日')).toEqual(['日本']);
      await expect(s.resources.create('1', 'iam', 'user', 'nul\u0000', {})).rejects.toThrow(TypeError);
    });

    it('findById looks across accounts and fails closed when the id is ambiguous', async () => {
      const s = await open();
      await s.resources.create('111111111111', 'iam', 'access-key', 'AKIAONE', { secret: 'x' }, 'alice');
      await s.resources.create('222222222222', 'iam', 'access-key', 'AKIATWO', { secret: 'y' }, 'bob');
      const found = await s.resources.findById<{ secret: string }>('iam', 'access-key', 'AKIATWO');
      expect(found?.accountId).toBe('222222222222');
      expect(found?.parentId).toBe('bob');
      expect(await s.resources.findById('iam', 'access-key', 'AKIANONE')).toBeUndefined();
      expect(await s.resources.findById('iam', 'user', 'AKIAONE')).toBeUndefined();
      await s.resources.create('222222222222', 'iam', 'access-key', 'AKIAONE', {});
      await expect(s.resources.findById('iam', 'access-key', 'AKIAONE')).rejects.toThrow(/more than one account/);
    });
  });

  describe('transactions', () => {
    it('commits, and rolls back everything when the callback throws', async () => {
      const s = await open();
      expect(await s.db.transaction(async (tx) => {
        await tx.run("INSERT INTO meta (key, value) VALUES (?, 'v')", ['kept']);
        return 42;
      })).toBe(42);
      const boom = new Error('boom');
      await expect(s.db.transaction(async () => {
        await s.resources.create('1', 'iam', 'user', 'ghost', {});
        await s.meta.set('ghost', 'g');
        throw boom;
      })).rejects.toBe(boom);
      expect(await s.resources.get('1', 'iam', 'user', 'ghost')).toBeUndefined();
      expect(await s.meta.get('ghost')).toBeUndefined();
      expect(await s.meta.get('kept')).toBe('v');
    });

    it('nested transactions join the outer one; an inner failure undoes only the inner work', async () => {
      const s = await open();
      await expect(s.db.transaction(async (outer) => {
        await s.meta.set('outer', '1');
        await outer.transaction(async (inner) => {
          expect(await inner.query('SELECT value FROM meta WHERE key = ?', ['outer'])).toEqual([{ value: '1' }]);
          await s.meta.set('inner', '1');
        });
        await s.db.transaction(async () => {
          await s.meta.set('failed-inner', '1');
          throw new Error('inner');
        }).catch(() => {});
        expect(await s.meta.get('inner')).toBe('1');
        expect(await s.meta.get('failed-inner')).toBeUndefined();
        throw new Error('outer');
      })).rejects.toThrow('outer');
      expect(await s.meta.get('outer')).toBeUndefined();
      expect(await s.meta.get('inner')).toBeUndefined();
    });

    it('concurrent nested transactions in one transaction take turns', async () => {
      const s = await open();
      await s.db.transaction(async (tx) => {
        await Promise.all(Array.from({ length: 8 }, (_, i) => tx.transaction(async (inner) => {
          await inner.run('INSERT INTO meta (key, value) VALUES (?, ?)', [`n${i}`, String(i)]);
          await tick();
          if (i % 2) throw new Error(`odd ${i}`);
        }).catch(() => {})));
      });
      const rows = await s.db.query<{ key: string }>("SELECT key FROM meta WHERE key LIKE 'n%' ORDER BY key");
      expect(rows.map((r) => r.key)).toEqual(['n0', 'n2', 'n4', 'n6']);
    });

    it('a statement outside a transaction is never absorbed into a concurrent one', async () => {
      const s = await open();
      let inside!: () => void;
      const started = new Promise<void>((resolve) => (inside = resolve));
      const failing = s.db.transaction(async (tx) => {
        await tx.run("INSERT INTO meta (key, value) VALUES ('tx', '1')");
        inside();
        await new Promise((r) => setTimeout(r, 30));
        throw new Error('rollback');
      });
      await started;
      await s.db.run("INSERT INTO meta (key, value) VALUES ('outside', '1')");
      await expect(failing).rejects.toThrow('rollback');
      expect(await s.meta.get('outside')).toBe('1');
      expect(await s.meta.get('tx')).toBeUndefined();
    });

    it('concurrent transactions do not interleave (read-modify-write keeps every increment)', async () => {
      const s = await open();
      await s.meta.set('counter', '0');
      const bump = () => s.db.transaction(async (tx) => {
        // PostgreSQL READ COMMITTED needs the row lock; SQLite's BEGIN IMMEDIATE + mutex serialise anyway.
        const lock = tx.dialect === 'postgres' ? ' FOR UPDATE' : '';
        const [row] = await tx.query<{ value: string }>(`SELECT value FROM meta WHERE key = 'counter'${lock}`);
        await tick();
        await tx.run("UPDATE meta SET value = ? WHERE key = 'counter'", [String(Number(row.value) + 1)]);
      });
      await Promise.all(Array.from({ length: 20 }, bump));
      expect(await s.meta.get('counter')).toBe('20');
    });

    it('getForUpdate makes a document read-modify-write safe against concurrent writers', async () => {
      const s = await open();
      await s.resources.create('111111111111', 'sagemaker', 'endpoint', 'e', { n: 0 });
      const bump = () => s.db.transaction(async () => {
        const rec = await s.resources.getForUpdate<{ n: number }>('111111111111', 'sagemaker', 'endpoint', 'e');
        await tick();
        await s.resources.update('111111111111', 'sagemaker', 'endpoint', 'e', { n: rec!.doc.n + 1 });
      });
      await Promise.all(Array.from({ length: 20 }, bump));
      expect((await s.resources.get<{ n: number }>('111111111111', 'sagemaker', 'endpoint', 'e'))!.doc.n).toBe(20);
      expect(await s.resources.getForUpdate('111111111111', 'sagemaker', 'endpoint', 'missing')).toBeUndefined();
    });

    it('uncommitted writes are invisible outside the transaction', async () => {
      const s = await open();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let written!: () => void;
      const wrote = new Promise<void>((r) => (written = r));
      const tx = s.db.transaction(async (t) => {
        await t.run("INSERT INTO meta (key, value) VALUES ('pending', '1')");
        written();
        await gate;
      });
      await wrote;
      const outside = s.meta.get('pending');
      if (name === 'postgres') expect(await outside).toBeUndefined(); // SQLite: waits for the commit instead
      release();
      await tx;
      if (name === 'sqlite') expect(await outside).toBe('1');
      expect(await s.meta.get('pending')).toBe('1');
    });

    it('a transaction handle cannot be used after its transaction', async () => {
      const s = await open();
      let leaked: Db | undefined;
      await s.db.transaction(async (tx) => {
        leaked = tx;
      });
      await expect(leaked!.query('SELECT 1')).rejects.toThrow(/after its transaction finished/);
      await expect(leaked!.close()).rejects.toThrow();
    });

    it.runIf(name === 'postgres')('a swallowed statement error does not let the transaction look committed', async () => {
      const s = await open();
      await expect(s.db.transaction(async (tx) => {
        await tx.run("INSERT INTO meta (key, value) VALUES ('lost', '1')");
        await tx.query('SELECT * FROM no_such_table').catch(() => {});
      })).rejects.toThrow(/rolled back/);
      expect(await s.meta.get('lost')).toBeUndefined();
    });

    it('insertMany inserts every row or none, at the root and inside a transaction', async () => {
      const s = await open();
      const sql = 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING';
      // 700 rows are several statements on PostgreSQL (2,000 parameters each): still one unit.
      const rows = Array.from({ length: 700 }, (_, i) => [`k${String(i).padStart(4, '0')}`, 'v']);
      expect(await s.db.insertMany(sql, rows)).toBe(700);
      expect(await s.db.insertMany(sql, rows.slice(0, 5))).toBe(0); // conflicts do nothing
      const bad = [...Array.from({ length: 600 }, (_, i) => [`b${i}`, 'v']), ['b-null', null]];
      await expect(s.db.insertMany(sql, bad)).rejects.toThrow();
      expect(await s.db.query("SELECT key FROM meta WHERE key LIKE 'b%'")).toEqual([]);
      await expect(s.db.transaction(async (tx) => {
        expect(await tx.insertMany(sql, [['t1', 'v'], ['t2', 'v']])).toBe(2);
        await expect(tx.insertMany(sql, [['t3', 'v'], ['t4', null]])).rejects.toThrow();
        // The failed batch undid only itself; the transaction goes on and sees its own rows.
        expect(await tx.query("SELECT key FROM meta WHERE key LIKE 't%' ORDER BY key")).toEqual([{ key: 't1' }, { key: 't2' }]);
        throw new Error('undo');
      })).rejects.toThrow('undo');
      expect(await s.db.query("SELECT key FROM meta WHERE key LIKE 't%'")).toEqual([]);
    });

    it("a failing insertMany inside a transaction never undoes a sibling statement's write or a concurrent batch", async () => {
      const s = await open();
      const sql = 'INSERT INTO meta (key, value) VALUES (?, ?)';
      // 1,200 rows are two statements on PostgreSQL; the bad row is in the second, after the first has run.
      const failing = [...Array.from({ length: 1199 }, (_, i) => [`f${i}`, 'v']), ['f-null', null]];
      await s.db.transaction(async (tx) => {
        const batch = tx.insertMany(sql, failing).catch((err: unknown) => err);
        const other = tx.insertMany(sql, [['good-1', 'v'], ['good-2', 'v']]);
        const sibling = tx.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['sibling', 'v']);
        expect(await sibling).toBe(1);
        expect(await other).toBe(2);
        expect(await batch).toBeInstanceOf(Error);
      });
      const keys = (await s.db.query<{ key: string }>("SELECT key FROM meta WHERE key IN ('sibling', 'good-1', 'good-2') OR key LIKE 'f%' ORDER BY key")).map((r) => r.key);
      expect(keys).toEqual(['good-1', 'good-2', 'sibling']);
    });

    it('statements through the root handle join the transaction whose callback issued them, transaction after transaction', async () => {
      const s = await open();
      // Context tracking is switched off between transactions and back on for each: it must work every time.
      for (let i = 0; i < 3; i++) {
        await expect(s.db.transaction(async () => {
          await s.meta.set(`round${i}`, 'v');
          await tick();
          throw new Error('undo');
        })).rejects.toThrow('undo');
        expect(await s.meta.get(`round${i}`)).toBeUndefined();
      }
    });

    it('binds booleans, dates and nulls the same way on both engines', async () => {
      const s = await open();
      const at = new Date('2026-05-06T07:08:09.010Z');
      await s.db.run('INSERT INTO audit_events VALUES (?, ?, ?, ?, ?, ?, ?)', ['e', at, 'src', 'Name', true, undefined, '{}']);
      const rows = await s.db.query('SELECT event_time, read_only, account_id FROM audit_events');
      expect(rows).toEqual([{ event_time: at.getTime(), read_only: 1, account_id: null }]);
      await expect(s.db.query('SELECT ?', [{ a: 1 }])).rejects.toThrow(/JSON.stringify/);
    });
  });

  describe('meta', () => {
    it('get, set, and setIfAbsent where the first writer wins, also across replicas', async () => {
      const loc = await backend.location();
      const a = await backend.openAt(loc);
      const b = await backend.openAt(loc);
      expect(await a.meta.get('k')).toBeUndefined();
      await a.meta.set('k', 'one');
      await a.meta.set('k', 'two');
      expect(await b.meta.get('k')).toBe('two');
      expect(await a.meta.setIfAbsent('k', 'three')).toBe('two');
      const racers = Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).meta.setIfAbsent('fp', `v${i}`));
      const results = await Promise.all(racers);
      expect(new Set(results).size).toBe(1);
      expect(await a.meta.get('fp')).toBe(results[0]);
    });
  });

  describe('audit', () => {
    const ev = (id: string, time: string, extra: Record<string, unknown> = {}) => ({
      eventID: id, eventTime: time, eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', readOnly: false,
      recipientAccountId: '111111111111', ...extra,
    });

    it('lists by event time then event id, with since, name and limit filters', async () => {
      const s = await open();
      await s.audit.append([
        ev('c', '2026-01-01T00:00:02Z'), ev('b', '2026-01-01T00:00:01Z'),
        ev('a', '2026-01-01T00:00:02Z', { eventName: 'GetUser', readOnly: true, detail: { '名': '✓' } }),
      ]);
      await s.audit.append([ev('d', '2026-01-01T00:00:00.500Z')]);
      const all = await s.audit.list();
      expect(all.map((e) => e.eventID)).toEqual(['d', 'b', 'a', 'c']);
      expect(all[2]).toMatchObject({ eventName: 'GetUser', readOnly: true, detail: { '名': '✓' } });
      const since = await s.audit.list({ since: new Date('2026-01-01T00:00:01Z') });
      expect(since.map((e) => e.eventID)).toEqual(['b', 'a', 'c']);
      expect((await s.audit.list({ eventName: 'GetUser' })).map((e) => e.eventID)).toEqual(['a']);
      expect((await s.audit.list({ limit: 2 })).map((e) => e.eventID)).toEqual(['d', 'b']);
    });

    it('appends large batches atomically and idempotently', async () => {
      const s = await open();
      const many = Array.from({ length: 450 }, (_, i) => ev(`e${String(i).padStart(4, '0')}`, new Date(1e12 + i).toISOString()));
      await s.audit.append(many);
      await s.audit.append(many.slice(0, 10)); // a retried batch
      expect(await s.audit.list()).toHaveLength(450);
      await expect(s.audit.append([ev('x1', '2026-01-01T00:00:00Z'), ev('x2', 'not a time')])).rejects.toThrow(/eventTime/);
      expect(await s.audit.list({ since: new Date('2026-01-01T00:00:00Z') })).toHaveLength(0);
      await s.audit.append([{ eventSource: 's', eventName: 'N' }]);
      const [filled] = await s.audit.list({ eventName: 'N' });
      expect(filled.eventID).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof filled.eventTime).toBe('string');
    });
  });
});
