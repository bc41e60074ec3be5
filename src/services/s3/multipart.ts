import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../../gateway/context.js';
import type {
  CreateMultipartUploadOutput, CreateMultipartUploadRequest, UploadPartCopyOutput, UploadPartCopyRequest, UploadPartOutput,
} from './api.generated.js';
import { caller, type S3 } from './context.js';
import { loadCopySource } from './copy.js';
import { bodyStream, handlers, type Operations } from './define.js';
import { s3Errors } from './errors.js';
import { openObject } from './get-object.js';
import { checkKey, parseTaggingHeader, quoteEtag } from './names.js';
import { parseCopySourceRange } from './range.js';
import { chooseSse, sseOutput, writeBlob } from './sse.js';
import {
  S3_SERVICE, listParts, loadBucket, loadUpload, partId, removeBlobs, uploadRecordId, type BucketDoc, type PartDoc, type UploadDoc,
} from './store.js';
import { checkObjectTags } from './tagging.js';
import { checkSize, checksumMember, contentHeaders, parseContentMd5, requestedChecksum, storageClassOf, verifyDigests } from './write.js';
import type { VaultWriteResult } from './vault-types.js';

export const MAX_PART_NUMBER = 10000;

/** Upload ids are unguessable: they are the only thing that names an upload's parts. */
const newUploadId = (): string => randomBytes(48).toString('base64url');

async function createUpload(k: S3, ctx: RequestContext, i: CreateMultipartUploadRequest): Promise<CreateMultipartUploadOutput> {
  checkKey(i.Key);
  const b = await loadBucket(k, i.Bucket);
  const tags = checkObjectTags(parseTaggingHeader(i.Tagging));
  const choice = chooseSse(i, b);
  // The key is resolved now (CreateMultipartUpload needs kms:GenerateDataKey, as in AWS) by a zero-byte write.
  const probe = await writeBlob(k, ctx, bodyStream(undefined), { bucket: b.Name, key: i.Key, sse: choice });
  await removeBlobs(k, [probe.result.blobId]);
  const upload: UploadDoc = {
    UploadId: newUploadId(), Key: i.Key, Initiated: k.now().toISOString(), InitiatorArn: caller(ctx).arn,
    InitiatorAccount: caller(ctx).accountId, Headers: contentHeaders(i), Metadata: i.Metadata ?? {},
    StorageClass: storageClassOf(i.StorageClass), Sse: probe.sse,
  };
  if (i.ServerSideEncryption || i.SSEKMSKeyId) upload.RequestedSse = { ServerSideEncryption: i.ServerSideEncryption, SSEKMSKeyId: i.SSEKMSKeyId };
  if (i.ChecksumAlgorithm) upload.ChecksumAlgorithm = i.ChecksumAlgorithm;
  if (tags?.length) upload.Tags = tags;
  if (i.ACL) upload.Acl = i.ACL;
  await k.res.create(b.Owner, S3_SERVICE, 'upload', uploadRecordId(b.Name, upload.UploadId), upload);
  const out: CreateMultipartUploadOutput = { Bucket: b.Name, Key: i.Key, UploadId: upload.UploadId, ...sseOutput(probe.sse) };
  if (i.ChecksumAlgorithm) out.ChecksumAlgorithm = i.ChecksumAlgorithm;
  if (i.SSEKMSEncryptionContext) out.SSEKMSEncryptionContext = i.SSEKMSEncryptionContext;
  return out;
}

export function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER) {
    throw s3Errors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', String(n));
  }
}

/**
 * Records a written part (replacing an earlier upload of the same number). The upload must still exist when the
 * part commits; if it was aborted or completed meanwhile the new blob is removed and the caller gets NoSuchUpload.
 */
async function commitPart(k: S3, b: BucketDoc, key: string, uploadId: string, n: number, result: VaultWriteResult, checksum?: string): Promise<PartDoc> {
  const part: PartDoc = { PartNumber: n, ETag: quoteEtag(result.md5.toString('hex')), Size: result.size, BlobId: result.blobId, LastModified: k.now().toISOString() };
  if (checksum) part.Checksum = checksum;
  let replaced: PartDoc | undefined;
  try {
    await k.tx(async () => {
      await loadUpload(k, b, key, uploadId);
      const id = partId(b.Name, uploadId, n);
      replaced = (await k.res.get<PartDoc>(b.Owner, S3_SERVICE, 'part', id))?.doc;
      if (replaced) await k.res.update(b.Owner, S3_SERVICE, 'part', id, part);
      else await k.res.create(b.Owner, S3_SERVICE, 'part', id, part, uploadRecordId(b.Name, uploadId));
    });
  } catch (err) {
    await removeBlobs(k, [result.blobId]);
    throw err;
  }
  const old = replaced as PartDoc | undefined;
  if (old) await removeBlobs(k, [old.BlobId]);
  return part;
}

async function uploadPart(k: S3, ctx: RequestContext, i: Operations['UploadPart']['input']): Promise<UploadPartOutput> {
  checkPartNumber(i.PartNumber);
  checkSize(i.ContentLength);
  const b = await loadBucket(k, i.Bucket);
  const upload = await loadUpload(k, b, i.Key, i.UploadId);
  const md5 = parseContentMd5(i.ContentMD5);
  const checksum = requestedChecksum({ ChecksumAlgorithm: upload.ChecksumAlgorithm, ...i });
  const { result } = await writeBlob(k, ctx, bodyStream(i.Body), {
    bucket: b.Name, key: i.Key, sse: upload.Sse, checksumAlgorithm: checksum.algorithm, expectedSize: i.ContentLength,
  });
  await verifyDigests(k, result, md5, i.ContentMD5, checksum);
  const part = await commitPart(k, b, i.Key, i.UploadId, i.PartNumber, result, result.checksum);
  return { ETag: part.ETag, ...sseOutput(upload.Sse), ...checksumMember(checksum.algorithm, result.checksum) };
}

/** UploadPartCopy: a range of an existing object (read as the caller) becomes a part, under the upload's encryption. */
async function uploadPartCopy(k: S3, ctx: RequestContext, i: UploadPartCopyRequest): Promise<UploadPartCopyOutput> {
  checkPartNumber(i.PartNumber);
  const { sb, so } = await loadCopySource(k, i);
  const b = await loadBucket(k, i.Bucket);
  const upload = await loadUpload(k, b, i.Key, i.UploadId);
  const range = parseCopySourceRange(i.CopySourceRange, so.Size);
  const size = range ? range.end - range.start + 1 : so.Size;
  checkSize(size);
  const source = await openObject(k, ctx, sb.Name, so, range);
  const { result } = await writeBlob(k, ctx, source, { bucket: b.Name, key: i.Key, sse: upload.Sse, expectedSize: size });
  const part = await commitPart(k, b, i.Key, i.UploadId, i.PartNumber, result);
  return { CopyPartResult: { ETag: part.ETag, LastModified: new Date(part.LastModified) }, ...sseOutput(upload.Sse) };
}

/** Removes an upload's records in one transaction, then its blobs (except those `keep` still names). */
export async function dropUpload(k: S3, b: BucketDoc, key: string, uploadId: string, keep: Set<string> = new Set(),
  inTx: () => Promise<void> = async () => {}): Promise<void> {
  let parts: PartDoc[] = [];
  await k.tx(async () => {
    await loadUpload(k, b, key, uploadId);
    parts = await listParts(k, b, uploadId);
    for (const p of parts) await k.res.delete(b.Owner, S3_SERVICE, 'part', partId(b.Name, uploadId, p.PartNumber));
    await k.res.delete(b.Owner, S3_SERVICE, 'upload', uploadRecordId(b.Name, uploadId));
    await inTx();
  });
  await removeBlobs(k, parts.map((p) => p.BlobId).filter((id) => !keep.has(id)));
}

export function multipartHandlers(k: S3) {
  return handlers()({
    CreateMultipartUpload: { handler: (i, ctx) => createUpload(k, ctx, i) },
    UploadPart: { handler: (i, ctx) => uploadPart(k, ctx, i) },
    UploadPartCopy: { handler: (i, ctx) => uploadPartCopy(k, ctx, i) },
    AbortMultipartUpload: {
      handler: async (i) => {
        await dropUpload(k, await loadBucket(k, i.Bucket), i.Key, i.UploadId);
        return {};
      },
    },
  });
}
