import type { ResourceStore } from '../../state/types.js';
import { iamErrors } from './errors.js';
import { IAM } from './store.js';

/** IAM's default page size when MaxItems is not given. */
export const DEFAULT_MAX_ITEMS = 100;

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

/** Markers are opaque to clients; we encode the last id returned (or an offset) so the next page resumes after it. */
const encodeMarker = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

function decodeMarker(marker: string): string {
  const s = Buffer.from(marker, 'base64url').toString('utf8');
  if (!s || encodeMarker(s) !== marker) throw iamErrors.invalidInput('Invalid Marker.');
  return s;
}

/** What IAM list calls return besides the items: IsTruncated always, Marker only when truncated. */
export function pageFields<T>(page: Page<T>): { IsTruncated: boolean; Marker?: string } {
  return page.IsTruncated ? { IsTruncated: true, Marker: page.Marker } : { IsTruncated: false };
}

/**
 * Pages through a store listing, keeping only documents that pass `filter` (IAM's PathPrefix lives in the
 * document, so it cannot be pushed into the store). Reads in batches until the page is full.
 */
export async function pageRecords<T>(
  res: ResourceStore,
  account: string,
  kind: string,
  opts: { parentId?: string; idPrefix?: string; filter?: (doc: T) => boolean; marker?: string; maxItems?: number },
): Promise<Page<{ id: string; doc: T }>> {
  const max = opts.maxItems ?? DEFAULT_MAX_ITEMS;
  const batch = Math.max(max + 1, 100);
  const items: { id: string; doc: T }[] = [];
  let after = opts.marker ? decodeMarker(opts.marker) : undefined;
  for (;;) {
    const rows = await res.list<T>(account, IAM, kind, { parentId: opts.parentId, idPrefix: opts.idPrefix, after, limit: batch });
    for (const r of rows) {
      if (opts.filter && !opts.filter(r.doc)) continue;
      if (items.length === max) return { items, IsTruncated: true, Marker: encodeMarker(items[max - 1].id) };
      items.push({ id: r.id, doc: r.doc });
    }
    if (rows.length < batch) return { items, IsTruncated: false };
    after = rows[rows.length - 1].id;
  }
}

/** Pages through a list already in memory (tags, merged AWS + local policies…) by offset. */
export function pageArray<T>(all: T[], marker?: string, maxItems?: number): Page<T> {
  const max = maxItems ?? DEFAULT_MAX_ITEMS;
  const start = marker ? Number(decodeMarker(marker)) : 0;
  if (!Number.isInteger(start) || start < 0) throw iamErrors.invalidInput('Invalid Marker.');
  const items = all.slice(start, start + max);
  const end = start + items.length;
  return end < all.length ? { items, IsTruncated: true, Marker: encodeMarker(String(end)) } : { items, IsTruncated: false };
}

/** IAM's PathPrefix filter: the entity's path starts with the prefix. */
export function pathFilter<T extends { Path: string }>(prefix: string | undefined): ((doc: T) => boolean) | undefined {
  return prefix ? (doc) => doc.Path.startsWith(prefix) : undefined;
}
