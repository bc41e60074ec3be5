import type { ResourceRecord } from '../../state/types.js';
import { prefixSuccessor } from '../../state/resources.js';
import type { ListObjectsOutput, ListObjectsRequest, ListObjectsV2Output, ListObjectsV2Request, Object as S3Object } from './api.generated.js';
import { ownerOf, type S3 } from './context.js';
import { handlers } from './define.js';
import { s3Errors } from './errors.js';
import { compareKeys } from './names.js';
import { S3_SERVICE, loadBucket, objectId, type BucketDoc, type ObjectDoc } from './store.js';

export const MAX_KEYS = 1000;
const PAGE = 1000;

export interface ListQuery {
  prefix: string;
  delimiter?: string;
  /** Entries (keys or common prefixes) at or before this string are skipped. */
  after?: string;
  maxKeys: number;
}

export interface ListResult {
  contents: ObjectDoc[];
  prefixes: string[];
  truncated: boolean;
  /** The last entry returned (key or common prefix): where the next page resumes. */
  last?: string;
}

/**
 * Walks the bucket's keys in UTF-8 order (the store's id order), rolling keys up into common prefixes. After a
 * common prefix the scan jumps past every key under it (one range query), so a "directory" of a million keys
 * costs one row, not a million. An entry is returned only if it sorts after `after`, which makes continuation
 * tokens, StartAfter and v1 markers (which may name a common prefix) all work the same way.
 */
export async function scanObjects(k: S3, b: BucketDoc, q: ListQuery): Promise<ListResult> {
  const out: ListResult = { contents: [], prefixes: [], truncated: false };
  if (q.maxKeys === 0) return out;
  const idPrefix = objectId(b.Name, q.prefix);
  let from = q.after !== undefined && compareKeys(q.after, q.prefix) > 0 ? { id: objectId(b.Name, q.after), inclusive: false } : undefined;
  const emit = (entry: string, add: () => void): boolean => {
    if (out.contents.length + out.prefixes.length === q.maxKeys) {
      out.truncated = true;
      return false;
    }
    add();
    out.last = entry;
    return true;
  };
  for (;;) {
    const page = await fetchFrom(k, b, idPrefix, from);
    if (page.length === 0) return out;
    let jumped = false;
    for (const rec of page) {
      const key = rec.doc.Key;
      const cp = commonPrefix(key, q.prefix, q.delimiter);
      if (cp === undefined) {
        if ((q.after === undefined || compareKeys(key, q.after) > 0) && !emit(key, () => out.contents.push(rec.doc))) return out;
        from = { id: rec.id, inclusive: false };
        continue;
      }
      if ((q.after === undefined || compareKeys(cp, q.after) > 0) && !emit(cp, () => out.prefixes.push(cp))) return out;
      const next = prefixSuccessor(objectId(b.Name, cp));
      if (next === undefined) return out;
      from = { id: next, inclusive: true };
      jumped = true;
      break;
    }
    if (!jumped && page.length < PAGE) return out;
  }
}

function commonPrefix(key: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (!delimiter) return undefined;
  const i = key.indexOf(delimiter, prefix.length);
  return i < 0 ? undefined : key.slice(0, i + delimiter.length);
}

/** One page of object records under `idPrefix`, from an exclusive or inclusive start id. */
async function fetchFrom(k: S3, b: BucketDoc, idPrefix: string, from: { id: string; inclusive: boolean } | undefined): Promise<ResourceRecord<ObjectDoc>[]> {
  const opts = { idPrefix, after: from?.id, limit: PAGE };
  const page = await k.res.list<ObjectDoc>(b.Owner, S3_SERVICE, 'object', opts);
  if (!from?.inclusive || !from.id.startsWith(idPrefix)) return page;
  const exact = await k.res.get<ObjectDoc>(b.Owner, S3_SERVICE, 'object', from.id);
  return exact ? [exact, ...page] : page;
}

/** encoding-type=url: S3 percent-encodes names in the response (and leaves `/` alone). */
export function urlEncode(s: string): string {
  return encodeURIComponent(s).replace(/%2F/g, '/').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function maxKeys(v: number | undefined): number {
  if (v === undefined) return MAX_KEYS;
  if (!Number.isInteger(v) || v < 0) throw s3Errors.invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', String(v));
  return Math.min(v, MAX_KEYS);
}

function entries(r: ListResult, encode: (s: string) => string, owner: boolean, account: string): { Contents?: S3Object[]; CommonPrefixes?: { Prefix: string }[] } {
  const out: { Contents?: S3Object[]; CommonPrefixes?: { Prefix: string }[] } = {};
  if (r.contents.length) {
    out.Contents = r.contents.map((o) => {
      const item: S3Object = { Key: encode(o.Key), LastModified: new Date(o.LastModified), ETag: o.ETag, Size: o.Size, StorageClass: o.StorageClass as S3Object['StorageClass'] };
      if (o.Checksum) item.ChecksumAlgorithm = [o.Checksum.Algorithm];
      if (owner) item.Owner = ownerOf(account);
      return item;
    });
  }
  if (r.prefixes.length) out.CommonPrefixes = r.prefixes.map((p) => ({ Prefix: encode(p) }));
  return out;
}

const TOKEN_TAG = 'vigil-s3-list:';

/** Continuation tokens are opaque to clients: the resume position, tagged and base64-encoded. */
export function encodeToken(last: string): string {
  return Buffer.from(TOKEN_TAG + last, 'utf8').toString('base64');
}

export function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64').toString('utf8');
  if (!text.startsWith(TOKEN_TAG)) throw s3Errors.invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  return text.slice(TOKEN_TAG.length);
}

async function listV2(k: S3, i: ListObjectsV2Request): Promise<ListObjectsV2Output> {
  const b = await loadBucket(k, i.Bucket);
  const max = maxKeys(i.MaxKeys);
  const after = i.ContinuationToken !== undefined ? decodeToken(i.ContinuationToken) : i.StartAfter || undefined;
  const r = await scanObjects(k, b, { prefix: i.Prefix ?? '', delimiter: i.Delimiter || undefined, after, maxKeys: max });
  const enc = i.EncodingType === 'url' ? urlEncode : (s: string) => s;
  const out: ListObjectsV2Output = {
    IsTruncated: r.truncated, Name: b.Name, Prefix: enc(i.Prefix ?? ''), MaxKeys: max,
    KeyCount: r.contents.length + r.prefixes.length, ...entries(r, enc, i.FetchOwner === true, b.Owner),
  };
  if (i.Delimiter) out.Delimiter = enc(i.Delimiter);
  if (i.EncodingType) out.EncodingType = i.EncodingType;
  if (i.ContinuationToken !== undefined) out.ContinuationToken = i.ContinuationToken;
  if (i.StartAfter) out.StartAfter = enc(i.StartAfter);
  if (r.truncated && r.last !== undefined) out.NextContinuationToken = encodeToken(r.last);
  return out;
}

/** v1: Marker in, NextMarker out only when a delimiter was given (clients use the last key otherwise), as in S3. */
async function listV1(k: S3, i: ListObjectsRequest): Promise<ListObjectsOutput> {
  const b = await loadBucket(k, i.Bucket);
  const max = maxKeys(i.MaxKeys);
  const r = await scanObjects(k, b, { prefix: i.Prefix ?? '', delimiter: i.Delimiter || undefined, after: i.Marker || undefined, maxKeys: max });
  const enc = i.EncodingType === 'url' ? urlEncode : (s: string) => s;
  const out: ListObjectsOutput = {
    IsTruncated: r.truncated, Marker: enc(i.Marker ?? ''), Name: b.Name, Prefix: enc(i.Prefix ?? ''), MaxKeys: max,
    ...entries(r, enc, true, b.Owner),
  };
  if (i.Delimiter) out.Delimiter = enc(i.Delimiter);
  if (i.EncodingType) out.EncodingType = i.EncodingType;
  if (r.truncated && i.Delimiter && r.last !== undefined) out.NextMarker = enc(r.last);
  return out;
}

export function listingHandlers(k: S3) {
  return handlers()({
    ListObjectsV2: { readOnly: true, handler: (i) => listV2(k, i) },
    ListObjects: { readOnly: true, handler: (i) => listV1(k, i) },
  });
}
