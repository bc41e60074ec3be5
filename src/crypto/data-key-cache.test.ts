import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DataKeyCache, type DataKeyMaterial } from './data-key-cache.js';

const ARN = 'arn:aws:kms:us-east-1:123456789012:key/k1';
const CTX = { bucket: 'b', purpose: 'capture' };
const material = (keyArn = ARN): DataKeyMaterial => ({ keyArn, plaintext: randomBytes(32), encryptedKey: randomBytes(60) });

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('DataKeyCache (encrypt side)', () => {
  it('hands out a cached key for the same key id and canonical context only', () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000 });
    const m = material();
    cache.putForEncrypt('alias/capture', CTX, m, 10);
    expect(cache.takeForEncrypt('alias/capture', { purpose: 'capture', bucket: 'b' }, 10)?.plaintext).toEqual(m.plaintext);
    expect(cache.takeForEncrypt('alias/capture', { bucket: 'b' }, 10)).toBeUndefined();
    expect(cache.takeForEncrypt('alias/other', CTX, 10)).toBeUndefined();
  });

  it('expires by age on the injected clock, exactly at maxAgeMs', () => {
    const c = clock();
    const cache = new DataKeyCache({ maxAgeMs: 1000, now: c.now });
    cache.putForEncrypt('k', CTX, material(), 1);
    c.advance(999);
    expect(cache.takeForEncrypt('k', CTX, 1)).toBeDefined();
    c.advance(1);
    expect(cache.takeForEncrypt('k', CTX, 1)).toBeUndefined();
    expect(cache.size.encrypt).toBe(0);
  });

  it('never exceeds maxUses messages per key (the put counts as the first use)', () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000, maxUses: 3 });
    cache.putForEncrypt('k', CTX, material(), 1);
    expect(cache.takeForEncrypt('k', CTX, 1)).toBeDefined();
    expect(cache.takeForEncrypt('k', CTX, 1)).toBeDefined();
    expect(cache.takeForEncrypt('k', CTX, 1)).toBeUndefined();
    const single = new DataKeyCache({ maxAgeMs: 60_000, maxUses: 1 });
    single.putForEncrypt('k', CTX, material(), 1);
    expect(single.takeForEncrypt('k', CTX, 1)).toBeUndefined();
  });

  it('never exceeds maxBytes per key, counting the bytes reserved up front', () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000, maxBytes: 100 });
    cache.putForEncrypt('k', CTX, material(), 40);
    expect(cache.takeForEncrypt('k', CTX, 60)).toBeDefined(); // exactly at the limit
    expect(cache.takeForEncrypt('k', CTX, 1)).toBeUndefined();
    cache.putForEncrypt('k', CTX, material(), 101); // a message larger than the budget is never cached
    expect(cache.size.encrypt).toBe(0);
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000, maxEntries: 2 });
    cache.putForEncrypt('a', CTX, material(), 1);
    cache.putForEncrypt('b', CTX, material(), 1);
    cache.takeForEncrypt('a', CTX, 1); // a is now the most recent
    cache.putForEncrypt('c', CTX, material(), 1);
    expect(cache.takeForEncrypt('b', CTX, 1)).toBeUndefined();
    expect(cache.takeForEncrypt('a', CTX, 1)).toBeDefined();
    expect(cache.takeForEncrypt('c', CTX, 1)).toBeDefined();
  });

  it('returns copies, so a caller wiping its key cannot corrupt the cache', () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000 });
    const m = material();
    const original = Buffer.from(m.plaintext);
    cache.putForEncrypt('k', CTX, m, 1);
    m.plaintext.fill(0);
    const got = cache.takeForEncrypt('k', CTX, 1)!;
    expect(got.plaintext).toEqual(original);
    got.plaintext.fill(0);
    expect(cache.takeForEncrypt('k', CTX, 1)!.plaintext).toEqual(original);
  });
});

describe('DataKeyCache (decrypt side)', () => {
  it('maps (key ARN, encrypted key, context) to the data key until maxAgeMs', () => {
    const c = clock();
    const cache = new DataKeyCache({ maxAgeMs: 500, now: c.now });
    const m = material();
    cache.putForDecrypt(ARN, m.encryptedKey, CTX, m.plaintext);
    expect(cache.getForDecrypt(ARN, m.encryptedKey, { purpose: 'capture', bucket: 'b' })).toEqual(m.plaintext);
    expect(cache.getForDecrypt(ARN, m.encryptedKey, { bucket: 'b' })).toBeUndefined();
    expect(cache.getForDecrypt(`${ARN}x`, m.encryptedKey, CTX)).toBeUndefined();
    expect(cache.getForDecrypt(ARN, randomBytes(60), CTX)).toBeUndefined();
    c.advance(500);
    expect(cache.getForDecrypt(ARN, m.encryptedKey, CTX)).toBeUndefined();
  });

  it('keeps the directions apart: an encryption entry never answers a decrypt', () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000 });
    const m = material();
    cache.putForEncrypt(ARN, CTX, m, 1);
    expect(cache.getForDecrypt(ARN, m.encryptedKey, CTX)).toBeUndefined();
  });

  it('invalidates by key ARN, by requested key id, or entirely', () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000 });
    const m1 = material(ARN);
    const m2 = material(`${ARN}-2`);
    cache.putForEncrypt('alias/one', CTX, m1, 1);
    cache.putForEncrypt('alias/two', CTX, m2, 1);
    cache.putForDecrypt(ARN, m1.encryptedKey, CTX, m1.plaintext);
    cache.putForDecrypt(m2.keyArn, m2.encryptedKey, CTX, m2.plaintext);
    cache.invalidate(ARN);
    expect(cache.size).toEqual({ encrypt: 1, decrypt: 1 });
    cache.invalidate('alias/two');
    expect(cache.size).toEqual({ encrypt: 0, decrypt: 1 });
    cache.invalidate();
    expect(cache.size).toEqual({ encrypt: 0, decrypt: 0 });
  });

  it('rejects nonsensical limits', () => {
    expect(() => new DataKeyCache({ maxAgeMs: 0 })).toThrow(RangeError);
    expect(() => new DataKeyCache({ maxAgeMs: 1, maxUses: 1.5 })).toThrow(RangeError);
    expect(() => new DataKeyCache({ maxAgeMs: 1, maxEntries: -1 })).toThrow(RangeError);
  });
});
