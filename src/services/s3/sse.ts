import type { Readable } from 'node:stream';
import type { RequestContext } from '../../gateway/context.js';
import type { ServerSideEncryption } from './api.generated.js';
import { caller, type S3 } from './context.js';
import { fromVaultError, s3Errors } from './errors.js';
import { bucketArn, objectArn } from './names.js';
import type { BucketDoc, SseDoc } from './store.js';
import type { ChecksumAlgorithm, VaultWriteResult } from './vault-types.js';

/** The AWS managed key S3 uses for `aws:kms` without a key id (created on first use by KMS). */
export const AWS_MANAGED_S3_KEY = 'alias/aws/s3';

/** The SSE members of PutObject, CopyObject and CreateMultipartUpload. */
export interface SseRequest {
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
  SSEKMSEncryptionContext?: string;
  BucketKeyEnabled?: boolean;
  SSECustomerAlgorithm?: string;
}

/** How a new object will be encrypted, before the vault has resolved the key. */
export interface SseChoice {
  ServerSideEncryption: ServerSideEncryption;
  /** SSE-KMS only: the key as named (id, ARN or alias). */
  kmsKeyId?: string;
  Context?: Record<string, string>;
  BucketKeyEnabled?: boolean;
}

/**
 * S3's order: the request's headers, else the bucket's default encryption, else SSE-S3 (every object is
 * encrypted since 2023). `aws:kms` without a key id means the AWS managed key, not the bucket default's key.
 */
export function chooseSse(i: SseRequest, bucket: BucketDoc): SseChoice {
  if (i.SSECustomerAlgorithm) throw s3Errors.notImplemented('Server-side encryption with customer-provided keys (SSE-C)');
  if ((i.SSEKMSKeyId || i.SSEKMSEncryptionContext) && i.ServerSideEncryption !== 'aws:kms') {
    throw s3Errors.invalidArgument('Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
      'x-amz-server-side-encryption', i.ServerSideEncryption ?? 'null');
  }
  if (i.ServerSideEncryption === 'aws:kms') {
    return {
      ServerSideEncryption: 'aws:kms', kmsKeyId: i.SSEKMSKeyId || AWS_MANAGED_S3_KEY,
      Context: parseEncryptionContext(i.SSEKMSEncryptionContext), BucketKeyEnabled: i.BucketKeyEnabled,
    };
  }
  if (i.ServerSideEncryption === 'AES256') return { ServerSideEncryption: 'AES256' };
  const rule = bucket.Encryption?.Rules[0];
  const byDefault = rule?.ApplyServerSideEncryptionByDefault;
  if (byDefault?.SSEAlgorithm === 'aws:kms') {
    return { ServerSideEncryption: 'aws:kms', kmsKeyId: byDefault.KMSMasterKeyID || AWS_MANAGED_S3_KEY, BucketKeyEnabled: rule?.BucketKeyEnabled };
  }
  return { ServerSideEncryption: 'AES256' };
}

const CONTEXT_MESSAGE = "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map";

/** `x-amz-server-side-encryption-context`: base64 of a JSON object of strings. */
export function parseEncryptionContext(header: string | undefined): Record<string, string> | undefined {
  if (header === undefined || header === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    throw s3Errors.invalidArgument(CONTEXT_MESSAGE, 'x-amz-server-side-encryption-context', header);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw s3Errors.invalidArgument(CONTEXT_MESSAGE, 'x-amz-server-side-encryption-context', header);
  }
  return parsed as Record<string, string>;
}

/** Which ARN a data key is bound to: the object's, or the bucket's (S3 Bucket Keys). */
export type KeyScope = 'object' | 'bucket';

/**
 * The scope a write uses. A new object (an SseChoice) with SSE-KMS + BucketKeyEnabled uses the bucket's ARN, as
 * AWS does, so one data key can serve many objects. A write under a recorded SseDoc (a multipart upload's parts)
 * follows the record, so every part of an upload shares the scope the upload (and its object) will be read with.
 */
export function writeScope(sse: SseChoice | SseDoc): KeyScope {
  if ('KeyArn' in sse) return readScope(sse);
  return sse.ServerSideEncryption === 'aws:kms' && sse.BucketKeyEnabled === true ? 'bucket' : 'object';
}

/**
 * The scope a stored object was written with: only the KeyScope marker says 'bucket'. BucketKeyEnabled alone
 * does not: objects written before bucket keys took the bucket ARN were bound to their object ARN.
 */
export function readScope(sse: SseDoc): KeyScope {
  return sse.ServerSideEncryption === 'aws:kms' && sse.KeyScope === 'bucket' ? 'bucket' : 'object';
}

/** S3 binds every data key to the object's (or, per `scope`, the bucket's) ARN, beside any context the caller gave. */
export function vaultContext(bucket: string, key: string, context: Record<string, string> | undefined, scope: KeyScope): Record<string, string> {
  return { ...context, 'aws:s3:arn': scope === 'bucket' ? bucketArn(bucket) : objectArn(bucket, key) };
}

export interface BlobWrite {
  bucket: string;
  key: string;
  sse: SseChoice | SseDoc;
  checksumAlgorithm?: ChecksumAlgorithm;
  expectedSize?: number;
}

/** Writes one blob as the caller (kms:GenerateDataKey is checked by KMS through the vault). */
export async function writeBlob(k: S3, ctx: RequestContext, source: AsyncIterable<Buffer>, w: BlobWrite): Promise<{ result: VaultWriteResult; sse: SseDoc }> {
  const kmsKeyId = 'KeyArn' in w.sse ? (w.sse.ServerSideEncryption === 'aws:kms' ? w.sse.KeyArn : undefined) : w.sse.kmsKeyId;
  const scope = writeScope(w.sse);
  try {
    const result = await k.vault.write(source, {
      principal: caller(ctx), region: ctx.region, kmsKeyId, context: vaultContext(w.bucket, w.key, w.sse.Context, scope),
      checksumAlgorithm: w.checksumAlgorithm, expectedSize: w.expectedSize, cache: ctx.dataKeyCache,
    });
    const sse: SseDoc = { ServerSideEncryption: w.sse.ServerSideEncryption, KeyArn: result.keyArn };
    if (w.sse.Context) sse.Context = w.sse.Context;
    if (w.sse.BucketKeyEnabled) sse.BucketKeyEnabled = true;
    if (scope === 'bucket') sse.KeyScope = 'bucket';
    return { result, sse };
  } catch (err) {
    throw fromVaultError(err);
  }
}

/** Reads (part of) a blob as the caller: an SSE-KMS object needs kms:Decrypt on its key. */
export async function readBlob(k: S3, ctx: RequestContext, blobId: string, where: { bucket: string; key: string; sse: SseDoc },
  range?: { start: number; end: number }): Promise<Readable> {
  try {
    const context = vaultContext(where.bucket, where.key, where.sse.Context, readScope(where.sse));
    return await k.vault.read(blobId, { principal: caller(ctx), region: ctx.region, context, range });
  } catch (err) {
    throw fromVaultError(err);
  }
}

/** The SSE members of a response. */
export function sseOutput(sse: SseDoc): { ServerSideEncryption: ServerSideEncryption; SSEKMSKeyId?: string; BucketKeyEnabled?: boolean } {
  const out: { ServerSideEncryption: ServerSideEncryption; SSEKMSKeyId?: string; BucketKeyEnabled?: boolean } = { ServerSideEncryption: sse.ServerSideEncryption };
  if (sse.ServerSideEncryption === 'aws:kms') out.SSEKMSKeyId = sse.KeyArn;
  if (sse.BucketKeyEnabled) out.BucketKeyEnabled = true;
  return out;
}
