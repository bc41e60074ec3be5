import type { RequestContext } from '../../gateway/context.js';
import type { CompleteMultipartUploadOutput, CompleteMultipartUploadRequest, CompletedPart } from './api.generated.js';
import type { S3 } from './context.js';
import { handlers } from './define.js';
import { MIN_PART_SIZE, s3Errors } from './errors.js';
import { dropUpload } from './multipart.js';
import { checkKey, normalizeEtag } from './names.js';
import { sseOutput } from './sse.js';
import { S3_SERVICE, listParts, loadBucket, loadUpload, objectId, removeBlobs, type BucketDoc, type ObjectDoc, type PartDoc, type UploadDoc } from './store.js';
import { multipartEtag } from './write.js';

/**
 * The parts the client listed, checked as S3 checks them: strictly ascending numbers (InvalidPartOrder), each
 * uploaded with that ETag (InvalidPart), each but the last at least 5 MiB (EntityTooSmall).
 */
function chosenParts(uploadId: string, listed: CompletedPart[], uploaded: PartDoc[]): PartDoc[] {
  const byNumber = new Map(uploaded.map((p) => [p.PartNumber, p]));
  const chosen: PartDoc[] = [];
  let previous = 0;
  for (const l of listed) {
    const n = l.PartNumber ?? 0;
    if (n <= previous) throw s3Errors.invalidPartOrder(uploadId);
    previous = n;
    const part = byNumber.get(n);
    if (!part || l.ETag === undefined || normalizeEtag(l.ETag) !== normalizeEtag(part.ETag)) throw s3Errors.invalidPart(uploadId, n, l.ETag);
    chosen.push(part);
  }
  chosen.slice(0, -1).forEach((p) => {
    if (p.Size < MIN_PART_SIZE) throw s3Errors.entityTooSmall(p.Size, p.PartNumber, p.ETag);
  });
  return chosen;
}

function objectOf(k: S3, upload: UploadDoc, parts: PartDoc[]): ObjectDoc {
  const doc: ObjectDoc = {
    Key: upload.Key, Size: parts.reduce((n, p) => n + p.Size, 0), ETag: multipartEtag(parts.map((p) => normalizeEtag(p.ETag))),
    LastModified: k.now().toISOString(), Blobs: parts.map((p) => ({ BlobId: p.BlobId, Size: p.Size })), PartsCount: parts.length,
    Headers: upload.Headers, Metadata: upload.Metadata, StorageClass: upload.StorageClass, Sse: upload.Sse,
  };
  if (upload.Tags?.length) doc.Tags = upload.Tags;
  if (upload.Acl) doc.Acl = upload.Acl;
  return doc;
}

/**
 * The object is made of the parts' blobs as they are (no copy). One transaction replaces the object and removes
 * the upload; afterwards the blobs of unlisted parts and of the replaced object are deleted.
 */
async function complete(k: S3, ctx: RequestContext, i: CompleteMultipartUploadRequest): Promise<CompleteMultipartUploadOutput> {
  checkKey(i.Key);
  const listed = i.MultipartUpload?.Parts;
  if (!listed) throw s3Errors.malformedXml();
  if (listed.length === 0) throw s3Errors.invalidRequest('You must specify at least one part');
  const b: BucketDoc = await loadBucket(k, i.Bucket);
  const upload = await loadUpload(k, b, i.Key, i.UploadId);
  const doc = objectOf(k, upload, chosenParts(i.UploadId, listed, await listParts(k, b, i.UploadId)));
  const keep = new Set(doc.Blobs.map((x) => x.BlobId));
  let replaced: ObjectDoc | undefined;
  await dropUpload(k, b, i.Key, i.UploadId, keep, async () => {
    const id = objectId(b.Name, i.Key);
    replaced = (await k.res.get<ObjectDoc>(b.Owner, S3_SERVICE, 'object', id))?.doc;
    if (replaced) await k.res.update(b.Owner, S3_SERVICE, 'object', id, doc);
    else await k.res.create(b.Owner, S3_SERVICE, 'object', id, doc);
  });
  const old = replaced as ObjectDoc | undefined;
  if (old) await removeBlobs(k, old.Blobs.map((x) => x.BlobId).filter((id) => !keep.has(id)));
  const host = ctx.request.headers.host ?? 's3.amazonaws.com';
  const scheme = ctx.listener.secure ? 'https' : 'http';
  return {
    Location: `${scheme}://${host}/${b.Name}/${encodeURIComponent(i.Key).replace(/%2F/g, '/')}`,
    Bucket: b.Name, Key: i.Key, ETag: doc.ETag, ...sseOutput(doc.Sse),
  };
}

export function completeHandlers(k: S3) {
  return handlers()({
    CompleteMultipartUpload: { handler: (i, ctx) => complete(k, ctx, i) },
  });
}
