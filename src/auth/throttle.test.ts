import { describe, it, expect } from 'vitest';
import { AuthThrottle } from './throttle.js';

const T0 = 1_700_000_000_000;
const sec = (s: number) => T0 + s * 1000;

function fail(t: AuthThrottle, ip: string, times: number, now = T0): void {
  for (let i = 0; i < times; i++) t.recordFailure(ip, now);
}

describe('AuthThrottle', () => {
  it('allows a burst of 20 failures and blocks the 21st attempt', () => {
    const t = new AuthThrottle();
    fail(t, '10.0.0.1', 19);
    expect(t.isBlocked('10.0.0.1', T0)).toEqual({ blocked: false, retryAfterSeconds: 0 });
    fail(t, '10.0.0.1', 1);
    expect(t.isBlocked('10.0.0.1', T0)).toEqual({ blocked: true, retryAfterSeconds: 1 });
  });

  it('refills at 2 per second', () => {
    const t = new AuthThrottle();
    fail(t, '10.0.0.1', 20);
    expect(t.isBlocked('10.0.0.1', sec(0.49)).blocked).toBe(true);
    expect(t.isBlocked('10.0.0.1', sec(0.5)).blocked).toBe(false);
    // One token back, spent at once: blocked again.
    t.recordFailure('10.0.0.1', sec(0.5));
    expect(t.isBlocked('10.0.0.1', sec(0.5)).blocked).toBe(true);
    // After 10 s the whole burst is back.
    fail(t, '10.0.0.1', 19, sec(10.5));
    expect(t.isBlocked('10.0.0.1', sec(10.5)).blocked).toBe(false);
  });

  it('keeps addresses apart and treats IPv4-mapped IPv6 as IPv4', () => {
    const t = new AuthThrottle({ burst: 2 });
    fail(t, '::ffff:192.0.2.7', 1);
    fail(t, '192.0.2.7', 1);
    expect(t.isBlocked('192.0.2.7', T0).blocked).toBe(true);
    expect(t.isBlocked('192.0.2.8', T0).blocked).toBe(false);
    expect(t.isBlocked('2001:db8::1', T0).blocked).toBe(false);
  });

  it('reports Retry-After from the refill rate, and failures while blocked do not extend it', () => {
    const t = new AuthThrottle({ burst: 3, refillPerSecond: 0.1 });
    fail(t, 'a', 3);
    expect(t.isBlocked('a', T0)).toEqual({ blocked: true, retryAfterSeconds: 10 });
    fail(t, 'a', 50);
    expect(t.isBlocked('a', sec(4))).toEqual({ blocked: true, retryAfterSeconds: 6 });
    expect(t.isBlocked('a', sec(10)).blocked).toBe(false);
  });

  it('does not mint tokens when the clock steps backwards', () => {
    const t = new AuthThrottle({ burst: 1 });
    t.recordFailure('a', sec(100));
    expect(t.isBlocked('a', sec(50)).blocked).toBe(true);
  });

  it('drops buckets that have refilled completely', () => {
    const t = new AuthThrottle({ burst: 4, refillPerSecond: 1 });
    fail(t, 'old-1', 1);
    fail(t, 'old-2', 4);
    expect(t.size).toBe(2);
    t.recordFailure('new', sec(3.9)); // old-1 full again (3 + 3.9 ≥ 4), old-2 not yet (0 + 3.9)
    expect(t.size).toBe(2);
    expect(t.isBlocked('old-2', sec(3.9)).blocked).toBe(false);
    t.recordFailure('newer', sec(10)); // everything older is full by now
    expect(t.size).toBe(1);
  });

  it('caps memory, forgetting the least recently failing address first', () => {
    const t = new AuthThrottle({ burst: 1, refillPerSecond: 0.001, maxEntries: 100 });
    for (let i = 0; i < 1000; i++) t.recordFailure(`10.0.${i >> 8}.${i & 255}`, T0 + i);
    expect(t.size).toBe(100);
    expect(t.isBlocked('10.0.3.231', T0 + 1000).blocked).toBe(true); // the 1000th, most recent
    expect(t.isBlocked('10.0.0.0', T0 + 1000).blocked).toBe(false); // evicted
  });

  it('rejects nonsensical settings', () => {
    expect(() => new AuthThrottle({ burst: 0 })).toThrow(RangeError);
    expect(() => new AuthThrottle({ refillPerSecond: 0 })).toThrow(RangeError);
    expect(() => new AuthThrottle({ maxEntries: Number.NaN })).toThrow(RangeError);
  });
});
