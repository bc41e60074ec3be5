import type {
  ChecksumAlgorithm, PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionConfiguration, StorageClass, Tag,
} from './api.generated.js';
import type { S3 } from './context.js';
import { s3Errors } from './errors.js';
import { listEvery } from '../../state/list-every.js';

/**
 * S3's data layout on the ResourceStore (service `s3`):
 *
 *   bucket  owner REGISTRY, id `<bucket>`, parent = owning account   bucket names are global across accounts, so
 *           one registry row per name makes creation race-free (the store's primary key) and lookups one read;
 *           the parent column lists an account's buckets (ListBuckets)
 *   object  owner = bucket owner, id `<bucket>/<key>`              ids sort in UTF-8 byte order (the store's
 *           order), which is S3's listing order, so ListObjects is a prefix range scan
 *   upload  owner = bucket owner, id `<bucket>/<upload id>`        an in-progress multipart upload
 *   part    owner = bucket owner, id `<bucket>/<upload id>/<nnnnn>`, parent `<bucket>/<upload id>`
 *
 * Bucket names cannot contain '/', so `<bucket>/` prefixes never overlap. Object bytes live in the vault; a
 * document only names its blobs. A completed multipart object keeps its parts' blobs (no copy).
 */
export const S3_SERVICE = 's3';
export const REGISTRY = '#s3-buckets';

export interface BucketDoc {
  Name: string;
  /** The owning account. */
  Owner: string;
  Region: string;
  CreationDate: string;
  /** Canned ACL given at creation (recorded; ACL grants are not evaluated). */
  Acl?: string;
  ObjectOwnership?: string;
  Tags?: Tag[];
  /** Absent: S3's default since 2023, SSE-S3. */
  Encryption?: ServerSideEncryptionConfiguration;
  Policy?: string;
  /** Absent after DeletePublicAccessBlock; new buckets start with every setting on, as in AWS since 2023. */
  PublicAccessBlock?: PublicAccessBlockConfiguration;
}

export interface BlobRef {
  BlobId: string;
  Size: number;
}

/** How an object (or upload) is encrypted; reads must pass the same context to the vault. */
export interface SseDoc {
  ServerSideEncryption: ServerSideEncryption;
  /** Key ARN the vault reported. */
  KeyArn: string;
  /** The caller's own encryption context (SSE-KMS), without the `aws:s3:arn` pair S3 adds. */
  Context?: Record<string, string>;
  BucketKeyEnabled?: boolean;
  /**
   * Which ARN the data key's `aws:s3:arn` context names: 'bucket' (an S3 Bucket Key, set by writes since bucket
   * keys took the bucket ARN); absent means the object's ARN. Objects written earlier with BucketKeyEnabled have
   * no marker and were encrypted under the object ARN, so reads go by this record, never by BucketKeyEnabled.
   */
  KeyScope?: 'bucket';
}

/** Representation headers S3 stores with an object and returns on GET/HEAD. */
export interface ContentHeaders {
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
  CacheControl?: string;
  Expires?: string;
  WebsiteRedirectLocation?: string;
}

export interface ObjectDoc {
  Key: string;
  Size: number;
  /** Quoted, as S3 sends it. */
  ETag: string;
  LastModified: string;
  /** One entry for a simple object; the parts, in order, for a completed multipart upload. */
  Blobs: BlobRef[];
  /** Multipart objects only. */
  PartsCount?: number;
  Headers: ContentHeaders;
  Metadata: Record<string, string>;
  StorageClass: StorageClass;
  Sse: SseDoc;
  Checksum?: { Algorithm: ChecksumAlgorithm; Value: string };
  Tags?: Tag[];
  Acl?: string;
}

export interface UploadDoc {
  UploadId: string;
  Key: string;
  Initiated: string;
  /** The initiating principal's ARN and account. */
  InitiatorArn: string;
  InitiatorAccount: string;
  Headers: ContentHeaders;
  Metadata: Record<string, string>;
  StorageClass: StorageClass;
  Sse: SseDoc;
  /** The SSE headers CreateMultipartUpload carried: parts are authorized as if they carried them too. */
  RequestedSse?: { ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string };
  ChecksumAlgorithm?: ChecksumAlgorithm;
  Tags?: Tag[];
  Acl?: string;
}

export interface PartDoc {
  PartNumber: number;
  ETag: string;
  Size: number;
  BlobId: string;
  LastModified: string;
  Checksum?: string;
}

export const objectId = (bucket: string, key: string): string => `${bucket}/${key}`;
export const uploadRecordId = (bucket: string, uploadId: string): string => `${bucket}/${uploadId}`;
export const partId = (bucket: string, uploadId: string, n: number): string => `${bucket}/${uploadId}/${String(n).padStart(5, '0')}`;

export async function findBucket(k: S3, name: string): Promise<BucketDoc | undefined> {
  return (await k.res.get<BucketDoc>(REGISTRY, S3_SERVICE, 'bucket', name))?.doc;
}

export async function loadBucket(k: S3, name: string): Promise<BucketDoc> {
  const b = await findBucket(k, name);
  if (!b) throw s3Errors.noSuchBucket(name);
  return b;
}

/** Read-modify-write of a bucket's configuration in one transaction. */
export async function changeBucket(k: S3, name: string, change: (b: BucketDoc) => void): Promise<void> {
  await k.tx(async () => {
    const b = await loadBucket(k, name);
    change(b);
    await k.res.update(REGISTRY, S3_SERVICE, 'bucket', name, b);
  });
}

export async function findObject(k: S3, b: BucketDoc, key: string): Promise<ObjectDoc | undefined> {
  return (await k.res.get<ObjectDoc>(b.Owner, S3_SERVICE, 'object', objectId(b.Name, key)))?.doc;
}

export async function loadObject(k: S3, b: BucketDoc, key: string): Promise<ObjectDoc> {
  const o = await findObject(k, b, key);
  if (!o) throw s3Errors.noSuchKey(key);
  return o;
}

/** An upload that exists and belongs to `key` (S3 answers NoSuchUpload for a mismatched key too). */
export async function loadUpload(k: S3, b: BucketDoc, key: string, uploadId: string): Promise<UploadDoc> {
  const rec = await k.res.get<UploadDoc>(b.Owner, S3_SERVICE, 'upload', uploadRecordId(b.Name, uploadId));
  if (!rec || rec.doc.Key !== key) throw s3Errors.noSuchUpload(uploadId);
  return rec.doc;
}

export async function listParts(k: S3, b: BucketDoc, uploadId: string): Promise<PartDoc[]> {
  return (await listEvery<PartDoc>(k.res, b.Owner, S3_SERVICE, 'part', { parentId: uploadRecordId(b.Name, uploadId) })).map((r) => r.doc);
}

/**
 * Blobs are removed only after the metadata that stopped naming them has committed, so a crash leaves at worst
 * an orphan blob, never an object without bytes. Failures are logged, not thrown: the request already succeeded.
 */
export async function removeBlobs(k: S3, blobIds: string[]): Promise<void> {
  for (const id of blobIds) {
    try {
      await k.vault.delete(id);
    } catch (err) {
      k.deps.log.warn({ err, blobId: id }, 's3: could not delete an unreferenced blob');
    }
  }
}
