import { Readable } from 'node:stream';
import type { RequestContext } from '../../gateway/context.js';
import type { GetObjectRequest, HeadObjectOutput } from './api.generated.js';
import type { S3 } from './context.js';
import { checkConditions } from './conditional.js';
import { handlers, type Operations } from './define.js';
import { s3Errors } from './errors.js';
import { checkKey } from './names.js';
import { parseRange, type ByteRange } from './range.js';
import { readBlob, sseOutput } from './sse.js';
import { loadBucket, loadObject, type BucketDoc, type ObjectDoc } from './store.js';
import { checksumMember } from './write.js';

type GetObjectOutput = Operations['GetObject']['output'];

/** The blobs (and the range within each) that hold bytes start..end of the object. */
function segments(o: ObjectDoc, range: ByteRange): { blobId: string; range?: ByteRange }[] {
  const out: { blobId: string; range?: ByteRange }[] = [];
  let offset = 0;
  for (const blob of o.Blobs) {
    const first = Math.max(range.start, offset);
    const last = Math.min(range.end, offset + blob.Size - 1);
    if (first <= last) {
      const whole = first === offset && last === offset + blob.Size - 1;
      out.push({ blobId: blob.BlobId, range: whole ? undefined : { start: first - offset, end: last - offset } });
    }
    offset += blob.Size;
  }
  return out;
}

/**
 * A stream of the object's plaintext (or a range of it), across the parts of a multipart object. The first
 * blob is opened before returning, so a KMS refusal is an error response rather than a broken stream; the
 * others open as the reader reaches them, keeping memory bounded.
 */
export async function openObject(k: S3, ctx: RequestContext, bucket: string, o: ObjectDoc, range?: ByteRange): Promise<Readable> {
  const parts = o.Size === 0 ? [] : segments(o, range ?? { start: 0, end: o.Size - 1 });
  if (parts.length === 0) return Readable.from([], { objectMode: false });
  const where = { bucket, key: o.Key, sse: o.Sse };
  const first = await readBlob(k, ctx, parts[0].blobId, where, parts[0].range);
  async function* all(): AsyncGenerator<Buffer> {
    yield* first;
    for (const p of parts.slice(1)) yield* await readBlob(k, ctx, p.blobId, where, p.range);
  }
  return Readable.from(all(), { objectMode: false });
}

interface Selected {
  o: ObjectDoc;
  range?: ByteRange;
}

/** Loads the object, checks the conditions (before the range: 412/304 win over 416), picks the bytes to send. */
async function select(k: S3, i: GetObjectRequest): Promise<{ b: BucketDoc } & Selected> {
  checkKey(i.Key);
  const b = await loadBucket(k, i.Bucket);
  const o = await loadObject(k, b, i.Key);
  checkConditions(i, o.ETag, o.LastModified);
  if (i.VersionId !== undefined && i.VersionId !== 'null') throw s3Errors.invalidArgument('Invalid version id specified', 'versionId', i.VersionId);
  if (i.SSECustomerAlgorithm) throw s3Errors.invalidRequest('The encryption parameters are not applicable to this object.');
  if (i.PartNumber !== undefined) {
    if (i.Range !== undefined) throw s3Errors.invalidRequest('Cannot specify both Range header and partNumber query parameter');
    const count = o.PartsCount ?? 1;
    if (i.PartNumber < 1 || i.PartNumber > count) throw s3Errors.invalidPartNumber(i.PartNumber, count);
    return { b, o, range: o.Size === 0 ? undefined : partRange(o, i.PartNumber) };
  }
  return { b, o, range: parseRange(i.Range, o.Size) };
}

/** The byte range of part `n` (1-based) of a multipart object; a simple object is its own part 1. */
function partRange(o: ObjectDoc, n: number): ByteRange {
  if (!o.PartsCount) return { start: 0, end: o.Size - 1 };
  let start = 0;
  for (let p = 1; p < n; p++) start += o.Blobs[p - 1].Size;
  return { start, end: start + o.Blobs[n - 1].Size - 1 };
}

/** What GET and HEAD answer besides the body, with the response-* overrides of a GET. */
function describe(i: GetObjectRequest, s: Selected): HeadObjectOutput & { TagCount?: number } {
  const { o, range } = s;
  const h = o.Headers;
  const out: HeadObjectOutput & { ContentRange?: string; TagCount?: number } = {
    AcceptRanges: 'bytes', LastModified: new Date(o.LastModified), ETag: o.ETag,
    ContentLength: range ? range.end - range.start + 1 : o.Size,
    ContentType: i.ResponseContentType ?? h.ContentType ?? 'binary/octet-stream',
    Metadata: o.Metadata, ...sseOutput(o.Sse),
  };
  const cacheControl = i.ResponseCacheControl ?? h.CacheControl;
  const disposition = i.ResponseContentDisposition ?? h.ContentDisposition;
  const encoding = i.ResponseContentEncoding ?? h.ContentEncoding;
  const language = i.ResponseContentLanguage ?? h.ContentLanguage;
  const expires = i.ResponseExpires ?? (h.Expires ? new Date(h.Expires) : undefined);
  if (cacheControl !== undefined) out.CacheControl = cacheControl;
  if (disposition !== undefined) out.ContentDisposition = disposition;
  if (encoding !== undefined) out.ContentEncoding = encoding;
  if (language !== undefined) out.ContentLanguage = language;
  if (expires !== undefined) out.Expires = new Date(expires);
  if (h.WebsiteRedirectLocation !== undefined) out.WebsiteRedirectLocation = h.WebsiteRedirectLocation;
  if (o.StorageClass !== 'STANDARD') out.StorageClass = o.StorageClass;
  if (range) out.ContentRange = `bytes ${range.start}-${range.end}/${o.Size}`;
  if (i.PartNumber !== undefined && o.PartsCount) out.PartsCount = o.PartsCount;
  if (i.ChecksumMode === 'ENABLED' && !range && o.Checksum) Object.assign(out, checksumMember(o.Checksum.Algorithm, o.Checksum.Value));
  if (o.Tags?.length) out.TagCount = o.Tags.length;
  return out;
}

export function getObjectHandlers(k: S3) {
  return handlers()({
    GetObject: {
      readOnly: true,
      handler: async (i, ctx): Promise<GetObjectOutput> => {
        const s = await select(k, i);
        const Body = await openObject(k, ctx, s.b.Name, s.o, s.range);
        return { ...describe(i, s), Body };
      },
    },
    HeadObject: {
      readOnly: true,
      handler: async (i) => {
        const { TagCount: _tags, ...head } = describe(i, await select(k, i));
        return head;
      },
    },
  });
}
