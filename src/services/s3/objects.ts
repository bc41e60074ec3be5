import type { RequestContext } from '../../gateway/context.js';
import { ServiceError } from '../../protocol/errors.js';
import type { DeleteObjectsRequest, DeletedObject, Error as S3Error, PutObjectOutput } from './api.generated.js';
import { bucketRequirement, authorizeAlso } from './authz.js';
import type { S3 } from './context.js';
import { bodyStream, handlers, type Operations } from './define.js';
import { s3Errors } from './errors.js';
import { checkKey, objectArn, parseTaggingHeader, quoteEtag } from './names.js';
import { chooseSse, sseOutput, writeBlob } from './sse.js';
import { S3_SERVICE, loadBucket, objectId, removeBlobs, type BucketDoc, type ObjectDoc } from './store.js';
import { checkObjectTags } from './tagging.js';
import {
  checkSize, checksumMember, commitObject, contentHeaders, parseContentMd5, requestedChecksum, storageClassOf, verifyDigests,
} from './write.js';

type PutObjectInput = Operations['PutObject']['input'];

async function putObject(k: S3, ctx: RequestContext, i: PutObjectInput): Promise<PutObjectOutput> {
  checkKey(i.Key);
  checkSize(i.ContentLength);
  const b = await loadBucket(k, i.Bucket);
  const md5 = parseContentMd5(i.ContentMD5);
  const checksum = requestedChecksum(i);
  const tags = checkObjectTags(parseTaggingHeader(i.Tagging));
  const storageClass = storageClassOf(i.StorageClass);
  const choice = chooseSse(i, b);
  const { result, sse } = await writeBlob(k, ctx, bodyStream(i.Body), {
    bucket: b.Name, key: i.Key, sse: choice, checksumAlgorithm: checksum.algorithm, expectedSize: i.ContentLength,
  });
  await verifyDigests(k, result, md5, i.ContentMD5, checksum);
  const doc: ObjectDoc = {
    Key: i.Key, Size: result.size, ETag: quoteEtag(result.md5.toString('hex')), LastModified: k.now().toISOString(),
    Blobs: [{ BlobId: result.blobId, Size: result.size }], Headers: contentHeaders(i), Metadata: i.Metadata ?? {},
    StorageClass: storageClass, Sse: sse,
  };
  if (checksum.algorithm && result.checksum) doc.Checksum = { Algorithm: checksum.algorithm, Value: result.checksum };
  if (tags) doc.Tags = tags;
  if (i.ACL) doc.Acl = i.ACL;
  await commitObject(k, b, doc);
  const out: PutObjectOutput = { ETag: doc.ETag, ...sseOutput(sse), ...checksumMember(checksum.algorithm, result.checksum) };
  if (i.SSEKMSEncryptionContext) out.SSEKMSEncryptionContext = i.SSEKMSEncryptionContext;
  return out;
}

/** Deleting a key that does not exist succeeds (204), as in S3. Blobs go after the metadata. */
export async function deleteObject(k: S3, b: BucketDoc, key: string): Promise<void> {
  let old: ObjectDoc | undefined;
  await k.tx(async () => {
    const id = objectId(b.Name, key);
    old = (await k.res.get<ObjectDoc>(b.Owner, S3_SERVICE, 'object', id))?.doc;
    if (old) await k.res.delete(b.Owner, S3_SERVICE, 'object', id);
  });
  const removed = old as ObjectDoc | undefined;
  if (removed) await removeBlobs(k, removed.Blobs.map((x) => x.BlobId));
}

const MAX_DELETE_KEYS = 1000;

/** Each key is authorized on its own (s3:DeleteObject); failures are reported per key, as S3 does. */
async function deleteObjects(k: S3, ctx: RequestContext, i: DeleteObjectsRequest): Promise<{ Deleted?: DeletedObject[]; Errors?: S3Error[] }> {
  const objects = i.Delete?.Objects ?? [];
  if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) throw s3Errors.malformedXml();
  const b = await loadBucket(k, i.Bucket);
  const deleted: DeletedObject[] = [];
  const errors: S3Error[] = [];
  for (const { Key, VersionId } of objects) {
    try {
      checkKey(Key);
      if (VersionId !== undefined && VersionId !== 'null') throw s3Errors.invalidArgument('Invalid version id specified', 'versionId', VersionId);
      authorizeAlso(k, ctx, bucketRequirement(ctx, b, 's3:DeleteObject', objectArn(b.Name, Key)));
      await deleteObject(k, b, Key);
      deleted.push(VersionId === undefined ? { Key } : { Key, VersionId });
    } catch (err) {
      if (!(err instanceof ServiceError) || err.fault === 'server') throw err;
      errors.push({ Key, Code: err.code, Message: err.message });
    }
  }
  const out: { Deleted?: DeletedObject[]; Errors?: S3Error[] } = {};
  if (!i.Delete.Quiet && deleted.length) out.Deleted = deleted;
  if (errors.length) out.Errors = errors;
  return out;
}

export function objectHandlers(k: S3) {
  return handlers()({
    PutObject: { handler: (i, ctx) => putObject(k, ctx, i) },
    DeleteObject: {
      handler: async (i) => {
        checkKey(i.Key);
        await deleteObject(k, await loadBucket(k, i.Bucket), i.Key);
        return {};
      },
    },
    DeleteObjects: { handler: (i, ctx) => deleteObjects(k, ctx, i) },
  });
}
