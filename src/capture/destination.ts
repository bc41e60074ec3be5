/** Where one endpoint's capture files go: the bucket and key prefix of DataCaptureConfig.DestinationS3Uri. */
export interface CaptureDestination {
  bucket: string;
  /** Key prefix without leading or trailing slash; '' for the bucket root. */
  prefix: string;
}

/**
 * DestinationS3Uri is `s3://bucket/prefix` or (the API's pattern allows it) an https S3 URL, virtual-hosted
 * (`https://bucket.s3.region.amazonaws.com/prefix`) or path-style (`https://s3.region.amazonaws.com/bucket/prefix`).
 * Returns undefined for anything else.
 */
export function parseDestination(uri: string): CaptureDestination | undefined {
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (s3) return { bucket: s3[1], prefix: trimSlashes(s3[2]) };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  const path = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  const hosted = /^(.+)\.s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.exec(url.hostname);
  if (hosted) return { bucket: hosted[1], prefix: trimSlashes(path) };
  if (/^s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.test(url.hostname)) {
    const slash = path.indexOf('/');
    const bucket = slash < 0 ? path : path.slice(0, slash);
    return bucket ? { bucket, prefix: trimSlashes(slash < 0 ? '' : path.slice(slash + 1)) } : undefined;
  }
  return undefined;
}

function trimSlashes(s: string): string {
  return s.replace(/^\/+|\/+$/g, '');
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * `{prefix}/{endpoint}/{variant}/yyyy/mm/dd/hh/{MM}-{SS}-{mmm}-{uuid}.jsonl` (spec §1.2): the hour folder of the
 * file's first record (UTC), the file named by that record's minute, second and millisecond plus a UUID.
 */
export function captureObjectKey(prefix: string, endpoint: string, variant: string, first: Date, uuid: string): string {
  const folder = `${first.getUTCFullYear()}/${pad(first.getUTCMonth() + 1)}/${pad(first.getUTCDate())}/${pad(first.getUTCHours())}`;
  const file = `${pad(first.getUTCMinutes())}-${pad(first.getUTCSeconds())}-${pad(first.getUTCMilliseconds(), 3)}-${uuid}.jsonl`;
  return `${prefix ? `${prefix}/` : ''}${endpoint}/${variant}/${folder}/${file}`;
}
