import type { RequestContext } from '../../gateway/context.js';
import type { CopyObjectOutput, CopyObjectRequest } from './api.generated.js';
import type { S3 } from './context.js';
import { checkCopySourceConditions } from './conditional.js';
import { parseCopySource } from './copy-source.js';
import { handlers } from './define.js';
import { MAX_OBJECT_SIZE, s3Errors } from './errors.js';
import { openObject } from './get-object.js';
import { checkKey, parseTaggingHeader, quoteEtag } from './names.js';
import { chooseSse, sseOutput, writeBlob } from './sse.js';
import { loadBucket, loadObject, type BucketDoc, type ObjectDoc } from './store.js';
import { checkObjectTags } from './tagging.js';
import { checksumMember, commitObject, contentHeaders, storageClassOf } from './write.js';

export interface CopySourceConditions {
  CopySource: string;
  CopySourceIfMatch?: string;
  CopySourceIfNoneMatch?: string;
  CopySourceIfModifiedSince?: Date;
  CopySourceIfUnmodifiedSince?: Date;
}

/** The source object of CopyObject/UploadPartCopy, after its x-amz-copy-source-if-* conditions. */
export async function loadCopySource(k: S3, i: CopySourceConditions): Promise<{ sb: BucketDoc; so: ObjectDoc }> {
  const src = parseCopySource(i.CopySource);
  const sb = await loadBucket(k, src.bucket);
  const so = await loadObject(k, sb, src.key);
  checkCopySourceConditions({
    IfMatch: i.CopySourceIfMatch, IfNoneMatch: i.CopySourceIfNoneMatch,
    IfModifiedSince: i.CopySourceIfModifiedSince, IfUnmodifiedSince: i.CopySourceIfUnmodifiedSince,
  }, so.ETag, so.LastModified);
  return { sb, so };
}

function isNoOpSelfCopy(i: CopyObjectRequest, sb: BucketDoc, so: ObjectDoc): boolean {
  return sb.Name === i.Bucket && so.Key === i.Key && (i.MetadataDirective ?? 'COPY') === 'COPY'
    && !i.ServerSideEncryption && !i.StorageClass && !i.WebsiteRedirectLocation;
}

/**
 * CopyObject reads the source as the caller (kms:Decrypt on its key) and writes it again under the destination's
 * encryption (request headers, else the destination bucket's default), so each object is bound to its own ARN.
 */
async function copyObject(k: S3, ctx: RequestContext, i: CopyObjectRequest): Promise<CopyObjectOutput> {
  checkKey(i.Key);
  const { sb, so } = await loadCopySource(k, i);
  const b = await loadBucket(k, i.Bucket);
  if (isNoOpSelfCopy(i, sb, so)) {
    throw s3Errors.invalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  if (so.Size > MAX_OBJECT_SIZE) {
    throw s3Errors.invalidRequest(`The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_OBJECT_SIZE}`);
  }
  const replace = i.MetadataDirective === 'REPLACE';
  const tags = i.TaggingDirective === 'REPLACE' ? checkObjectTags(parseTaggingHeader(i.Tagging)) : so.Tags;
  const checksumAlgorithm = i.ChecksumAlgorithm ?? so.Checksum?.Algorithm;
  const choice = chooseSse(i, b);
  const source = await openObject(k, ctx, sb.Name, so);
  const { result, sse } = await writeBlob(k, ctx, source, { bucket: b.Name, key: i.Key, sse: choice, checksumAlgorithm, expectedSize: so.Size });
  const doc: ObjectDoc = {
    Key: i.Key, Size: result.size, ETag: quoteEtag(result.md5.toString('hex')), LastModified: k.now().toISOString(),
    Blobs: [{ BlobId: result.blobId, Size: result.size }],
    Headers: replace ? contentHeaders(i) : so.Headers, Metadata: replace ? i.Metadata ?? {} : so.Metadata,
    StorageClass: i.StorageClass ? storageClassOf(i.StorageClass) : so.StorageClass, Sse: sse,
  };
  if (checksumAlgorithm && result.checksum) doc.Checksum = { Algorithm: checksumAlgorithm, Value: result.checksum };
  if (tags?.length) doc.Tags = tags;
  await commitObject(k, b, doc);
  const out: CopyObjectOutput = {
    CopyObjectResult: { ETag: doc.ETag, LastModified: new Date(doc.LastModified), ...checksumMember(checksumAlgorithm, result.checksum) },
    ...sseOutput(sse),
  };
  if (i.SSEKMSEncryptionContext) out.SSEKMSEncryptionContext = i.SSEKMSEncryptionContext;
  return out;
}

export function copyHandlers(k: S3) {
  return handlers()({
    CopyObject: { handler: (i, ctx) => copyObject(k, ctx, i) },
  });
}
