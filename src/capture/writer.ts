import type { Logger } from 'pino';
import { DataKeyCache } from '../crypto/data-key-cache.js';
import type { InvokeRequest, InvokeResult, LiveEndpoint, LiveVariant, RoleSessions } from '../inference/types.js';
import type { Clock, InternalCaller } from '../server/deps.js';
import { parseDestination } from './destination.js';
import { captureFormat, formatRecord, type CaptureMeta } from './format.js';
import { CaptureStream, type CaptureBatch, type CaptureSink } from './stream.js';

export type { CaptureMeta } from './format.js';

export interface CaptureWriterOptions {
  internal: InternalCaller;
  roles: RoleSessions;
  clock: Clock;
  log: Logger;
  /** Group commit: every stream with records is written at least this often (default 1000 ms). */
  flushIntervalMs?: number;
  /**
   * Memory bound over every stream, written or waiting for a retry (default 64 MiB); beyond it records are dropped.
   * Destinations whose writes are failing get far less (see FAILING_SINK_OBJECTS), so they cannot use it all up.
   */
  maxBufferedBytes?: number;
  /** An object is cut at this size, and written at once without waiting for the interval (default 8 MiB). */
  maxObjectBytes?: number;
  /** Sampling source in [0, 1) (tests inject a deterministic one). */
  random?: () => number;
  /** Data keys are reused for this long per execution role (default 5 min): one KMS call per key lifetime. */
  dataKeyMaxAgeMs?: number;
}

export interface CaptureStats {
  /** Records sampled and buffered. */
  captured: number;
  /** Records sampled but not kept (buffer full, bad destination, writer closed). */
  dropped: number;
  /** Records durably written to S3. */
  written: number;
  /** Objects written to S3. */
  objectsWritten: number;
  /** PutObject attempts that failed (each failed batch is kept and retried). */
  failedWrites: number;
  bufferedBytes: number;
}

const HOUR_MS = 3_600_000;
const DROP_LOG_INTERVAL_MS = 60_000;
const MAX_BACKOFF_MS = 60_000;
const SAGEMAKER = 'sagemaker.amazonaws.com';
/**
 * While a destination (endpoint, variant) has a failing write, it may buffer at most this many maxObjectBytes (its
 * stuck batch included) and all failing destinations together at most FAILING_SHARE of maxBufferedBytes; its newer
 * records are dropped beyond that, so a bucket that is gone or denies the role cannot starve every other endpoint.
 */
export const FAILING_SINK_OBJECTS = 2;
export const FAILING_SHARE = 0.5;

/**
 * Model Monitor data capture (spec §1): samples InvokeEndpoint traffic, formats each record as one JSON line,
 * and writes them to the endpoint's DestinationS3Uri through the gateway as the variant's execution role, so IAM,
 * bucket policies, KMS key policies and CloudTrail all apply as in AWS.
 *
 * record() runs on the request path: it samples, formats and buffers synchronously and never waits for S3.
 * Writes are group commits, one object per stream (endpoint, variant, hour) per flush, at most one in flight
 * per stream. Memory is bounded: when maxBufferedBytes is reached the newest records are dropped and counted,
 * while failed batches are kept and retried with backoff; a destination whose writes fail is held to a small
 * share (FAILING_SINK_OBJECTS) so healthy endpoints keep capturing. Objects are SSE-KMS with an S3 Bucket Key and
 * a data key cached per execution role, so KMS is called once per key lifetime rather than once per object.
 */
export class CaptureWriter {
  readonly #o: Required<Omit<CaptureWriterOptions, 'random'>> & { random: () => number };
  readonly #sinks = new WeakMap<LiveEndpoint, Map<string, CaptureSink | null>>();
  readonly #active = new Set<CaptureStream>();
  /** Sinks with at least one failing stream (usually none): their buffers are capped. */
  readonly #failingSinks = new Set<CaptureSink>();
  /** One per execution role: a cache hit skips KMS authorization, so keys are never shared between principals. */
  readonly #keyCaches = new Map<string, DataKeyCache>();
  readonly #timer: NodeJS.Timeout;
  #captured = 0;
  #dropped = 0;
  #written = 0;
  #objects = 0;
  #failedWrites = 0;
  #bufferedBytes = 0;
  #droppedSinceLog = 0;
  #lastDropLog = Number.NEGATIVE_INFINITY;
  #closed = false;

  constructor(opts: CaptureWriterOptions) {
    this.#o = {
      flushIntervalMs: 1000, maxBufferedBytes: 64 * 1024 * 1024, maxObjectBytes: 8 * 1024 * 1024, dataKeyMaxAgeMs: 5 * 60_000,
      random: Math.random, ...opts,
    };
    this.#timer = setInterval(() => this.#tick(), this.#o.flushIntervalMs);
    // Pending records are flushed by close(); the timer alone must not keep a process alive.
    this.#timer.unref();
  }

  /** Synchronous and cheap: samples, formats one JSONL record, buffers it. Never blocks the request path. */
  record(ep: LiveEndpoint, variant: LiveVariant, req: InvokeRequest, res: InvokeResult | undefined, meta: CaptureMeta): void {
    const cap = ep.capture;
    if (!cap?.enabled || !(this.#o.random() * 100 < cap.samplingPercentage)) return;
    try {
      const sink = this.#sinkFor(ep, variant);
      if (this.#closed || !sink) return this.#drop();
      const line = formatRecord(sink.format, req, res, meta);
      if (line === undefined) return;
      const bytes = line.length + 1;
      if (this.#bufferedBytes + bytes > this.#o.maxBufferedBytes) return this.#drop();
      if (sink.failingStreams > 0 && !this.#failingSinkFits(sink, bytes)) return this.#drop();
      const hour = Math.floor(meta.inferenceTime.getTime() / HOUR_MS);
      let stream = sink.streams.get(hour);
      if (!stream) {
        stream = new CaptureStream(sink, hour);
        sink.streams.set(hour, stream);
      }
      this.#active.add(stream);
      stream.push(line, meta.inferenceTime, bytes);
      this.#captured++;
      this.#bufferedBytes += bytes;
      sink.bufferedBytes += bytes;
      // A full object goes now rather than at the next tick, off the request path.
      if (stream.pendingBytes >= this.#o.maxObjectBytes && !stream.running && !stream.batch) {
        const s = stream;
        setImmediate(() => void this.#start(s));
      }
    } catch (err) {
      // Capture must never fail an invocation.
      this.#drop();
      this.#o.log.warn({ err: errorSummary(err), endpoint: ep.name }, 'data capture could not record an invocation');
    }
  }

  stats(): CaptureStats {
    return {
      captured: this.#captured, dropped: this.#dropped, written: this.#written, objectsWritten: this.#objects,
      failedWrites: this.#failedWrites, bufferedBytes: this.#bufferedBytes,
    };
  }

  /** Writes everything buffered, retrying failed batches once now whatever their backoff (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.#active].map((s) => this.#drain(s)));
  }

  /** Stops sampling (later records are dropped) and flushes what is buffered. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.flush();
  }

  /** Forget cached data keys (a key policy or grant changed, a key was disabled): the next write asks KMS. */
  invalidateKeys(roleArn?: string): void {
    if (roleArn === undefined) for (const c of this.#keyCaches.values()) c.invalidate();
    else this.#keyCaches.get(roleArn)?.invalidate();
  }

  #drop(): void {
    this.#dropped++;
    this.#droppedSinceLog++;
    const now = this.#o.clock.now().getTime();
    if (now - this.#lastDropLog < DROP_LOG_INTERVAL_MS) return;
    this.#lastDropLog = now;
    this.#o.log.warn({
      dropped: this.#droppedSinceLog, bufferedBytes: this.#bufferedBytes, maxBufferedBytes: this.#o.maxBufferedBytes,
      failingDestinations: [...this.#failingSinks].map((s) => `${s.endpoint}/${s.variant}`),
    }, 'data capture is dropping records (buffer full, destination failing or invalid, or writer closed)');
    this.#droppedSinceLog = 0;
  }

  /** Whether a failing sink may buffer `bytes` more: within its own cap and the failing sinks' share. */
  #failingSinkFits(sink: CaptureSink, bytes: number): boolean {
    if (sink.bufferedBytes + bytes > FAILING_SINK_OBJECTS * this.#o.maxObjectBytes) return false;
    let failing = bytes;
    for (const s of this.#failingSinks) failing += s.bufferedBytes;
    return failing <= FAILING_SHARE * this.#o.maxBufferedBytes;
  }

  /** Sinks are cached per deployment snapshot: an UpdateEndpoint's new config gets new sinks, old ones drain. */
  #sinkFor(ep: LiveEndpoint, variant: LiveVariant): CaptureSink | null {
    let byVariant = this.#sinks.get(ep);
    if (!byVariant) {
      byVariant = new Map();
      this.#sinks.set(ep, byVariant);
    }
    let sink = byVariant.get(variant.name);
    if (sink === undefined) {
      sink = this.#newSink(ep, variant);
      byVariant.set(variant.name, sink);
    }
    return sink;
  }

  #newSink(ep: LiveEndpoint, variant: LiveVariant): CaptureSink | null {
    const cap = ep.capture!;
    const dest = parseDestination(cap.destinationS3Uri);
    if (!dest) {
      this.#o.log.warn({ endpoint: ep.name, destination: cap.destinationS3Uri }, 'data capture destination is not an S3 URI; records are dropped');
      return null;
    }
    return {
      accountId: ep.accountId, region: ep.region, endpoint: ep.name, variant: variant.name, roleArn: variant.executionRoleArn,
      kmsKeyId: cap.kmsKeyId, dest, format: captureFormat(cap), streams: new Map(), bufferedBytes: 0, failingStreams: 0,
    };
  }

  #tick(): void {
    const now = this.#o.clock.now().getTime();
    for (const s of this.#active) {
      if (s.running) continue;
      if (s.idle) this.#retire(s);
      else if (s.hasWork && now >= s.retryAt) void this.#start(s);
    }
  }

  /** Waits for the stream's write in flight, then writes until it is empty or a write fails. */
  async #drain(s: CaptureStream): Promise<void> {
    for (;;) {
      if (s.running) await s.running;
      if (!s.hasWork) return;
      if (!(await this.#start(s))) return;
    }
  }

  /** Starts a write unless one is in flight; resolves to whether the stream's batch was written. */
  #start(s: CaptureStream): Promise<boolean> {
    if (s.running) return s.running;
    const running = this.#writeOne(s).finally(() => {
      s.running = undefined;
      if (s.idle) this.#retire(s);
    });
    s.running = running;
    return running;
  }

  async #writeOne(s: CaptureStream): Promise<boolean> {
    const batch = s.nextBatch(this.#o.maxObjectBytes);
    if (!batch) return true;
    try {
      await this.#put(s.sink, batch);
    } catch (err) {
      this.#failedWrites++;
      if (s.failures++ === 0 && s.sink.failingStreams++ === 0) this.#failingSinks.add(s.sink);
      const backoff = Math.min(MAX_BACKOFF_MS, this.#o.flushIntervalMs * 2 ** (s.failures - 1));
      s.retryAt = this.#o.clock.now().getTime() + backoff;
      // Bucket and key say where; never the payload.
      this.#o.log.warn({ err: errorSummary(err), endpoint: s.sink.endpoint, variant: s.sink.variant, bucket: s.sink.dest.bucket,
        key: batch.key, records: batch.records, attempt: s.failures, retryInMs: backoff }, 'data capture could not write to S3; will retry');
      return false;
    }
    s.batch = undefined;
    if (s.failures > 0 && --s.sink.failingStreams === 0) this.#failingSinks.delete(s.sink);
    s.failures = 0;
    s.retryAt = 0;
    this.#bufferedBytes -= batch.bytes;
    s.sink.bufferedBytes -= batch.bytes;
    this.#written += batch.records;
    this.#objects++;
    if (s.pendingBytes >= this.#o.maxObjectBytes) setImmediate(() => void this.#start(s));
    return true;
  }

  async #put(sink: CaptureSink, batch: CaptureBatch): Promise<void> {
    const principal = await this.#o.roles.principalFor(sink.roleArn, sink.accountId, sink.region);
    const input: Record<string, unknown> = {
      Bucket: sink.dest.bucket, Key: batch.key, Body: batch.body, ContentLength: batch.body.length, ContentType: 'application/jsonl',
      // No KmsKeyId: S3's AWS managed key (alias/aws/s3), SageMaker's documented default for its S3 outputs.
      ServerSideEncryption: 'aws:kms', BucketKeyEnabled: true,
    };
    if (sink.kmsKeyId !== undefined) input.SSEKMSKeyId = sink.kmsKeyId;
    await this.#o.internal.call(principal, 's3', 'PutObject', input, {
      region: sink.region, viaService: SAGEMAKER, dataKeyCache: this.#keyCache(sink.roleArn),
    });
  }

  #keyCache(roleArn: string): DataKeyCache {
    let cache = this.#keyCaches.get(roleArn);
    if (!cache) {
      cache = new DataKeyCache({ maxAgeMs: this.#o.dataKeyMaxAgeMs, maxEntries: 100, now: () => this.#o.clock.now().getTime() });
      this.#keyCaches.set(roleArn, cache);
    }
    return cache;
  }

  #retire(s: CaptureStream): void {
    this.#active.delete(s);
    if (s.sink.streams.get(s.hour) === s) s.sink.streams.delete(s.hour);
  }
}

function errorSummary(err: unknown): { name?: string; message?: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { message: String(err) };
}
