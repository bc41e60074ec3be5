import { randomUUID } from 'node:crypto';
import type { CaptureDestination } from './destination.js';
import { captureObjectKey } from './destination.js';
import type { CaptureFormat } from './format.js';

/** One (deployment, variant): everything a write needs, resolved once when its first record arrives. */
export interface CaptureSink {
  accountId: string;
  region: string;
  endpoint: string;
  variant: string;
  roleArn: string;
  kmsKeyId?: string;
  dest: CaptureDestination;
  format: CaptureFormat;
  /** Open streams by hour (epoch hours of the inference time): files never straddle an hour folder. */
  streams: Map<number, CaptureStream>;
  /** Buffered bytes of all its streams' records: pending, being written or awaiting a retry. */
  bufferedBytes: number;
  /** Its streams whose last write failed. While any does, the sink may buffer only a little (see CaptureWriter). */
  failingStreams: number;
}

/** Records cut into one object; kept unchanged (same key, same bytes) across retries, so a retry is idempotent. */
export interface CaptureBatch {
  key: string;
  body: Buffer;
  /** Buffered-bytes accounting of its records (released once written). */
  bytes: number;
  records: number;
}

/**
 * The records of one (endpoint, variant, hour) waiting for S3, and the one batch of them being written or
 * awaiting a retry. At most one write per stream is in flight (`running`), so objects appear in order.
 */
export class CaptureStream {
  #lines: string[] = [];
  #firstTimes: Date[] = [];
  /** Buffered bytes of the lines not yet cut into a batch. */
  pendingBytes = 0;
  batch: CaptureBatch | undefined;
  running: Promise<boolean> | undefined;
  failures = 0;
  /** Clock time (ms) before which a failed batch is not retried by the background tick. */
  retryAt = 0;

  constructor(readonly sink: CaptureSink, readonly hour: number) {}

  push(line: string, inferenceTime: Date, bytes: number): void {
    this.#lines.push(line);
    // Only the first record of each future object needs its time; keeping all is one pointer each.
    this.#firstTimes.push(inferenceTime);
    this.pendingBytes += bytes;
  }

  get idle(): boolean {
    return this.#lines.length === 0 && this.batch === undefined && this.running === undefined;
  }

  get hasWork(): boolean {
    return this.#lines.length > 0 || this.batch !== undefined;
  }

  /** The batch to write next: the failed one again, or up to maxObjectBytes of the oldest pending records. */
  nextBatch(maxObjectBytes: number): CaptureBatch | undefined {
    if (this.batch) return this.batch;
    if (this.#lines.length === 0) return undefined;
    let n = 0;
    let bytes = 0;
    // At least one record, even an oversized one: a single record is never split across objects.
    while (n < this.#lines.length && (n === 0 || bytes + this.#lines[n].length + 1 <= maxObjectBytes)) {
      bytes += this.#lines[n].length + 1;
      n++;
    }
    const lines = this.#lines.splice(0, n);
    const first = this.#firstTimes.splice(0, n)[0];
    this.pendingBytes -= bytes;
    const s = this.sink;
    this.batch = {
      key: captureObjectKey(s.dest.prefix, s.endpoint, s.variant, first, randomUUID()),
      body: Buffer.from(`${lines.join('\n')}\n`, 'utf8'),
      bytes,
      records: n,
    };
    return this.batch;
  }
}
