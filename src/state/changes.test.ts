import pg from 'pg';
import { expect, it } from 'vitest';
import { MISSED_CHANGES, PgChangeBus } from './changes.js';
import { TEST_PG_URL, withEachBackend } from './testing.js';

withEachBackend((name, open, backend) => {
  it('a published change reaches the subscribers of its topic until they unsubscribe', async () => {
    const s = await open();
    const heard: string[] = [];
    const off = s.changes.subscribe('kms', (p) => heard.push(p));
    s.changes.subscribe('other', (p) => heard.push(`other:${p}`));
    await s.changes.publish('kms', 'a');
    off();
    await s.changes.publish('kms', 'b');
    expect(heard).toEqual(['a']);
  });

  // Replicas share the bus only on PostgreSQL; SQLite is one process.
  if (name !== 'postgres') return;

  it('a replica whose bus connection drops tells the others, on reconnecting, to drop their caches', async () => {
    const loc = await backend.location();
    const first = await backend.openAt(loc);
    const second = await backend.openAt(loc);
    const heard: string[] = [];
    second.changes.subscribe(MISSED_CHANGES, () => heard.push('missed'));
    second.changes.subscribe('kms', () => heard.push('kms'));
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    try {
      // The first replica's listener is the older of the two LISTEN connections on the schema's channel.
      const { rows } = await admin.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE query = $1 ORDER BY backend_start LIMIT 1", [`LISTEN vigil_changes_${loc.pgSchema}`]);
      expect(rows).toHaveLength(1);
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      // A change made while the first replica cannot announce it reaches nobody else…
      await first.changes.publish('kms', '').catch(() => undefined); // the dead connection may still answer with an error
      expect(heard).toEqual([]);
      // …so its reconnect (after ~1 s) is announced, and the second replica drops everything.
      const end = Date.now() + 5000;
      while (!heard.includes('missed') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(heard).toEqual(['missed']);
    } finally {
      await admin.end();
    }
  });

  it('while PostgreSQL is unreachable the bus retries one connection at a time, backing off', async () => {
    const errors: string[] = [];
    const bus = new PgChangeBus(TEST_PG_URL, 'vigil_bus_backoff', (err) => errors.push(err.message));
    await bus.start();
    // From now on every connection attempt fails (nothing listens on port 1).
    (bus as unknown as { url: string }).url = 'postgres://postgres@127.0.0.1:1/test';
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    try {
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN vigil_changes_vigil_bus_backoff'");
      await new Promise((r) => setTimeout(r, 3500));
      // Attempts at ~1 s and ~3 s (then 7 s…): a handful of errors, not a doubling storm.
      const refused = errors.filter((m) => /ECONNREFUSED/.test(m)).length;
      expect(refused).toBeGreaterThanOrEqual(1);
      expect(refused).toBeLessThanOrEqual(3);
    } finally {
      await admin.end();
      await bus.close();
    }
  });
});
