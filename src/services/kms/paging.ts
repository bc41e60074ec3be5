import type { Kms } from './context.js';
import { kmsErrors } from './errors.js';
import { isDeleted } from './resolve.js';
import { KMS, type KeyDoc } from './store.js';

/** KMS list calls: `Limit` (1–1000, per-operation default), opaque `Marker`/`NextMarker`, `Truncated` always present. */
export interface Page<T> {
  items: T[];
  truncated: boolean;
  nextMarker?: string;
}

export function pageFields<T>(page: Page<T>): { Truncated: boolean; NextMarker?: string } {
  return page.truncated ? { Truncated: true, NextMarker: page.nextMarker } : { Truncated: false };
}

const encodeMarker = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

function decodeMarker(marker: string): string {
  const s = Buffer.from(marker, 'base64url').toString('utf8');
  if (!s || encodeMarker(s) !== marker) throw kmsErrors.invalidMarker();
  return s;
}

/** Pages through store records of one kind, skipping documents `filter` rejects; resumes after the marker's id. */
export async function recordPage<T>(
  k: Kms, account: string, kind: string,
  opts: { idPrefix?: string; parentId?: string; filter?: (doc: T) => boolean; limit?: number; marker?: string; defaultLimit: number },
): Promise<Page<T>> {
  const max = opts.limit ?? opts.defaultLimit;
  const batch = Math.max(max + 1, 100);
  const items: { id: string; doc: T }[] = [];
  let after = opts.marker ? decodeMarker(opts.marker) : undefined;
  for (;;) {
    const rows = await k.res.list<T>(account, KMS, kind, { idPrefix: opts.idPrefix, parentId: opts.parentId, after, limit: batch });
    for (const r of rows) {
      if (opts.filter && !opts.filter(r.doc)) continue;
      if (items.length === max) return { items: items.map((x) => x.doc), truncated: true, nextMarker: encodeMarker(items[max - 1].id) };
      items.push({ id: r.id, doc: r.doc });
    }
    if (rows.length < batch) return { items: items.map((x) => x.doc), truncated: false };
    after = rows[rows.length - 1].id;
  }
}

/** Pages through a list already in memory (tags, rotations) by offset. */
export function arrayPage<T>(all: T[], limit: number | undefined, marker: string | undefined, defaultLimit: number): Page<T> {
  const max = limit ?? defaultLimit;
  const start = marker ? Number(decodeMarker(marker)) : 0;
  if (!Number.isInteger(start) || start < 0) throw kmsErrors.invalidMarker();
  const items = all.slice(start, start + max);
  const end = start + items.length;
  return end < all.length ? { items, truncated: true, nextMarker: encodeMarker(String(end)) } : { items, truncated: false };
}

/** ListKeys: the account's keys in the region, keys past their deletion date excluded. */
export function keyPage(k: Kms, account: string, region: string, limit: number | undefined, marker: string | undefined): Promise<Page<KeyDoc>> {
  const now = k.now();
  return recordPage<KeyDoc>(k, account, 'key', { idPrefix: `${region}/`, filter: (key) => !isDeleted(key, now), limit, marker, defaultLimit: 100 });
}
