import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { encodeContext } from './context-encoding.js';
import type { DataKeyMaterial } from './data-key-cache.js';
import type { DataKeyProvider } from './envelope-message.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What the in-memory provider throws, named like the KMS error it stands in for. */
export class MemoryKmsError extends Error {
  constructor(
    readonly code: 'NotFoundException' | 'InvalidCiphertextException',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * A DataKeyProvider without a server, for tests, benchmarks and offline tools: each key is a random in-memory
 * KEK, and an encrypted data key is iv ‖ AES-256-GCM(data key) ‖ tag with the key ARN and the canonical
 * encryption context as AAD — the same bindings KMS enforces. It is not a KMS: no policies, no audit, no rotation.
 */
export class MemoryDataKeyProvider implements DataKeyProvider {
  readonly #keks = new Map<string, Buffer>();
  readonly calls = { generateDataKey: 0, decryptDataKey: 0 };

  /** Adds a key and returns its ARN. */
  createKey(region = 'us-east-1', account = '123456789012'): string {
    const arn = `arn:aws:kms:${region}:${account}:key/${randomUUID()}`;
    this.#keks.set(arn, randomBytes(32));
    return arn;
  }

  async generateDataKey(keyId: string, context: Record<string, string>): Promise<DataKeyMaterial> {
    this.calls.generateDataKey++;
    const keyArn = this.#resolve(keyId);
    const plaintext = randomBytes(32);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#kek(keyArn), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(keyArn, context));
    const encryptedKey = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { keyArn, plaintext, encryptedKey };
  }

  async decryptDataKey(encryptedKey: Buffer, keyArn: string, context: Record<string, string>): Promise<Buffer> {
    this.calls.decryptDataKey++;
    const kek = this.#kek(keyArn);
    if (encryptedKey.length < IV_BYTES + TAG_BYTES) throw new MemoryKmsError('InvalidCiphertextException', 'ciphertext too short');
    const decipher = createDecipheriv('aes-256-gcm', kek, encryptedKey.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(keyArn, context));
    decipher.setAuthTag(encryptedKey.subarray(encryptedKey.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(encryptedKey.subarray(IV_BYTES, encryptedKey.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new MemoryKmsError('InvalidCiphertextException', 'the ciphertext, key or encryption context is wrong');
    }
  }

  /** Accepts a full ARN or the bare key id, as KMS does. */
  #resolve(keyId: string): string {
    if (this.#keks.has(keyId)) return keyId;
    for (const arn of this.#keks.keys()) if (arn.endsWith(`:key/${keyId}`)) return arn;
    throw new MemoryKmsError('NotFoundException', `Key '${keyId}' does not exist`);
  }

  #kek(keyArn: string): Buffer {
    const kek = this.#keks.get(keyArn);
    if (!kek) throw new MemoryKmsError('NotFoundException', `Key '${keyArn}' does not exist`);
    return kek;
  }
}

function aad(keyArn: string, context: Record<string, string>): Buffer {
  const arn = Buffer.from(keyArn, 'utf8');
  const length = Buffer.allocUnsafe(2);
  length.writeUInt16BE(arn.length, 0);
  return Buffer.concat([length, arn, encodeContext(context)]);
}
