import type { Logger } from 'pino';
import type { AuditStore } from '../state/types.js';

/**
 * Writes audit events. Management write events are awaited (durable before the response is sent); read and
 * data events are group-committed: buffered and flushed together after at most `maxDelayMs`, in batches small
 * enough (128) that one commit never holds the event loop for more than about a millisecond.
 */
export class AuditWriter {
  private buffer: Record<string, unknown>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: AuditStore,
    private readonly log: Logger,
    private readonly opts: { maxDelayMs: number; maxBatch: number } = { maxDelayMs: 200, maxBatch: 128 },
  ) {}

  /** Durable write: resolves once the event is committed. */
  async writeNow(event: Record<string, unknown>): Promise<void> {
    await this.store.append([event]);
  }

  /** Buffered write for read-only and data events. */
  enqueue(event: Record<string, unknown>): void {
    this.buffer.push(event);
    if (this.buffer.length >= this.opts.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.maxDelayMs);
  }

  /** Writes everything buffered so far; safe to call concurrently. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() =>
      this.store.append(batch).catch((err: unknown) => {
        // Losing audit records silently is not acceptable: put them back and let the next flush retry.
        this.log.error({ err, count: batch.length }, 'audit batch write failed; will retry');
        this.buffer.unshift(...batch);
        this.timer ??= setTimeout(() => void this.flush(), this.opts.maxDelayMs * 5);
      }),
    );
    return this.flushing;
  }
}
