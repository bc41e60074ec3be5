import type { Readable } from 'node:stream';
import type { Principal } from '../../auth/types.js';
import type { DataKeyCache } from '../../crypto/data-key-cache.js';

/**
 * Encrypted object storage for S3 (and later capture, baselines, reports): plaintext in, envelope-encrypted
 * blobs at rest (local disk or an external S3-compatible store), plaintext out. Data keys come from KMS through
 * the gateway's internal client as the acting principal, so key policies, grants and audit apply.
 */
export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256';

export interface VaultWriteOptions {
  /** Who is writing: needs kms:GenerateDataKey on the key (SSE-KMS). */
  principal: Principal;
  region: string;
  /** SSE-KMS: a key id, ARN or alias. Undefined: SSE-S3 under Vigil's managed S3 key (alias/aws/s3). */
  kmsKeyId?: string;
  /** Bound to the data key (S3 uses {"aws:s3:arn": "arn:aws:s3:::bucket/key"} plus any user context). */
  context: Record<string, string>;
  /** Also compute this checksum of the plaintext while streaming. */
  checksumAlgorithm?: ChecksumAlgorithm;
  /** Bytes expected (Content-Length / x-amz-decoded-content-length); a short or long body fails the write. */
  expectedSize?: number;
  /**
   * SSE-KMS only, with expectedSize: reuse a data key from this cache (it must belong to `principal` alone).
   * Useful only when the context is the same for many objects (bucket keys).
   */
  cache?: DataKeyCache;
}

export interface VaultWriteResult {
  blobId: string;
  size: number;
  /** MD5 of the plaintext (the ETag of a single-part object). */
  md5: Buffer;
  /** Base64 checksum of the plaintext when requested. */
  checksum?: string;
  /** The KMS key that protects the data key (full ARN). */
  keyArn: string;
}

export interface VaultReadOptions {
  /** Who is reading: needs kms:Decrypt on the blob's key (SSE-KMS). */
  principal: Principal;
  region: string;
  context: Record<string, string>;
  /** Inclusive plaintext byte range; the whole blob when absent. */
  range?: { start: number; end: number };
}

export interface ObjectVault {
  /** Encrypts and stores the stream; resolves once durable. Nothing is visible under blobId before that. */
  write(source: AsyncIterable<Buffer>, opts: VaultWriteOptions): Promise<VaultWriteResult>;
  /** Decrypts (part of) a blob; integrity failures surface as stream errors, never as wrong bytes. */
  read(blobId: string, opts: VaultReadOptions): Promise<Readable>;
  delete(blobId: string): Promise<void>;
}
