/**
 * A FIFO async mutex. Transactions hold it for their whole (async) lifetime; plain statements only pass
 * through it (see `gated`), so they never run inside somebody else's open transaction on a shared connection.
 */
export class Mutex {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  get locked(): boolean {
    return this.held;
  }

  /** Resolves with a release function once the caller owns the mutex. */
  acquire(): Promise<() => void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => this.waiters.push(() => resolve(this.releaser())));
  }

  /** Resolves once nobody holds the mutex (used to drain before close). */
  async idle(): Promise<void> {
    (await this.acquire())();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      // A double release would hand the lock to two owners at once.
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.held = false;
    };
  }
}

/**
 * Runs `start` once `lock` is free. `start` must begin its work synchronously (a sync driver call, or a pg
 * `client.query` that queues at once): the lock is released as soon as the work is queued, not finished,
 * because the connection itself keeps the order from there on.
 */
export async function gated<T>(lock: Mutex, start: () => Promise<T> | T): Promise<T> {
  if (!lock.locked) return start();
  const release = await lock.acquire();
  let pending: Promise<T> | T;
  try {
    pending = start();
  } finally {
    release();
  }
  return pending;
}
