import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Principal } from '../../auth/types.js';
import { EnvelopeError } from '../../crypto/envelope-error.js';
import { MAX_HEADER_BYTES, type EnvelopeHeader, type ParsedHeader } from '../../crypto/envelope-format.js';
import type { DataKeyProvider } from '../../crypto/envelope-message.js';
import { openMessage, parseHeaderPrefix, planRange, planWhole } from '../../crypto/envelope-range.js';
import { encryptStream } from '../../crypto/envelope-stream.js';
import type { BlobStore } from '../../state/blobs/types.js';
import { createChecksum, type StreamChecksum } from './vault-checksum.js';
import type { ChecksumAlgorithm, ObjectVault, VaultReadOptions, VaultWriteOptions, VaultWriteResult } from './vault-types.js';

export const S3_SERVICE_PRINCIPAL = 's3.amazonaws.com';
const MANAGED_ALIAS = 'alias/aws/s3';
/** First read of a blob: enough for any realistic header, and for small objects the whole blob in one fetch. */
const HEADER_PROBE_BYTES = 16 * 1024;
/**
 * The SSE mode is part of the blob id: reads must know, before trusting anything in the blob, whether KMS is
 * asked as the caller (SSE-KMS) or as Vigil's S3 service (SSE-S3). The header's key ARN is not authenticated
 * until the data key is in hand, so it cannot decide that on its own.
 */
const SSE_S3_PREFIX = 's3-';
const SSE_KMS_PREFIX = 'kms-';

export interface EnvelopeVaultOptions {
  store: BlobStore;
  /** KMS as this principal (production: kmsDataKeyProvider over deps.internal, viaService s3.amazonaws.com). */
  providerFor(principal: Principal, region: string): DataKeyProvider;
  /** The ARN of the account's alias/aws/s3 key in `region`, created on first use (production: ensureServiceKey). */
  resolveManagedKey(region: string, accountId: string): Promise<string>;
  /** Plaintext bytes per envelope frame: the granularity of range reads (default 64 KiB). */
  frameSize?: number;
}

/** The body was shorter or longer than Content-Length / x-amz-decoded-content-length (S3: IncompleteBody). */
export class ContentLengthMismatchError extends Error {
  override readonly name = 'ContentLengthMismatchError';

  constructor(readonly expected: number, readonly received: number, readonly tooLong: boolean) {
    super(tooLong ? `body is longer than the declared ${expected} bytes` : `body has ${received} bytes, ${expected} were declared`);
  }
}

/**
 * Vigil's S3 principal for SSE-S3: AWS's S3 encrypts those objects with keys it owns, not the caller's, so the
 * caller needs no KMS permission. Here the key is the account's AWS managed key, whose policy lets any principal
 * of the account use it through S3 (kms:CallerAccount + kms:ViaService); this principal carries that account.
 */
export function s3ServicePrincipal(accountId: string): Principal {
  return { type: 'Service', arn: S3_SERVICE_PRINCIPAL, accountId, userId: S3_SERVICE_PRINCIPAL, tags: {}, identityPolicies: [] };
}

/**
 * ObjectVault over a BlobStore with envelope encryption (issue 4 §3). Writes stream plaintext through MD5 (and
 * an optional checksum) into the envelope encryptor and on into an atomic blob put, in O(frame) memory. Reads
 * verify the header (so KMS and context errors reject read() itself, before any response is started), then
 * fetch and decrypt only the frames a range needs.
 */
export class EnvelopeVault implements ObjectVault {
  readonly #store: BlobStore;
  readonly #providerFor: EnvelopeVaultOptions['providerFor'];
  readonly #resolveManagedKey: EnvelopeVaultOptions['resolveManagedKey'];
  readonly #frameSize: number | undefined;

  constructor(opts: EnvelopeVaultOptions) {
    this.#store = opts.store;
    this.#providerFor = opts.providerFor;
    this.#resolveManagedKey = opts.resolveManagedKey;
    this.#frameSize = opts.frameSize;
  }

  async write(source: AsyncIterable<Buffer>, opts: VaultWriteOptions): Promise<VaultWriteResult> {
    const sseS3 = opts.kmsKeyId === undefined;
    const { actor, keyId } = await this.#writeKey(opts);
    const blobId = (sseS3 ? SSE_S3_PREFIX : SSE_KMS_PREFIX) + randomBytes(16).toString('hex');
    const meter = new PlaintextMeter(opts.checksumAlgorithm, opts.expectedSize);
    let header: EnvelopeHeader | undefined;
    // The cache holds the caller's keys: never used when S3's own principal asks KMS (SSE-S3).
    const cache = sseS3 || opts.expectedSize === undefined ? undefined : opts.cache;
    const encrypt = encryptStream(this.#providerFor(actor, opts.region), keyId, opts.context, {
      frameSize: this.#frameSize, onHeader: (h) => { header = h; }, cache, plaintextLength: cache ? opts.expectedSize : undefined,
    });
    // A failure anywhere (short body, KMS denial, disk) rejects put(), which then leaves nothing under blobId.
    await this.#store.put(blobId, encrypt(meter.measure(source)));
    if (!header) throw new EnvelopeError('envelope header was never written'); // unreachable: put() consumed the stream
    return { blobId, size: meter.size, md5: meter.md5(), checksum: meter.checksum(), keyArn: header.keyArn };
  }

  async read(blobId: string, opts: VaultReadOptions): Promise<Readable> {
    const sseS3 = sseOf(blobId);
    const size = await this.#store.size(blobId);
    const { parsed, probe } = await this.#header(blobId, size);
    const { provider, allowedKeyArns } = sseS3
      ? await this.#serviceDecryptor(parsed.header, opts.region)
      : { provider: this.#providerFor(opts.principal, opts.region), allowedKeyArns: undefined };
    const opener = await openMessage(provider, parsed, size, opts.context, { allowedKeyArns });
    const plan = opts.range ? planRange(opener.layout, opts.range.start, opts.range.end) : planWhole(opener.layout);
    const ciphertext: AsyncIterable<Buffer> = plan.cipherEnd < probe.length
      ? once(probe.subarray(plan.cipherStart, plan.cipherEnd + 1))
      : await this.#store.get(blobId, { start: plan.cipherStart, end: plan.cipherEnd });
    return Readable.from(opener.decrypt(plan, ciphertext), { objectMode: false });
  }

  async delete(blobId: string): Promise<void> {
    sseOf(blobId);
    await this.#store.delete(blobId);
  }

  /** SSE-S3 → the managed key as the S3 service; SSE-KMS → the caller's key as the caller. */
  async #writeKey(opts: VaultWriteOptions): Promise<{ actor: Principal; keyId: string }> {
    const account = opts.principal.accountId;
    if (opts.kmsKeyId === undefined) {
      return { actor: s3ServicePrincipal(account), keyId: await this.#resolveManagedKey(opts.region, account) };
    }
    // aws:kms without a customer key means the managed key, which exists only once something has created it.
    const managed = managedAliasAccount(opts.kmsKeyId, opts.region, account);
    const keyId = managed ? await this.#resolveManagedKey(opts.region, managed) : opts.kmsKeyId;
    return { actor: opts.principal, keyId };
  }

  /**
   * SSE-S3 reads decrypt as the S3 service of the key's account, and only under that account's managed key
   * in this region (strict mode): a planted blob under any other key fails before KMS is asked.
   */
  async #serviceDecryptor(header: EnvelopeHeader, region: string): Promise<{ provider: DataKeyProvider; allowedKeyArns: string[] }> {
    const m = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/.exec(header.keyArn);
    if (!m || m[1] !== region) throw new EnvelopeError('SSE-S3 blob is not under a managed key of this region');
    const managed = await this.#resolveManagedKey(region, m[2]);
    return { provider: this.#providerFor(s3ServicePrincipal(m[2]), region), allowedKeyArns: [managed] };
  }

  async #header(blobId: string, size: number): Promise<{ parsed: ParsedHeader; probe: Buffer }> {
    let probe = await this.#fetch(blobId, Math.min(size, HEADER_PROBE_BYTES));
    let parsed = parseHeaderPrefix(probe);
    if (!parsed && size > probe.length) {
      probe = await this.#fetch(blobId, Math.min(size, MAX_HEADER_BYTES));
      parsed = parseHeaderPrefix(probe);
    }
    if (!parsed) throw new EnvelopeError('envelope is truncated in its header');
    return { parsed, probe };
  }

  async #fetch(blobId: string, length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    for await (const c of await this.#store.get(blobId, { start: 0, end: length - 1 })) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
}

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

function sseOf(blobId: string): boolean {
  if (blobId.startsWith(SSE_S3_PREFIX)) return true;
  if (blobId.startsWith(SSE_KMS_PREFIX)) return false;
  throw new RangeError(`not a vault blob id: ${JSON.stringify(blobId)}`);
}

/** The account whose managed S3 key `keyId` names (alias/aws/s3 or its ARN in this region), else undefined. */
function managedAliasAccount(keyId: string, region: string, callerAccount: string): string | undefined {
  if (keyId === MANAGED_ALIAS) return callerAccount;
  const m = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):alias\/aws\/s3$/.exec(keyId);
  return m && m[1] === region ? m[2] : undefined;
}

/** Counts, hashes and bounds the plaintext on its way to the encryptor. */
class PlaintextMeter {
  size = 0;
  readonly #md5 = createHash('md5');
  readonly #checksum: StreamChecksum | undefined;

  constructor(algorithm: ChecksumAlgorithm | undefined, readonly expected: number | undefined) {
    this.#checksum = algorithm ? createChecksum(algorithm) : undefined;
  }

  async *measure(source: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      this.size += b.length;
      // Fail as soon as the body overruns: no reason to encrypt and store bytes that will be thrown away.
      if (this.expected !== undefined && this.size > this.expected) throw new ContentLengthMismatchError(this.expected, this.size, true);
      this.#md5.update(b);
      this.#checksum?.update(b);
      yield b;
    }
    if (this.expected !== undefined && this.size !== this.expected) throw new ContentLengthMismatchError(this.expected, this.size, false);
  }

  md5(): Buffer {
    return this.#md5.digest();
  }

  checksum(): string | undefined {
    return this.#checksum?.digest();
  }
}
