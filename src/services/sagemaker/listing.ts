import type { EndpointStatus, OrderKey } from './api.generated.js';
import { smErrors } from './errors.js';

/**
 * ListModels / ListEndpointConfigs / ListEndpoints: AWS's filters (NameContains, creation and modification time
 * windows, StatusEquals), SortBy/SortOrder (default CreationTime, Descending), MaxResults (default 10, at most 100)
 * and NextToken. The token names the last item returned (its sort value and name), so a page resumes after it even
 * when items were created or deleted in between.
 */
export interface ListQuery {
  NameContains?: string;
  CreationTimeBefore?: Date;
  CreationTimeAfter?: Date;
  LastModifiedTimeBefore?: Date;
  LastModifiedTimeAfter?: Date;
  StatusEquals?: EndpointStatus;
  SortBy?: 'Name' | 'CreationTime' | 'Status';
  SortOrder?: OrderKey;
  MaxResults?: number;
  NextToken?: string;
}

export interface Listable<T> {
  name: string;
  creationTime: string;
  lastModifiedTime?: string;
  status?: string;
  item: T;
}

const DEFAULT_MAX_RESULTS = 10;

type SortValue = string | number;

function sortValue(x: Listable<unknown>, by: NonNullable<ListQuery['SortBy']>): SortValue {
  if (by === 'Name') return x.name.toLowerCase();
  if (by === 'Status') return x.status ?? '';
  return Date.parse(x.creationTime);
}

const cmp = (a: SortValue, b: SortValue): number => (a < b ? -1 : a > b ? 1 : 0);

interface Token { by: string; order: string; v: SortValue; n: string }

function decodeToken(token: string, by: string, order: string): Token {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Token;
    if (t.by === by && t.order === order && typeof t.n === 'string' && (typeof t.v === 'string' || typeof t.v === 'number')) return t;
  } catch {
    // falls through to the error below
  }
  throw smErrors.validation('Invalid pagination token. The token does not match the request or has been tampered with.');
}

function matches(x: Listable<unknown>, q: ListQuery): boolean {
  const created = Date.parse(x.creationTime);
  const modified = x.lastModifiedTime ? Date.parse(x.lastModifiedTime) : created;
  if (q.NameContains && !x.name.toLowerCase().includes(q.NameContains.toLowerCase())) return false;
  if (q.CreationTimeBefore && !(created < q.CreationTimeBefore.getTime())) return false;
  if (q.CreationTimeAfter && !(created > q.CreationTimeAfter.getTime())) return false;
  if (q.LastModifiedTimeBefore && !(modified < q.LastModifiedTimeBefore.getTime())) return false;
  if (q.LastModifiedTimeAfter && !(modified > q.LastModifiedTimeAfter.getTime())) return false;
  if (q.StatusEquals && x.status !== q.StatusEquals) return false;
  return true;
}

export function listPage<T>(all: Listable<T>[], q: ListQuery): { items: T[]; NextToken?: string } {
  const by = q.SortBy ?? 'CreationTime';
  const order = q.SortOrder ?? 'Descending';
  const sign = order === 'Descending' ? -1 : 1;
  const key = (x: Listable<unknown>): [SortValue, string] => [sortValue(x, by), x.name.toLowerCase()];
  // Names are unique (case-insensitively), so the name breaks every tie and the order is total.
  const compare = (a: [SortValue, string], b: [SortValue, string]): number => sign * (cmp(a[0], b[0]) || cmp(a[1], b[1]));
  let rows = all.filter((x) => matches(x, q)).sort((a, b) => compare(key(a), key(b)));
  if (q.NextToken) {
    const t = decodeToken(q.NextToken, by, order);
    rows = rows.filter((x) => compare(key(x), [t.v, t.n]) > 0);
  }
  const max = q.MaxResults ?? DEFAULT_MAX_RESULTS;
  const page = rows.slice(0, max);
  if (rows.length <= max) return { items: page.map((x) => x.item) };
  const [v, n] = key(page[page.length - 1]);
  const NextToken = Buffer.from(JSON.stringify({ by, order, v, n } satisfies Token), 'utf8').toString('base64url');
  return { items: page.map((x) => x.item), NextToken };
}
