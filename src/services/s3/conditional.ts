import { s3Errors } from './errors.js';
import { normalizeEtag } from './names.js';

export interface Conditions {
  IfMatch?: string;
  IfNoneMatch?: string;
  IfModifiedSince?: Date;
  IfUnmodifiedSince?: Date;
}

/** An ETag list header matches when it is `*` or names the object's ETag (quoted or not). */
function etagMatches(header: string, etag: string): boolean {
  const want = normalizeEtag(etag);
  return header.split(',').some((v) => v.trim() === '*' || normalizeEtag(v) === want);
}

/** HTTP dates have one-second resolution, so Last-Modified is compared at that resolution. */
const seconds = (d: Date | string): number => Math.floor(new Date(d).getTime() / 1000);

/**
 * S3's precedence (RFC 7232 §6, as the GetObject reference spells it out):
 * If-Match decides alone when present (a true If-Match overrides a false If-Unmodified-Since), else
 * If-Unmodified-Since; a failure is 412. Then If-None-Match decides alone when present (a false If-None-Match
 * with a true If-Modified-Since is still 304), else If-Modified-Since; a failure is 304 Not Modified.
 */
export function checkConditions(c: Conditions, etag: string, lastModified: string): void {
  if (c.IfMatch !== undefined) {
    if (!etagMatches(c.IfMatch, etag)) throw s3Errors.preconditionFailed('If-Match');
  } else if (c.IfUnmodifiedSince !== undefined && seconds(lastModified) > seconds(c.IfUnmodifiedSince)) {
    throw s3Errors.preconditionFailed('If-Unmodified-Since');
  }
  if (c.IfNoneMatch !== undefined) {
    if (etagMatches(c.IfNoneMatch, etag)) throw s3Errors.notModified();
  } else if (c.IfModifiedSince !== undefined && seconds(lastModified) <= seconds(c.IfModifiedSince)) {
    throw s3Errors.notModified();
  }
}

/** x-amz-copy-source-if-*: the same tests on the source, but every failure is 412 (there is no 304 for a copy). */
export function checkCopySourceConditions(c: Conditions, etag: string, lastModified: string): void {
  try {
    checkConditions(c, etag, lastModified);
  } catch (err) {
    if ((err as { code?: string }).code === 'NotModified') throw s3Errors.preconditionFailed('x-amz-copy-source-If-None-Match');
    throw err;
  }
}
