/**
 * S3 as a processing job's execution role: every read, list and write goes through the gateway as the role's
 * session with SageMaker as the calling service (DESIGN principle 6), so bucket policies, the role's policies and
 * kms:ViaService conditions apply and CloudTrail records them. Outputs are written SSE-KMS, under the job's output
 * KmsKeyId when given (else S3's AWS managed key, SageMaker's documented default).
 */
import { Readable } from 'node:stream';
import type { Principal } from '../../../auth/types.js';
import { parseDestination } from '../../../capture/destination.js';
import { messageOf } from '../artifacts.js';
import type { Sm } from '../context.js';

const VIA = 'sagemaker.amazonaws.com';

export interface S3Location { bucket: string; key: string }

/** `s3://bucket/key` (or an https S3 URL) as bucket and key; the key has no leading slash. */
export function parseS3Uri(uri: string): S3Location | undefined {
  const d = parseDestination(uri);
  if (!d) return undefined;
  const raw = /^s3:\/\/[^/]+\/(.*)$/.exec(uri)?.[1];
  // parseDestination trims a trailing slash, which matters for prefixes ("data/" must not match "data2/").
  return { bucket: d.bucket, key: raw !== undefined ? raw.replace(/^\/+/, '') : d.prefix };
}

export const s3Uri = (l: S3Location): string => `s3://${l.bucket}/${l.key}`;

/** The most RoleS3.getText reads (baselines, scripts): a larger object fails the job instead of filling memory. */
export const MAX_TEXT_BYTES = 64 * 1024 * 1024;

/** An object larger than what the reader accepts. */
export class ObjectTooLarge extends Error {}

/** An object as ListObjectsV2 lists it (Size when S3 gave it). */
export interface ListedObject { key: string; size?: number }

export class RoleS3 {
  constructor(private readonly sm: Sm, private readonly principal: Principal, private readonly region: string,
    private readonly kmsKeyId?: string) {}

  async #call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.sm.deps.internal.call(this.principal, 's3', operation, input, { region: this.region, viaService: VIA });
  }

  /** Keys under a prefix, in key order. */
  async list(bucket: string, prefix: string): Promise<string[]> {
    return (await this.listObjects(bucket, prefix)).map((o) => o.key);
  }

  /** Objects under a prefix, in key order, with their sizes. */
  async listObjects(bucket: string, prefix: string): Promise<ListedObject[]> {
    const keys: ListedObject[] = [];
    for await (const page of this.#pages(bucket, prefix)) {
      for (const o of (page.Contents as { Key?: string; Size?: number }[] | undefined) ?? []) {
        if (o.Key) keys.push({ key: o.Key, ...(typeof o.Size === 'number' ? { size: o.Size } : {}) });
      }
    }
    return keys;
  }

  /** The "folders" directly under a prefix (ListObjectsV2 with Delimiter `/`), each ending in `/`. */
  async folders(bucket: string, prefix: string): Promise<string[]> {
    const out: string[] = [];
    for await (const page of this.#pages(bucket, prefix, '/')) {
      for (const p of (page.CommonPrefixes as { Prefix?: string }[] | undefined) ?? []) if (p.Prefix) out.push(p.Prefix);
    }
    return out;
  }

  /** ListObjectsV2 pages under a prefix, following continuation tokens; a failure names the location and the role. */
  async *#pages(bucket: string, prefix: string, delimiter?: string): AsyncGenerator<Record<string, unknown>> {
    let token: string | undefined;
    do {
      let page: Record<string, unknown>;
      try {
        page = await this.#call('ListObjectsV2', { Bucket: bucket, Prefix: prefix, ...(delimiter ? { Delimiter: delimiter } : {}),
          ...(token ? { ContinuationToken: token } : {}) });
      } catch (err) {
        throw new Error(`Could not list s3://${bucket}/${prefix} as ${this.principal.arn}: ${messageOf(err)}`);
      }
      yield page;
      token = page.IsTruncated ? (page.NextContinuationToken as string | undefined) : undefined;
    } while (token);
  }

  async get(l: S3Location): Promise<Readable> {
    return (await this.#open(l)).body;
  }

  async #open(l: S3Location): Promise<{ body: Readable; length?: number }> {
    try {
      const out = await this.#call('GetObject', { Bucket: l.bucket, Key: l.key });
      const body = out.Body;
      const length = typeof out.ContentLength === 'number' ? out.ContentLength : undefined;
      if (body instanceof Readable) return { body, length };
      if (body instanceof Uint8Array || typeof body === 'string') return { body: Readable.from([Buffer.from(body)]), length };
      if (body && typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') return { body: Readable.from(body as AsyncIterable<Buffer>), length };
      return { body: Readable.from([]), length };
    } catch (err) {
      throw new Error(`Could not read ${s3Uri(l)} as ${this.principal.arn}: ${messageOf(err)}`);
    }
  }

  /** The object as UTF-8 text; ObjectTooLarge (before reading it all) when it holds more than maxBytes. */
  async getText(l: S3Location, maxBytes = MAX_TEXT_BYTES): Promise<string> {
    const tooLarge = (): ObjectTooLarge => new ObjectTooLarge(`${s3Uri(l)} is larger than ${maxBytes} bytes, the most Vigil reads for it.`);
    const { body, length } = await this.#open(l);
    try {
      if (length !== undefined && length > maxBytes) throw tooLarge();
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const c of body) {
        const b = Buffer.from(c as Buffer);
        total += b.length;
        if (total > maxBytes) throw tooLarge();
        chunks.push(b);
      }
      return Buffer.concat(chunks).toString('utf8');
    } finally {
      body.destroy();
    }
  }

  async put(l: S3Location, body: string, contentType: string): Promise<void> {
    const bytes = Buffer.from(body, 'utf8');
    const input: Record<string, unknown> = {
      Bucket: l.bucket, Key: l.key, Body: bytes, ContentLength: bytes.length, ContentType: contentType, ServerSideEncryption: 'aws:kms',
    };
    if (this.kmsKeyId) input.SSEKMSKeyId = this.kmsKeyId;
    try {
      await this.#call('PutObject', input);
    } catch (err) {
      throw new Error(`Could not write ${s3Uri(l)} as ${this.principal.arn}: ${messageOf(err)}`);
    }
  }
}
