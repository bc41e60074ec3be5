import type { ListOptions, ResourceRecord, ResourceStore } from './types.js';

/** What a listing is narrowed by; paging is this module's job. */
export type ListScope = Omit<ListOptions, 'after' | 'limit'>;

/** Rows per store query: few round trips, bounded memory per page. */
const PAGE = 500;

/**
 * Every record of a kind (optionally under one parent or id prefix), in id order, read a page at a time. The next
 * page starts after the last id seen, so a caller may delete the records it is handed.
 */
export async function* eachRecord<T>(res: ResourceStore, account: string, service: string, kind: string,
  scope: ListScope = {}): AsyncGenerator<ResourceRecord<T>> {
  let after: string | undefined;
  for (;;) {
    const page = await res.list<T>(account, service, kind, { ...scope, after, limit: PAGE });
    yield* page;
    if (page.length < PAGE) return;
    after = page[page.length - 1].id;
  }
}

/** eachRecord, collected. */
export async function listEvery<T>(res: ResourceStore, account: string, service: string, kind: string,
  scope: ListScope = {}): Promise<ResourceRecord<T>[]> {
  const out: ResourceRecord<T>[] = [];
  for await (const r of eachRecord<T>(res, account, service, kind, scope)) out.push(r);
  return out;
}
