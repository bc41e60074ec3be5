/**
 * Per-source-address limiter for failed authentication (brute force / credential stuffing).
 *
 * A token bucket per address: each failure takes a token, tokens refill at a steady rate, and an
 * address with no whole token left is blocked until one refills. Successful requests cost nothing.
 * Memory is bounded: a bucket that has refilled completely carries no information and is dropped,
 * and past `maxEntries` the least recently failing address is forgotten first.
 */

export interface AuthThrottleOptions {
  /** Failures allowed in a burst before blocking; default 20. */
  burst?: number;
  /** Tokens regained per second; default 2. */
  refillPerSecond?: number;
  /** Most addresses tracked at once; default 10 000. */
  maxEntries?: number;
}

export interface BlockState {
  blocked: boolean;
  /** Whole seconds until the next attempt would be allowed (0 when not blocked); for Retry-After. */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (epoch ms). */
  at: number;
}

/** IPv4 clients on a dual-stack socket appear as ::ffff:a.b.c.d; count them under a.b.c.d. */
function addressKey(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

export class AuthThrottle {
  private readonly burst: number;
  private readonly refillPerMs: number;
  private readonly maxEntries: number;
  /** Ordered least- to most-recently failing (re-inserted on every failure). */
  private readonly buckets = new Map<string, Bucket>();

  constructor(opts: AuthThrottleOptions = {}) {
    this.burst = opts.burst ?? 20;
    this.refillPerMs = (opts.refillPerSecond ?? 2) / 1000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    if (!(this.burst >= 1) || !(this.refillPerMs > 0) || !(this.maxEntries >= 1)) {
      throw new RangeError('AuthThrottle: burst and maxEntries must be >= 1 and refillPerSecond > 0');
    }
  }

  /** Count one failed authentication from `ip`. */
  recordFailure(ip: string, now: number = Date.now()): void {
    const key = addressKey(ip);
    const tokens = this.tokensAt(this.buckets.get(key), now);
    this.buckets.delete(key);
    this.evict(now);
    // Failures while already blocked do not push the unblock time further out.
    this.buckets.set(key, { tokens: Math.max(0, tokens - 1), at: now });
  }

  /** Whether `ip` must be refused without even checking its credentials. */
  isBlocked(ip: string, now: number = Date.now()): BlockState {
    const tokens = this.tokensAt(this.buckets.get(addressKey(ip)), now);
    if (tokens >= 1) return { blocked: false, retryAfterSeconds: 0 };
    return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.refillPerMs / 1000)) };
  }

  /** Addresses currently tracked (for metrics and tests). */
  get size(): number {
    return this.buckets.size;
  }

  private tokensAt(bucket: Bucket | undefined, now: number): number {
    if (!bucket) return this.burst;
    // A clock that steps backwards must not mint tokens.
    const elapsed = Math.max(0, now - bucket.at);
    return Math.min(this.burst, bucket.tokens + elapsed * this.refillPerMs);
  }

  /** Drop refilled buckets from the old end, then the oldest ones if still at the cap. */
  private evict(now: number): void {
    for (const [key, bucket] of this.buckets) {
      // Stopping at the first bucket that is not yet full keeps this O(evicted); idle buckets behind
      // it (Map order is by last failure, not by fullness) go on a later call or by the cap.
      if (this.tokensAt(bucket, now) < this.burst) break;
      this.buckets.delete(key);
    }
    while (this.buckets.size >= this.maxEntries) {
      this.buckets.delete(this.buckets.keys().next().value as string);
    }
  }
}
