/**
 * SigV4 signing-key derivation with a small LRU cache.
 *
 * A key is valid for one secret + day + region + service, so nearly every request of a busy
 * client hits the cache and skips four HMACs. Region and service come from the request and the
 * key is derived before the signature is checked, so anyone who knows a valid access key id could
 * make us derive arbitrary scopes: the cache is bounded (least recently used goes first).
 */
import { createHmac } from 'node:crypto';

const MAX_CACHED_KEYS = 1000;
const cache = new Map<string, Buffer>();

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function derive(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac('AWS4' + secret, date), region), service), 'aws4_request');
}

/** kSigning for the scope. The returned Buffer is shared with the cache: do not mutate it. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  // Scope parts never contain '/', and the secret is part of the id so a rotated secret never
  // reuses a stale key.
  const id = date + '/' + region + '/' + service + '\n' + secret;
  const hit = cache.get(id);
  if (hit) {
    // Re-insert so Map iteration order stays least-recently-used first.
    cache.delete(id);
    cache.set(id, hit);
    return hit;
  }
  const key = derive(secret, date, region, service);
  if (cache.size >= MAX_CACHED_KEYS) cache.delete(cache.keys().next().value as string);
  cache.set(id, key);
  return key;
}

/** For tests and for dropping secrets from memory (e.g. after key deletion). */
export function clearSigningKeyCache(): void {
  cache.clear();
}

export function signingKeyCacheSize(): number {
  return cache.size;
}
