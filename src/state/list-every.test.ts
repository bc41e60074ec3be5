import { expect, it } from 'vitest';
import { eachRecord, listEvery } from './list-every.js';
import { withEachBackend } from './testing.js';

withEachBackend((_name, open) => {
  it('listEvery reads past a page (500) in id order, narrowed by parent or id prefix', async () => {
    const s = await open();
    const ids = Array.from({ length: 1201 }, (_, i) => `r/${String(i).padStart(5, '0')}`);
    await s.db.transaction(async () => {
      for (const [n, id] of ids.entries()) await s.resources.create('1', 'svc', 'thing', id, { n }, n % 2 ? 'odd' : 'even');
    });
    await s.resources.create('1', 'svc', 'thing', 'x/other', { n: -1 });
    await s.resources.create('2', 'svc', 'thing', 'r/elsewhere', { n: -2 });
    expect((await listEvery(s.resources, '1', 'svc', 'thing', { idPrefix: 'r/' })).map((r) => r.id)).toEqual(ids);
    expect(await listEvery(s.resources, '1', 'svc', 'thing')).toHaveLength(1202);
    const odd = await listEvery<{ n: number }>(s.resources, '1', 'svc', 'thing', { parentId: 'odd' });
    expect(odd.map((r) => r.doc.n)).toEqual(ids.map((_, n) => n).filter((n) => n % 2));
  });

  it('eachRecord lets the caller delete what it is handed', async () => {
    const s = await open();
    for (let i = 0; i < 1100; i++) await s.resources.create('1', 'svc', 'thing', `k${String(i).padStart(4, '0')}`, {});
    let seen = 0;
    for await (const r of eachRecord(s.resources, '1', 'svc', 'thing')) {
      seen++;
      await s.resources.delete('1', 'svc', 'thing', r.id);
    }
    expect(seen).toBe(1100);
    expect(await s.resources.count('1', 'svc', 'thing')).toBe(0);
  });
});
