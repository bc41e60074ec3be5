import { Readable } from 'node:stream';
import { decodeAwsChunked, verifyPayloadHash } from '../../auth/sigv4-streaming.js';
import type { ChecksumHeader } from '../../auth/checksums.js';
import type { RequestContext } from '../../gateway/context.js';
import { s3Error } from '../../protocol/s3-errors.js';
import type { StreamingAuth } from '../types.js';

const MODES: Record<string, 'signed' | 'unsigned-trailer' | 'signed-trailer'> = {
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD': 'signed',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER': 'unsigned-trailer',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': 'signed-trailer',
};
const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * Puts the right checks in front of an upload's stream once its signature verified: aws-chunked decoding
 * (chunk signatures, decoded length, trailing checksum), or a check against a signed x-amz-content-sha256.
 * The checks fail the stream at the end at the latest, so the S3 service commits nothing before they pass.
 */
export function wrapS3StreamingBody(ctx: RequestContext, auth: StreamingAuth): void {
  const req = ctx.request;
  const source = req.stream;
  if (!source) return;
  const mode = MODES[auth.payloadHash];
  if (mode) {
    const decoded = req.headers['x-amz-decoded-content-length'];
    if (decoded === undefined || !/^\d+$/.test(decoded)) throw s3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.');
    const trailer = req.headers['x-amz-trailer']?.toLowerCase() as ChecksumHeader | undefined;
    req.stream = Readable.from(decodeAwsChunked(source, {
      mode, seedSignature: auth.seedSignature, signingKey: auth.signingKey, amzDate: auth.amzDate, scope: auth.scope,
      decodedLength: Number(decoded), trailerChecksum: trailer,
    }), { objectMode: false });
  } else if (HEX64.test(auth.payloadHash)) {
    req.stream = Readable.from(verifyPayloadHash(source, auth.payloadHash.toLowerCase()), { objectMode: false });
  } else if (auth.payloadHash !== 'UNSIGNED-PAYLOAD') {
    throw s3Error('InvalidArgument', `x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-… or a SHA-256 hash`);
  }
}
