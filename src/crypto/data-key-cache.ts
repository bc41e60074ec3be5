import { createHash } from 'node:crypto';
import { contextKey, encodeContext } from './context-encoding.js';

/** A data key as KMS GenerateDataKey returns it. */
export interface DataKeyMaterial {
  keyArn: string;
  plaintext: Buffer;
  encryptedKey: Buffer;
}

export interface DataKeyCacheLimits {
  /** An entry is never handed out once this old (measured from when KMS issued the key). */
  maxAgeMs: number;
  /** Messages one cached data key may encrypt. Default: unlimited (2^53). */
  maxUses?: number;
  /** Plaintext bytes one cached data key may encrypt, summed over its messages. Default: unlimited (2^53). */
  maxBytes?: number;
  /** Entries kept per direction (encrypt, decrypt); the least recently used goes first. Default 1000. */
  maxEntries?: number;
  /** Injected clock (DESIGN principle 7), milliseconds. */
  now?: () => number;
}

interface EncryptEntry {
  material: DataKeyMaterial;
  createdAt: number;
  uses: number;
  bytes: number;
}

interface DecryptEntry {
  plaintext: Buffer;
  createdAt: number;
}

/**
 * Bounded cache of KMS data keys for hot paths (DESIGN principle 10), so that, e.g., data capture does not call
 * KMS per record. Encryption entries are keyed by keyId + canonical context and retire by age, uses or bytes;
 * a key is never handed out if that would cross a limit. Decryption entries map (key ARN, encrypted key, context)
 * to the plaintext key and retire by age.
 *
 * A hit skips the KMS call, and with it KMS's authorization and audit. Use one cache per acting principal (for
 * example the data-capture service role), never one shared between callers with different permissions. The two
 * directions are kept apart for the same reason: a principal allowed to GenerateDataKey must not gain Decrypt.
 * Call invalidate() when a key is disabled, deleted or its policy changes.
 */
export class DataKeyCache {
  readonly #limits: Required<Omit<DataKeyCacheLimits, 'now'>>;
  readonly #now: () => number;
  readonly #encrypt = new Map<string, EncryptEntry>();
  readonly #decrypt = new Map<string, DecryptEntry>();

  constructor(limits: DataKeyCacheLimits) {
    const { maxAgeMs, maxUses = Number.MAX_SAFE_INTEGER, maxBytes = Number.MAX_SAFE_INTEGER, maxEntries = 1000 } = limits;
    for (const [name, value] of Object.entries({ maxAgeMs, maxUses, maxBytes, maxEntries })) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`DataKeyCache ${name} must be a positive integer`);
    }
    this.#limits = { maxAgeMs, maxUses, maxBytes, maxEntries };
    this.#now = limits.now ?? Date.now;
  }

  /** Reserves one use and `bytes` of a cached key for a new message, or returns undefined if none may be used. */
  takeForEncrypt(keyId: string, context: Record<string, string>, bytes: number): DataKeyMaterial | undefined {
    const id = encryptId(keyId, context);
    const entry = this.#encrypt.get(id);
    if (!entry) return undefined;
    if (this.#expired(entry.createdAt) || entry.uses >= this.#limits.maxUses || entry.bytes + bytes > this.#limits.maxBytes) {
      // Spent for this request; a smaller later request could still fit, but KMS is about to issue a fresh key anyway.
      this.#encrypt.delete(id);
      return undefined;
    }
    entry.uses += 1;
    entry.bytes += bytes;
    touch(this.#encrypt, id, entry);
    if (entry.uses >= this.#limits.maxUses) this.#encrypt.delete(id);
    return cloneMaterial(entry.material);
  }

  /** Caches a key KMS just issued for a message of `bytes` bytes (counted as its first use). */
  putForEncrypt(keyId: string, context: Record<string, string>, material: DataKeyMaterial, bytes: number): void {
    const id = encryptId(keyId, context);
    if (this.#limits.maxUses <= 1 || bytes > this.#limits.maxBytes) {
      this.#encrypt.delete(id);
      return;
    }
    const entry = { material: cloneMaterial(material), createdAt: this.#now(), uses: 1, bytes };
    insertBounded(this.#encrypt, id, entry, this.#limits.maxEntries);
  }

  getForDecrypt(keyArn: string, encryptedKey: Buffer, context: Record<string, string>): Buffer | undefined {
    const id = decryptId(keyArn, encryptedKey, context);
    const entry = this.#decrypt.get(id);
    if (!entry) return undefined;
    if (this.#expired(entry.createdAt)) {
      this.#decrypt.delete(id);
      return undefined;
    }
    touch(this.#decrypt, id, entry);
    return Buffer.from(entry.plaintext);
  }

  /** Only for keys that verified an envelope, so a wrong key from a faulty provider is never remembered. */
  putForDecrypt(keyArn: string, encryptedKey: Buffer, context: Record<string, string>, plaintext: Buffer): void {
    const entry = { plaintext: Buffer.from(plaintext), createdAt: this.#now() };
    insertBounded(this.#decrypt, decryptId(keyArn, encryptedKey, context), entry, this.#limits.maxEntries);
  }

  /** Drops every entry, or those whose key ARN or requested key id equals `keyIdOrArn`. */
  invalidate(keyIdOrArn?: string): void {
    if (keyIdOrArn === undefined) {
      this.#encrypt.clear();
      this.#decrypt.clear();
      return;
    }
    for (const [id, entry] of this.#encrypt) {
      if (entry.material.keyArn === keyIdOrArn || id.startsWith(`${keyIdOrArn}\n`)) this.#encrypt.delete(id);
    }
    for (const id of this.#decrypt.keys()) if (id.startsWith(`${keyIdOrArn}\n`)) this.#decrypt.delete(id);
  }

  get size(): { encrypt: number; decrypt: number } {
    return { encrypt: this.#encrypt.size, decrypt: this.#decrypt.size };
  }

  #expired(createdAt: number): boolean {
    return this.#now() - createdAt >= this.#limits.maxAgeMs;
  }
}

/** Neither a key id nor an ARN contains a newline, so the prefix before it is unambiguous. */
function encryptId(keyId: string, context: Record<string, string>): string {
  return `${keyId}\n${contextKey(context)}`;
}

/** Hashed: encrypted keys can be kilobytes, and the id need only be collision-free. */
function decryptId(keyArn: string, encryptedKey: Buffer, context: Record<string, string>): string {
  const digest = createHash('sha256').update(lengthPrefixed(encryptedKey)).update(encodeContext(context)).digest('base64');
  return `${keyArn}\n${digest}`;
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

/** Map iteration order is insertion order: re-inserting makes an entry the most recently used. */
function touch<V>(map: Map<string, V>, id: string, value: V): void {
  map.delete(id);
  map.set(id, value);
}

function insertBounded<V>(map: Map<string, V>, id: string, value: V, maxEntries: number): void {
  touch(map, id, value);
  while (map.size > maxEntries) map.delete(map.keys().next().value as string);
}

/** Callers get copies, so wiping or reusing a returned buffer cannot corrupt the cache. */
function cloneMaterial(m: DataKeyMaterial): DataKeyMaterial {
  return { keyArn: m.keyArn, plaintext: Buffer.from(m.plaintext), encryptedKey: Buffer.from(m.encryptedKey) };
}
