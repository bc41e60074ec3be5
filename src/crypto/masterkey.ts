import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { SecretBox } from './types.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';
const CHECK_LABEL = 'vigil-master-key-check';

/** A sealed value that cannot be opened; the message never includes key material or plaintext. */
export class SealedValueError extends Error {
  override readonly name = 'SealedValueError';
}

/**
 * The master key that seals secrets at rest (DESIGN principle 8). Sealed format: `v1:` + base64 of
 * iv(12) | tag(16) | ciphertext, AES-256-GCM with `context` as additional authenticated data. Random 96-bit
 * IVs keep the collision risk negligible up to ~2^32 seals under one key (NIST SP 800-38D), far above our use.
 */
export class MasterKey implements SecretBox {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`master key must be ${KEY_BYTES} bytes, got ${key.length}`);
    this.#key = Buffer.from(key); // own copy: callers may reuse or wipe their buffer
  }

  static generate(): MasterKey {
    return new MasterKey(randomBytes(KEY_BYTES));
  }

  /** Accepts canonical standard base64 of exactly 32 bytes (surrounding whitespace, as in a key file, is fine). */
  static fromBase64(s: string): MasterKey {
    const text = s.trim();
    const bytes = decodeCanonicalBase64(text);
    if (!bytes) throw new Error('master key is not valid base64');
    if (bytes.length !== KEY_BYTES) {
      throw new Error(`master key must be ${KEY_BYTES} bytes (44 base64 characters), got ${bytes.length} bytes`);
    }
    return new MasterKey(bytes);
  }

  toBase64(): string {
    return this.#key.toString('base64');
  }

  /** Key check value: identifies the key (to refuse a mismatched one at start-up) without revealing it. */
  fingerprint(): string {
    return createHmac('sha256', this.#key).update(CHECK_LABEL).digest('hex');
  }

  seal(plaintext: Buffer | string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
  }

  open(sealed: string, context: string): Buffer {
    const { iv, tag, ciphertext } = parseSealed(sealed);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      // GCM cannot tell these apart, and saying more would only help an attacker.
      throw new SealedValueError(
        `cannot open sealed value for context '${context}': wrong master key, wrong context, or the data was altered`,
      );
    }
  }

  /** Keeps the key out of logs and JSON dumps. */
  toJSON(): string {
    return this.toString();
  }

  toString(): string {
    return `MasterKey(${this.fingerprint().slice(0, 8)}…)`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function parseSealed(sealed: string): { iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  if (typeof sealed !== 'string') throw new SealedValueError('sealed value must be a string');
  const colon = sealed.indexOf(':');
  const version = colon < 0 ? '' : sealed.slice(0, colon);
  if (version !== VERSION) {
    throw new SealedValueError(colon < 0 ? 'not a sealed value (no version prefix)' : `unsupported sealed value version '${version.slice(0, 16)}'`);
  }
  const bytes = decodeCanonicalBase64(sealed.slice(colon + 1));
  if (!bytes) throw new SealedValueError('sealed value is not valid base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new SealedValueError('sealed value is truncated');
  return {
    iv: bytes.subarray(0, IV_BYTES),
    tag: bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
    ciphertext: bytes.subarray(IV_BYTES + TAG_BYTES),
  };
}

/** Buffer.from(…, 'base64') skips junk characters; insisting on the canonical form makes encodings unique. */
function decodeCanonicalBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
