/**
 * aws-chunked decoding against chunk signatures made by the real client-side signer (@smithy/signature-v4's event
 * signing is the same `AWS4-HMAC-SHA256-PAYLOAD` chain with empty headers), and the seed request verified by our
 * own verifier. Trailer signatures follow the S3 documentation (no SDK signs them).
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../protocol/errors.js';
import { checksum, checksumBase64 } from './checksums.js';
import { decodeAwsChunked, verifyPayloadHash, type AwsChunkedOptions } from './sigv4-streaming.js';
import { signingKey } from './sigv4-key.js';
import { NOW, SECRET, signer, signed, verify } from './sigv4-test-sdk.js';

const HOST = 'data.s3.us-east-1.amazonaws.com';
const DATE = '20240501T100000Z';
const SCOPE = '20240501/us-east-1/s3/aws4_request';
const KEY = signingKey(SECRET, '20240501', 'us-east-1', 's3');
const EMPTY = createHash('sha256').digest('hex');

/** Object bytes, cut into 64 KiB aws-chunks as SDKs do. */
const DATA = Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 31) % 251));
const CHUNK = 65_536;

async function seedRequest(): Promise<{ seed: string }> {
  const req = await signed({
    method: 'PUT', protocol: 'https:', hostname: HOST, path: '/big.bin', query: {},
    headers: {
      host: HOST, 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'x-amz-decoded-content-length': String(DATA.length),
    },
  }, { service: 's3', uriEscapePath: false });
  // The seed request itself must pass our verifier in streaming mode.
  verify(req, { s3Uri: true, streamingBody: true, services: ['s3'] });
  return { seed: /Signature=([0-9a-f]{64})/.exec(req.headers.authorization)![1] };
}

/** The signed aws-chunked body, each chunk signed by the SDK signer. */
async function signedBody(seed: string, data = DATA): Promise<{ body: Buffer; finalSig: string; sigs: string[] }> {
  const s = signer({ service: 's3' });
  const parts: Buffer[] = [];
  const sigs: string[] = [];
  let prior = seed;
  for (let at = 0; ; at += CHUNK) {
    const chunk = data.subarray(at, Math.min(at + CHUNK, data.length));
    prior = await s.sign({ headers: new Uint8Array(0), payload: chunk }, { priorSignature: prior, signingDate: NOW });
    sigs.push(prior);
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${prior}\r\n`), chunk, Buffer.from('\r\n'));
    if (chunk.length === 0) break;
  }
  return { body: Buffer.concat(parts), finalSig: prior, sigs };
}

function opts(seed: string, over: Partial<AwsChunkedOptions> = {}): AwsChunkedOptions {
  return { mode: 'signed', seedSignature: seed, signingKey: KEY, amzDate: DATE, scope: SCOPE, decodedLength: DATA.length, ...over };
}

/** Feeds `body` in awkward 1000-byte pieces so every boundary case of the parser is crossed. */
async function* pieces(body: Buffer, size = 1000): AsyncGenerator<Buffer> {
  for (let at = 0; at < body.length; at += size) yield body.subarray(at, at + size);
}

async function drain(it: AsyncIterable<Buffer>): Promise<{ data: Buffer; error?: ServiceError }> {
  const out: Buffer[] = [];
  try {
    for await (const b of it) out.push(b);
  } catch (e) {
    if (!(e instanceof ServiceError)) throw e;
    return { data: Buffer.concat(out), error: e };
  }
  return { data: Buffer.concat(out) };
}

describe('aws-chunked with chunk signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
  it('decodes an SDK-signed upload to the original bytes', async () => {
    const { seed } = await seedRequest();
    const { body } = await signedBody(seed);
    const { data, error } = await drain(decodeAwsChunked(pieces(body), opts(seed)));
    expect(error).toBeUndefined();
    expect(data.equals(DATA)).toBe(true);
  });

  it('a flipped byte fails that chunk with SignatureDoesNotMatch, releasing none of its bytes', async () => {
    const { seed } = await seedRequest();
    const { body } = await signedBody(seed);
    const tampered = Buffer.from(body);
    tampered[body.indexOf('\r\n') + 2 + CHUNK + 200] ^= 1; // a byte inside the second chunk's data
    const { data, error } = await drain(decodeAwsChunked(pieces(tampered), opts(seed)));
    expect(error).toMatchObject({ code: 'SignatureDoesNotMatch', httpStatus: 403 });
    expect(data.equals(DATA.subarray(0, CHUNK))).toBe(true);
  });

  it('the chain binds order and seed: swapped chunks or another seed fail', async () => {
    const { seed } = await seedRequest();
    const { body } = await signedBody(seed);
    const other = 'f'.repeat(64);
    expect((await drain(decodeAwsChunked(pieces(body), opts(other)))).error?.code).toBe('SignatureDoesNotMatch');
    const chunkLen = body.indexOf('\r\n') + 2 + CHUNK + 2;
    const swapped = Buffer.concat([body.subarray(chunkLen, 2 * chunkLen), body.subarray(0, chunkLen), body.subarray(2 * chunkLen)]);
    expect((await drain(decodeAwsChunked(pieces(swapped), opts(seed)))).error?.code).toBe('SignatureDoesNotMatch');
  });

  it('a truncated body is IncompleteBody; a wrong decoded length too', async () => {
    const { seed } = await seedRequest();
    const { body } = await signedBody(seed);
    for (const cut of [10, CHUNK + 100, body.length - 3]) {
      expect((await drain(decodeAwsChunked(pieces(body.subarray(0, cut)), opts(seed)))).error?.code).toBe('IncompleteBody');
    }
    expect((await drain(decodeAwsChunked(pieces(body), opts(seed, { decodedLength: DATA.length + 1 })))).error?.code).toBe('IncompleteBody');
    expect((await drain(decodeAwsChunked(pieces(body), opts(seed, { decodedLength: 10 })))).error?.code).toBe('IncompleteBody');
  });

  it('refuses oversized or garbled chunk headers and unsigned chunks', async () => {
    const { seed } = await seedRequest();
    const huge = Buffer.from(`2000000;chunk-signature=${'0'.repeat(64)}\r\n`);
    expect((await drain(decodeAwsChunked(pieces(huge), opts(seed, { maxChunkSize: 1 << 20 })))).error?.code).toBe('InvalidChunkSizeError');
    expect((await drain(decodeAwsChunked(pieces(Buffer.from('zz;chunk-signature=x\r\n')), opts(seed)))).error?.code).toBe('InvalidChunkSizeError');
    expect((await drain(decodeAwsChunked(pieces(Buffer.from('5\r\nhello\r\n0\r\n\r\n')), opts(seed)))).error?.code).toBe('SignatureDoesNotMatch');
  });
});

/** A body with a trailer, as the S3 docs lay it out; chunks unsigned or signed with our own HMAC chain. */
function trailerBody(data: Buffer, trailers: string[], seed?: string): { body: Buffer; finalSig?: string } {
  const parts: Buffer[] = [];
  let prior = seed;
  for (let at = 0; ; at += CHUNK) {
    const chunk = data.subarray(at, Math.min(at + CHUNK, data.length));
    let ext = '';
    if (prior !== undefined) {
      const sts = ['AWS4-HMAC-SHA256-PAYLOAD', DATE, SCOPE, prior, EMPTY, createHash('sha256').update(chunk).digest('hex')].join('\n');
      prior = createHmac('sha256', KEY).update(sts).digest('hex');
      ext = `;chunk-signature=${prior}`;
    }
    parts.push(Buffer.from(`${chunk.length.toString(16)}${ext}\r\n`));
    if (chunk.length === 0) break;
    parts.push(chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(trailers.map((t) => `${t}\r\n`).join('') + '\r\n'));
  return { body: Buffer.concat(parts), finalSig: prior };
}

describe('aws-chunked with trailing checksums', () => {
  const crc32 = `x-amz-checksum-crc32:${checksumBase64('CRC32', DATA)}`;
  const unsigned = (over: Partial<AwsChunkedOptions> = {}) => opts('', { mode: 'unsigned-trailer', trailerChecksum: 'x-amz-checksum-crc32', ...over });

  it('STREAMING-UNSIGNED-PAYLOAD-TRAILER: verifies the CRC32 and reports the trailers', async () => {
    let seen: Record<string, string> = {};
    const { data, error } = await drain(decodeAwsChunked(pieces(trailerBody(DATA, [crc32]).body, 777), unsigned({ onTrailers: (t) => { seen = t; } })));
    expect(error).toBeUndefined();
    expect(data.equals(DATA)).toBe(true);
    expect(seen).toEqual({ 'x-amz-checksum-crc32': checksumBase64('CRC32', DATA) });
  });

  it('a checksum that does not match is BadDigest; a missing one MalformedTrailerError', async () => {
    const bad = `x-amz-checksum-crc32:${checksumBase64('CRC32', Buffer.from('other'))}`;
    expect((await drain(decodeAwsChunked(pieces(trailerBody(DATA, [bad]).body), unsigned()))).error)
      .toMatchObject({ code: 'BadDigest', message: 'The CRC32 you specified did not match the calculated checksum.' });
    expect((await drain(decodeAwsChunked(pieces(trailerBody(DATA, []).body), unsigned()))).error?.code).toBe('MalformedTrailerError');
  });

  it('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: chunk chain plus trailer signature (CRC32C)', async () => {
    const seed = 'a'.repeat(64);
    const crc32c = `x-amz-checksum-crc32c:${checksumBase64('CRC32C', DATA)}`;
    const { finalSig } = trailerBody(DATA, [], seed);
    const sts = ['AWS4-HMAC-SHA256-TRAILER', DATE, SCOPE, finalSig, createHash('sha256').update(`${crc32c}\n`).digest('hex')].join('\n');
    const trailerSig = createHmac('sha256', KEY).update(sts).digest('hex');
    const o = opts(seed, { mode: 'signed-trailer', trailerChecksum: 'x-amz-checksum-crc32c' });
    const good = trailerBody(DATA, [crc32c, `x-amz-trailer-signature:${trailerSig}`], seed).body;
    const { data, error } = await drain(decodeAwsChunked(pieces(good), o));
    expect(error).toBeUndefined();
    expect(data.equals(DATA)).toBe(true);
    const forged = trailerBody(DATA, [crc32c, `x-amz-trailer-signature:${'0'.repeat(64)}`], seed).body;
    expect((await drain(decodeAwsChunked(pieces(forged), o))).error?.code).toBe('SignatureDoesNotMatch');
  });
});

describe('verifyPayloadHash and checksums', () => {
  it('passes a body matching its signed x-amz-content-sha256 and fails one that does not, at the end', async () => {
    const hex = createHash('sha256').update(DATA).digest('hex');
    expect((await drain(verifyPayloadHash(pieces(DATA), hex))).data.equals(DATA)).toBe(true);
    const { data, error } = await drain(verifyPayloadHash(pieces(DATA), EMPTY));
    expect(data.length).toBe(DATA.length);
    expect(error).toMatchObject({ code: 'XAmzContentSHA256Mismatch', httpStatus: 400, extra: { S3ComputedContentSHA256: hex } });
  });

  it('CRC32 and CRC32C match the standard check values, incrementally', () => {
    const check = (alg: 'CRC32' | 'CRC32C', input: Buffer) => {
      const c = checksum(alg);
      for (let at = 0; at < input.length; at += 7) c.update(input.subarray(at, at + 7));
      return c.digest().toString('hex');
    };
    expect(check('CRC32', Buffer.from('123456789'))).toBe('cbf43926');
    expect(check('CRC32C', Buffer.from('123456789'))).toBe('e3069283');
    expect(check('CRC32C', Buffer.alloc(32, 0))).toBe('8a9136aa'); // RFC 3720 B.4
    expect(check('CRC32C', Buffer.alloc(32, 0xff))).toBe('62a8ab43');
    expect(checksumBase64('SHA256', Buffer.from(''))).toBe(Buffer.from(EMPTY, 'hex').toString('base64'));
  });
});
