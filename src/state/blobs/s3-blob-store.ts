import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand,
  type CompletedPart, type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { ByteQueue } from '../../crypto/byte-queue.js';
import { BlobNotFoundError, checkBlobKey, type BlobStore, type ByteRange } from './types.js';

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** S3's smallest allowed non-final part. */
const MIN_PART_SIZE = 5 * 1024 * 1024;

export interface S3BlobStoreOptions {
  bucket: string;
  /** Key prefix inside the bucket; a trailing '/' is added when missing. */
  prefix?: string;
  endpoint?: string;
  region: string;
  credentials?: S3ClientConfig['credentials'];
  forcePathStyle?: boolean;
  requestHandler?: S3ClientConfig['requestHandler'];
  /** Bytes per multipart part (default 8 MiB, at least 5 MiB); at most two parts are held in memory. */
  partSize?: number;
}

/**
 * Blobs in an external S3-compatible store, so several Vigil replicas share them (issue 4 §5). It holds only
 * ciphertext: the vault encrypts before put(). Writes stream: one part is uploaded while the next is read, so
 * memory stays at about two parts whatever the blob size; a multipart upload only becomes an object on
 * CompleteMultipartUpload, which gives put() the same all-or-nothing visibility as the local store's rename.
 */
export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #partSize: number;

  constructor(opts: S3BlobStoreOptions) {
    this.#partSize = opts.partSize ?? DEFAULT_PART_SIZE;
    if (!Number.isSafeInteger(this.#partSize) || this.#partSize < MIN_PART_SIZE) throw new RangeError(`partSize must be at least ${MIN_PART_SIZE}`);
    this.#bucket = opts.bucket;
    this.#prefix = normalizePrefix(opts.prefix ?? '');
    this.#client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      credentials: opts.credentials,
      forcePathStyle: opts.forcePathStyle,
      requestHandler: opts.requestHandler,
      // The envelope authenticates every stored byte, so transport checksums add nothing here except
      // incompatibility with S3-compatible stores that predate the SDK's default CRC32 trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, source: AsyncIterable<Buffer>): Promise<{ size: number }> {
    checkBlobKey(key);
    const reader = new PartReader(source, this.#partSize);
    try {
      await reader.fill();
      if (reader.ended && reader.queue.length <= this.#partSize) {
        const body = reader.takePart();
        await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: this.#key(key), Body: body, ContentLength: body.length }));
        return { size: reader.size };
      }
    } catch (err) {
      await reader.close();
      throw err;
    }
    return this.#multipart(key, reader);
  }

  async #multipart(key: string, reader: PartReader): Promise<{ size: number }> {
    const Key = this.#key(key);
    const { UploadId } = await this.#client.send(new CreateMultipartUploadCommand({ Bucket: this.#bucket, Key }));
    const parts: CompletedPart[] = [];
    let inflight: Promise<void> | undefined;
    try {
      for (let PartNumber = 1; reader.queue.length > 0; PartNumber++) {
        const Body = reader.takePart();
        await inflight; // one part on the wire while the next one is read
        inflight = this.#client.send(new UploadPartCommand({ Bucket: this.#bucket, Key, UploadId, PartNumber, Body, ContentLength: Body.length }))
          .then((out) => { parts.push({ PartNumber, ETag: out.ETag }); });
        inflight.catch(() => undefined); // observed by the next await; this only prevents an "unhandled" report
        await reader.fill();
      }
      await inflight;
      await this.#client.send(new CompleteMultipartUploadCommand({ Bucket: this.#bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
      return { size: reader.size };
    } catch (err) {
      await inflight?.catch(() => undefined);
      await reader.close();
      // Best effort: a lifecycle rule for incomplete uploads is the backstop if this fails too.
      await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key, UploadId })).catch(() => undefined);
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    checkBlobKey(key);
    if (range && (!Number.isSafeInteger(range.start) || !Number.isSafeInteger(range.end) || range.start < 0 || range.end < range.start)) {
      throw new RangeError(`invalid byte range ${range.start}-${range.end}`);
    }
    try {
      const out = await this.#client.send(new GetObjectCommand({
        Bucket: this.#bucket, Key: this.#key(key), Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }));
      return (out.Body as Readable | undefined) ?? Readable.from([]);
    } catch (err) {
      if (statusOf(err) === 416) throw new RangeError(`byte range ${range?.start}-${range?.end} starts beyond blob ${key}`);
      throw mapNotFound(err, key);
    }
  }

  async size(key: string): Promise<number> {
    checkBlobKey(key);
    try {
      const out = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
      return out.ContentLength ?? 0;
    } catch (err) {
      throw mapNotFound(err, key);
    }
  }

  async delete(key: string): Promise<void> {
    checkBlobKey(key);
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
  }

  async *list(prefix: string): AsyncIterable<string> {
    let ContinuationToken: string | undefined;
    do {
      const out = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#prefix + prefix, ContinuationToken }));
      for (const o of out.Contents ?? []) if (o.Key) yield o.Key.slice(this.#prefix.length);
      ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  destroy(): void {
    this.#client.destroy();
  }

  #key(key: string): string {
    return this.#prefix + key;
  }
}

/** Pulls the source into a queue a part at a time, so at most one part (plus one chunk) is buffered. */
class PartReader {
  readonly queue = new ByteQueue();
  readonly #iterator: AsyncIterator<Buffer>;
  ended = false;
  size = 0;

  constructor(source: AsyncIterable<Buffer>, readonly partSize: number) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  /** Reads until a full part is queued or the source ends. */
  async fill(): Promise<void> {
    while (!this.ended && this.queue.length < this.partSize) {
      const next = await this.#iterator.next();
      if (next.done) this.ended = true;
      else {
        this.queue.push(next.value);
        this.size += next.value.length;
      }
    }
  }

  takePart(): Buffer {
    const n = Math.min(this.partSize, this.queue.length);
    return Buffer.concat(this.queue.take(n), n);
  }

  /** Tells the source we stopped early, as `for await` would. */
  async close(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      await this.#iterator.return?.()?.catch(() => undefined);
    }
  }
}

function normalizePrefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function mapNotFound(err: unknown, key: string): unknown {
  const name = (err as { name?: string }).name;
  // Not any 404: NoSuchBucket is a misconfiguration, not a missing blob.
  return name === 'NoSuchKey' || name === 'NotFound' ? new BlobNotFoundError(key) : err;
}
