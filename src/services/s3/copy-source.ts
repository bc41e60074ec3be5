import { s3Errors } from './errors.js';

export interface CopySource {
  bucket: string;
  key: string;
}

/**
 * `x-amz-copy-source`: `bucket/key` or `/bucket/key`, URL-encoded, optionally `?versionId=…`. Vigil's buckets
 * are unversioned, so the only version that exists is `null`. Access point ARNs are not supported.
 */
export function parseCopySource(header: string): CopySource {
  const [path, query] = splitOnce(header, '?');
  if (query !== undefined) {
    const versionId = new URLSearchParams(query).get('versionId');
    if (versionId !== null && versionId !== 'null') throw s3Errors.invalidArgument('Invalid version id specified', 'x-amz-copy-source', header);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw s3Errors.invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', header);
  }
  if (decoded.startsWith('/')) decoded = decoded.slice(1);
  if (decoded.startsWith('arn:')) throw s3Errors.notImplemented('Copying from an access point');
  const [bucket, key] = splitOnce(decoded, '/');
  if (!bucket || !key) throw s3Errors.invalidArgument('Invalid copy source object key', 'x-amz-copy-source', header);
  return { bucket, key };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}
