/**
 * S3 streaming payloads (aws-semantics §2.3): the aws-chunked framing with a signature per chunk chained from the
 * request's seed signature (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`), or unsigned chunks with a trailing
 * checksum (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`); and a plain body checked against a signed hex
 * x-amz-content-sha256 while it streams. https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 *
 * Memory stays bounded: a signed chunk is held only until its signature is checked (chunks are capped at
 * `maxChunkSize`), so no consumer sees a byte whose signature failed; unsigned chunks stream straight through.
 * Checks that can only happen at the end (decoded length, trailing checksum, whole-body hash) fail the iteration
 * there, so consumers must commit nothing until the iterator completes.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { s3Error } from '../protocol/s3-errors.js';
import { algorithmOfHeader, checksum, type Checksum, type ChecksumHeader } from './checksums.js';
import { EMPTY_SHA256 } from './sigv4-canonical.js';

export interface AwsChunkedOptions {
  /** From x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD, …-UNSIGNED-PAYLOAD-TRAILER, …-PAYLOAD-TRAILER. */
  mode: 'signed' | 'unsigned-trailer' | 'signed-trailer';
  /** The request's own signature: the first chunk's "previous signature". */
  seedSignature: string;
  signingKey: Buffer;
  /** X-Amz-Date of the request (ISO basic). */
  amzDate: string;
  /** Credential scope `yyyymmdd/region/s3/aws4_request`. */
  scope: string;
  /** x-amz-decoded-content-length, checked at the end. */
  decodedLength?: number;
  /** The checksum the client announced in x-amz-trailer; verified against the decoded bytes. */
  trailerChecksum?: ChecksumHeader;
  /** Largest chunk accepted; default 16 MiB (SDKs send 64 KiB, the CLI 1 MiB at most). */
  maxChunkSize?: number;
  /** Receives the verified trailers (e.g. the checksum S3 stores with the object) before the iterator ends. */
  onTrailers?: (trailers: Record<string, string>) => void;
}

export const DEFAULT_MAX_CHUNK = 16 * 1024 * 1024;
const MAX_LINE = 4096;
const SIGNED_HEADER = /^([0-9a-fA-F]{1,8});chunk-signature=([0-9a-f]{64})$/;
const UNSIGNED_HEADER = /^([0-9a-fA-F]{1,8})(?:;.*)?$/;
const TRAILER_SIGNATURE = 'x-amz-trailer-signature';
const TERMINATED = 'The request body terminated unexpectedly.';

/** Decodes an aws-chunked body into the object's bytes, verifying signatures, length and trailing checksum. */
export async function* decodeAwsChunked(source: AsyncIterable<Uint8Array>, opts: AwsChunkedOptions): AsyncGenerator<Buffer> {
  const reader = new ByteReader(source);
  const signed = opts.mode !== 'unsigned-trailer';
  const max = opts.maxChunkSize ?? DEFAULT_MAX_CHUNK;
  const algorithm = opts.trailerChecksum ? algorithmOfHeader(opts.trailerChecksum) : undefined;
  if (opts.trailerChecksum && !algorithm) throw s3Error('InvalidRequest', `Unsupported trailing checksum ${opts.trailerChecksum}`);
  const sum = algorithm ? checksum(algorithm) : undefined;
  let previous = opts.seedSignature;
  let total = 0;
  for (;;) {
    const { size, signature } = parseChunkHeader(await reader.line(), signed, max);
    if (size === 0) {
      if (signature !== undefined) previous = verifyChunk(opts, previous, EMPTY_SHA256, signature);
      break;
    }
    if (opts.decodedLength !== undefined && total + size > opts.decodedLength) throw lengthMismatch();
    total += size;
    if (signature === undefined) {
      for await (const piece of reader.exactly(size)) {
        sum?.update(piece);
        yield piece;
      }
    } else {
      const pieces: Buffer[] = [];
      const hash = createHash('sha256');
      for await (const piece of reader.exactly(size)) {
        hash.update(piece);
        pieces.push(piece);
      }
      previous = verifyChunk(opts, previous, hash.digest('hex'), signature);
      for (const piece of pieces) {
        sum?.update(piece);
        yield piece;
      }
    }
    if ((await reader.line()) !== '') throw s3Error('IncompleteBody', 'Chunk data is not followed by CRLF.');
  }
  if (opts.decodedLength !== undefined && total !== opts.decodedLength) throw lengthMismatch();
  const trailers = opts.mode === 'signed' ? await finalCrlf(reader) : await readTrailers(reader);
  if (opts.mode === 'signed-trailer') verifyTrailers(opts, previous, trailers);
  if (opts.trailerChecksum && sum) checkTrailerChecksum(opts.trailerChecksum, trailers, sum);
  opts.onTrailers?.(trailers);
}

function lengthMismatch(): Error {
  return s3Error('IncompleteBody', 'You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header.');
}

function parseChunkHeader(line: string, signed: boolean, max: number): { size: number; signature?: string } {
  const m = (signed ? SIGNED_HEADER : UNSIGNED_HEADER).exec(line);
  if (!m) {
    throw signed && /^[0-9a-fA-F]+(;|$)/.test(line)
      ? s3Error('SignatureDoesNotMatch', 'The chunk is missing a valid chunk-signature.')
      : s3Error('InvalidChunkSizeError', 'Invalid chunk size.');
  }
  const size = parseInt(m[1], 16);
  if (size > max) throw s3Error('InvalidChunkSizeError', `Chunk size ${size} exceeds the maximum of ${max} bytes.`);
  return { size, signature: signed ? m[2] : undefined };
}

function hmacHex(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

/** Checks one chunk's signature (constant time); returns it as the next chunk's previous signature. */
function verifyChunk(opts: AwsChunkedOptions, previous: string, chunkHash: string, provided: string): string {
  const sts = ['AWS4-HMAC-SHA256-PAYLOAD', opts.amzDate, opts.scope, previous, EMPTY_SHA256, chunkHash].join('\n');
  if (!hexEquals(hmacHex(opts.signingKey, sts), provided)) throw s3Error('SignatureDoesNotMatch', undefined, { StringToSign: sts });
  return provided;
}

function hexEquals(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(provided, 'hex');
  return a.length === 32 && b.length === 32 && timingSafeEqual(a, b);
}

/** After `0;chunk-signature=…\r\n` of a signed body: an optional final CRLF, then nothing. */
async function finalCrlf(reader: ByteReader): Promise<Record<string, string>> {
  const rest = await reader.lineOrEnd();
  if ((rest !== undefined && rest !== '') || !(await reader.atEnd())) throw s3Error('InvalidRequest', 'Unexpected data after the final chunk.');
  return {};
}

/** `name:value\r\n` lines up to a blank line (or the end of the body, which some clients reach without one). */
async function readTrailers(reader: ByteReader): Promise<Record<string, string>> {
  const trailers: Record<string, string> = {};
  for (let n = 0; ; n++) {
    const line = await reader.lineOrEnd();
    if (line === undefined || line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0 || n >= 16) throw s3Error('MalformedTrailerError');
    trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  if (!(await reader.atEnd())) throw s3Error('MalformedTrailerError');
  return trailers;
}

/** Trailer string-to-sign: `AWS4-HMAC-SHA256-TRAILER`, date, scope, final chunk signature, hash of the trailers. */
function verifyTrailers(opts: AwsChunkedOptions, previous: string, trailers: Record<string, string>): void {
  const provided = trailers[TRAILER_SIGNATURE];
  if (provided === undefined) throw s3Error('SignatureDoesNotMatch', 'The trailer signature is missing.');
  const canonical = Object.entries(trailers).filter(([k]) => k !== TRAILER_SIGNATURE).map(([k, v]) => `${k}:${v}\n`).join('');
  const sts = ['AWS4-HMAC-SHA256-TRAILER', opts.amzDate, opts.scope, previous, createHash('sha256').update(canonical).digest('hex')].join('\n');
  if (!hexEquals(hmacHex(opts.signingKey, sts), provided)) throw s3Error('SignatureDoesNotMatch', undefined, { StringToSign: sts });
}

function checkTrailerChecksum(header: ChecksumHeader, trailers: Record<string, string>, sum: Checksum): void {
  const given = trailers[header];
  if (given === undefined) throw s3Error('MalformedTrailerError', `The trailer ${header} announced in x-amz-trailer is missing.`);
  const computed = sum.digest().toString('base64');
  if (given !== computed) {
    const alg = header.slice('x-amz-checksum-'.length).toUpperCase();
    throw s3Error('BadDigest', `The ${alg} you specified did not match the calculated checksum.`);
  }
}

/**
 * Streams a body through while hashing it; at the end it must equal the signed hex x-amz-content-sha256, else
 * XAmzContentSHA256Mismatch (with both hashes, as S3 reports them).
 */
export async function* verifyPayloadHash(source: AsyncIterable<Uint8Array>, expectedHex: string): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  for await (const chunk of source) {
    const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    hash.update(piece);
    yield piece;
  }
  const computed = hash.digest('hex');
  if (!hexEquals(computed, expectedHex.toLowerCase())) {
    throw s3Error('XAmzContentSHA256Mismatch', undefined, { ClientComputedContentSHA256: expectedHex, S3ComputedContentSHA256: computed });
  }
}

/** Pulls bytes from an async source on demand, holding at most one source chunk plus a partial line. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private readonly it: AsyncIterator<Uint8Array>;
  private ended = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.it.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    return true;
  }

  /** The next CRLF-terminated line (without CRLF); the body ending first is IncompleteBody. */
  async line(): Promise<string> {
    const line = await this.lineOrEnd();
    if (line === undefined) throw s3Error('IncompleteBody', TERMINATED);
    return line;
  }

  /** Like line(), but undefined when the body ends cleanly before any byte of a line. */
  async lineOrEnd(): Promise<string | undefined> {
    for (;;) {
      const at = this.buf.indexOf('\r\n');
      if (at >= 0) {
        const line = this.buf.subarray(0, at).toString('latin1');
        this.buf = this.buf.subarray(at + 2);
        return line;
      }
      if (this.buf.length > MAX_LINE) throw s3Error('InvalidChunkSizeError', 'Chunk header line is too long.');
      if (!(await this.pull())) {
        if (this.buf.length === 0) return undefined;
        throw s3Error('IncompleteBody', TERMINATED);
      }
    }
  }

  async *exactly(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.pull())) throw s3Error('IncompleteBody', TERMINATED);
      const take = Math.min(left, this.buf.length);
      yield this.buf.subarray(0, take);
      this.buf = this.buf.subarray(take);
      left -= take;
    }
  }

  async atEnd(): Promise<boolean> {
    while (this.buf.length === 0) if (!(await this.pull())) return true;
    return false;
  }
}
