/**
 * Test-only: the SDK harness for S3, which streams. Streaming operations get their body as `req.stream` (and an
 * empty `body`), as the gateway hands it over; aws-chunked bodies (the SDK's trailing-checksum uploads) are
 * decoded first with the real decoder, as the gateway's streaming wrapper does.
 */
import { Readable } from 'node:stream';
import { decodeAwsChunked } from '../../auth/sigv4-streaming.js';
import { algorithmOfHeader, type ChecksumHeader } from '../../auth/checksums.js';
import type { ServiceModel } from '../schema.js';
import { isStreamingInput } from '../streaming.js';
import type { HttpRequest, Protocol } from '../types.js';
import { SdkHandler, type Exchange, type Impl } from './sdk-harness.js';

export class S3SdkHandler extends SdkHandler {
  /** Trailers the aws-chunked decoder reported for the last streaming request. */
  trailers: Record<string, string> = {};

  constructor(private readonly proto: Protocol, private readonly s3Model: ServiceModel, impl: Impl) {
    super(proto, s3Model, impl);
  }

  override serve(request: HttpRequest): Exchange {
    const name = this.proto.operationName(request, this.s3Model);
    const op = name ? this.s3Model.operations[name] : undefined;
    if (!op || !isStreamingInput(this.s3Model, op)) return super.serve(request);
    return super.serve({ ...request, body: Buffer.alloc(0), stream: this.bodyStream(request) });
  }

  private bodyStream(request: HttpRequest): Readable {
    const raw = Readable.from([request.body], { objectMode: false });
    const mode = request.headers['x-amz-content-sha256'];
    if (mode !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') return raw;
    const trailer = request.headers['x-amz-trailer'];
    const decodedLength = request.headers['x-amz-decoded-content-length'];
    const decoded = decodeAwsChunked(raw, {
      mode: 'unsigned-trailer', seedSignature: '', signingKey: Buffer.alloc(0), amzDate: '', scope: '',
      decodedLength: decodedLength === undefined ? undefined : Number(decodedLength),
      trailerChecksum: trailer && algorithmOfHeader(trailer) ? (trailer as ChecksumHeader) : undefined,
      onTrailers: (t) => { this.trailers = t; },
    });
    return Readable.from(decoded, { objectMode: false });
  }
}

export async function readAll(stream: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
