import { expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { DatasetProfile, profileToStatistics } from '../profile.js';
import { SqlProfileStore } from './store.js';
import { ACCOUNT, REGION, T0 } from './testkit.js';

const M = 60_000;

function profileOf(values: number[], extra?: string): DatasetProfile {
  const p = DatasetProfile.empty();
  for (const v of values) p.add(extra === undefined ? { _c0: String(v) } : { _c0: String(v), _c1: extra });
  return p;
}

const key = (variant: string) => ({ accountId: ACCOUNT, region: REGION, endpoint: 'fraud', variant });

withEachBackend((_name, open) => {
  it('merges the partials of every writer, variant and minute of a window, losslessly', async () => {
    const state = await open();
    const a = new SqlProfileStore(state.db, 'writer-a');
    const b = new SqlProfileStore(state.db, 'writer-b');
    await a.insert([{ ...key('A'), minute: T0, profile: profileOf([1, 2, 3], 'x') }, { ...key('B'), minute: T0, profile: profileOf([10]) }]);
    await b.insert([{ ...key('A'), minute: T0, profile: profileOf([4, 5]) }, { ...key('A'), minute: T0 + M, profile: profileOf([6], 'y') }]);
    await a.insert([{ ...key('A'), minute: T0 + 5 * M, profile: profileOf([100]) }]); // outside the window below

    const all = await a.merged(ACCOUNT, REGION, 'fraud', undefined, new Date(T0), new Date(T0 + 3 * M));
    expect(all).toBeDefined();
    expect(all!.profile.itemCount).toBe(7);
    expect([all!.minutes, all!.expectedMinutes, all!.missingMinutes]).toEqual([2, 3, [T0 + 2 * M]]);

    const onlyA = (await b.merged(ACCOUNT, REGION, 'fraud', 'A', new Date(T0), new Date(T0 + 3 * M)))!;
    const direct = profileOf([1, 2, 3], 'x').merge(profileOf([4, 5])).merge(profileOf([6], 'y'));
    expect(profileToStatistics(onlyA.profile)).toEqual(profileToStatistics(direct));
    expect(onlyA.profile.feature('_c0')!.totalSum).toBe(21);

    const parts = await a.partials(ACCOUNT, REGION, 'fraud', undefined, new Date(T0), new Date(T0 + M));
    expect(parts.map((p) => [p.variant, p.writerId, p.profile.itemCount])).toEqual([['A', 'writer-a', 3], ['A', 'writer-b', 2], ['B', 'writer-a', 1]]);
    expect(await a.merged(ACCOUNT, REGION, 'other', undefined, new Date(T0), new Date(T0 + M))).toBeUndefined();
    expect(await a.merged('999999999999', REGION, 'fraud', undefined, new Date(T0), new Date(T0 + M))).toBeUndefined();
  });

  it('counts an empty marker as a profiled minute with no rows', async () => {
    const state = await open();
    const s = new SqlProfileStore(state.db, 'w');
    await s.insert([{ ...key('A'), minute: T0, profile: DatasetProfile.empty() }, { ...key('A'), minute: T0 + M, profile: profileOf([1]) }]);
    const m = (await s.merged(ACCOUNT, REGION, 'fraud', 'A', new Date(T0), new Date(T0 + 2 * M)))!;
    expect([m.profile.itemCount, m.minutes, m.missingMinutes]).toEqual([1, 2, []]);
  });

  it('deletes minutes before the retention cut and refuses unaligned minutes', async () => {
    const state = await open();
    const s = new SqlProfileStore(state.db, 'w');
    await s.insert([0, 1, 2].map((i) => ({ ...key('A'), minute: T0 + i * M, profile: profileOf([i]) })));
    expect(await s.deleteBefore(new Date(T0 + 2 * M))).toBe(2);
    const left = await s.partials(ACCOUNT, REGION, 'fraud', 'A', new Date(0), new Date(T0 + 10 * M));
    expect(left.map((p) => p.minute)).toEqual([T0 + 2 * M]);
    await expect(s.insert([{ ...key('A'), minute: T0 + 1, profile: profileOf([1]) }])).rejects.toThrow(/aligned/);
  });
});

withEachBackend((_name, open) => {
  const H = 3_600_000;
  const hour = (start: number, skip?: number) => Array.from({ length: 60 }, (_, i) => i)
    .filter((i) => i !== skip).map((i) => ({ ...key('A'), minute: start + i * M, profile: profileOf([i]) }));

  it('rolls whole profiled hours up into one row each, without changing what readers merge', async () => {
    const state = await open();
    const s = new SqlProfileStore(state.db, 'w');
    const other = new SqlProfileStore(state.db, 'w2');
    await s.insert([...hour(T0), ...hour(T0 + H, 7), ...hour(T0 + 2 * H)]);
    const before = (await s.merged(ACCOUNT, REGION, 'fraud', 'A', new Date(T0), new Date(T0 + 3 * H)))!;
    // Two replicas at once: each hour is rolled up by one of them.
    const written = await Promise.all([s.rollUp(new Date(T0 + 2 * H + 5 * M)), other.rollUp(new Date(T0 + 2 * H + 5 * M))]);
    expect(written[0] + written[1]).toBe(1); // the gappy second hour stays minutes; the third is not over yet
    const rows = await s.partials(ACCOUNT, REGION, 'fraud', 'A', new Date(T0), new Date(T0 + 3 * H));
    expect(rows.filter((r) => r.spanMinutes === 60).map((r) => [r.minute, r.profile.itemCount])).toEqual([[T0, 60]]);
    expect(rows).toHaveLength(1 + 59 + 60);
    const after = (await s.merged(ACCOUNT, REGION, 'fraud', 'A', new Date(T0), new Date(T0 + 3 * H)))!;
    expect(profileToStatistics(after.profile).features[0].numerical_statistics!.common).toEqual(profileToStatistics(before.profile).features[0].numerical_statistics!.common);
    expect(after.profile.feature('_c0')!.totalSum).toBe(before.profile.feature('_c0')!.totalSum);
    expect([after.minutes, after.missingMinutes]).toEqual([179, [T0 + H + 7 * M]]);
    // A window cutting through a rolled-up hour cannot use it: those minutes read as missing.
    const cut = (await s.merged(ACCOUNT, REGION, 'fraud', 'A', new Date(T0 + 30 * M), new Date(T0 + 2 * H)))!;
    expect(cut.missingMinutes).toHaveLength(30 + 1);
    expect(await s.rollUp(new Date(T0 + 2 * H + 5 * M))).toBe(0);
  });
});
