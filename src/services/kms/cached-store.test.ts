import { describe, expect, it } from 'vitest';
import { LocalChangeBus } from '../../state/changes.js';
import { withEachBackend } from '../../state/testing.js';
import type { ResourceRecord, ResourceStore } from '../../state/types.js';
import { CachedKmsStore } from './cached-store.js';

const A = '111111111111';
const doc = (state: string) => ({ KeyState: state, Tags: [{ TagKey: 'k', TagValue: 'v' }] });
type Doc = ReturnType<typeof doc>;

const until = async (cond: () => Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

withEachBackend((name, open, backend) => {
  describe('CachedKmsStore', () => {
    it('serves repeated reads from memory and forgets everything when KMS writes', async () => {
      const s = await open();
      const cached = new CachedKmsStore(s.resources, s.changes);
      await cached.create(A, 'kms', 'key', 'k1', doc('Enabled'));
      expect((await cached.get<Doc>(A, 'kms', 'key', 'k1'))?.doc.KeyState).toBe('Enabled');
      // Behind the cache's back: the cached copy is still served…
      await s.resources.update(A, 'kms', 'key', 'k1', doc('Disabled'));
      expect((await cached.get<Doc>(A, 'kms', 'key', 'k1'))?.doc.KeyState).toBe('Enabled');
      expect(await cached.list(A, 'kms', 'key')).toHaveLength(1);
      // …until any write through it.
      await cached.create(A, 'kms', 'alias', 'a1', { AliasName: 'alias/x' }, 'k1');
      expect((await cached.get<Doc>(A, 'kms', 'key', 'k1'))?.doc.KeyState).toBe('Disabled');
      expect((await cached.findById<Doc>('kms', 'key', 'k1'))?.doc.KeyState).toBe('Disabled');
      expect((await cached.list(A, 'kms', 'alias', { parentId: 'k1' })).map((r) => r.id)).toEqual(['a1']);
    });

    it('reads inside a unit of work go to the database and are not kept; a rolled-back change is never served', async () => {
      const s = await open();
      const cached = new CachedKmsStore(s.resources, s.changes);
      await cached.create(A, 'kms', 'key', 'k1', doc('Enabled'));
      await expect(cached.unitOfWork(() => s.db.transaction(async () => {
        await cached.update(A, 'kms', 'key', 'k1', doc('Disabled'));
        expect((await cached.get<Doc>(A, 'kms', 'key', 'k1'))?.doc.KeyState).toBe('Disabled');
        throw new Error('roll back');
      }))).rejects.toThrow('roll back');
      expect((await cached.get<Doc>(A, 'kms', 'key', 'k1'))?.doc.KeyState).toBe('Enabled');
    });

    it('cached documents are frozen: changing one in place throws instead of changing what others read', async () => {
      const s = await open();
      const cached = new CachedKmsStore(s.resources, s.changes);
      await cached.create(A, 'kms', 'key', 'k1', doc('Enabled'));
      const rec = (await cached.get<Doc>(A, 'kms', 'key', 'k1'))!;
      expect(() => { rec.doc.KeyState = 'Disabled'; }).toThrow(TypeError);
      expect(() => { rec.doc.Tags.push({ TagKey: 'x', TagValue: 'y' }); }).toThrow(TypeError);
    });

    if (name === 'postgres') {
      it("a replica's cache is emptied by another replica's change (LISTEN/NOTIFY)", async () => {
        const loc = await backend.location();
        const [r1, r2] = [await backend.openAt(loc), await backend.openAt(loc)];
        const [c1, c2] = [new CachedKmsStore(r1.resources, r1.changes), new CachedKmsStore(r2.resources, r2.changes)];
        await c1.create(A, 'kms', 'key', 'k1', doc('Enabled'));
        expect((await c2.get<Doc>(A, 'kms', 'key', 'k1'))?.doc.KeyState).toBe('Enabled');
        await c1.update(A, 'kms', 'key', 'k1', doc('Disabled'));
        await until(async () => (await c2.get<Doc>(A, 'kms', 'key', 'k1'))?.doc.KeyState === 'Disabled');
      });
    }
  });
});

describe('CachedKmsStore timing', () => {
  /** A store whose reads wait until released, so a write can finish while a read is in flight. */
  function slowStore(): { store: ResourceStore; release: () => void; value: { state: string } } {
    let release = () => {};
    const value = { state: 'Enabled' };
    const record = (): ResourceRecord<Doc> => ({ accountId: A, service: 'kms', kind: 'key', id: 'k1', doc: doc(value.state), createdAt: new Date(0), updatedAt: new Date(0) });
    const store = {
      get: async () => {
        const snapshot = record();
        await new Promise<void>((r) => { release = r; });
        return snapshot;
      },
      update: async (_a: string, _s: string, _k: string, _i: string, d: Doc) => { value.state = d.KeyState; return true; },
    } as unknown as ResourceStore;
    return { store, release: () => release(), value };
  }

  it('a read that started before a change finished is returned but not kept', async () => {
    const slow = slowStore();
    const cached = new CachedKmsStore(slow.store, new LocalChangeBus());
    const stale = cached.get<Doc>(A, 'kms', 'key', 'k1');
    await cached.update(A, 'kms', 'key', 'k1', doc('Disabled'));
    slow.release();
    expect((await stale)?.doc.KeyState).toBe('Enabled');
    const fresh = cached.get<Doc>(A, 'kms', 'key', 'k1');
    await new Promise((r) => setTimeout(r, 0));
    slow.release();
    expect((await fresh)?.doc.KeyState).toBe('Disabled');
  });

  it('entries expire after the TTL, a safety net for a lost notification', async () => {
    let now = 0;
    const s = new Map<string, string>([['k1', 'Enabled']]);
    let reads = 0;
    const store = { get: async () => { reads++; return { doc: doc(s.get('k1')!) }; } } as unknown as ResourceStore;
    const cached = new CachedKmsStore(store, new LocalChangeBus(), { ttlMs: 1000, now: () => now });
    await cached.get(A, 'kms', 'key', 'k1');
    await cached.get(A, 'kms', 'key', 'k1');
    expect(reads).toBe(1);
    now = 1001;
    await cached.get(A, 'kms', 'key', 'k1');
    expect(reads).toBe(2);
  });
});
