import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../../gateway/context.js';
import type { DataKeySpec, EncryptionAlgorithmSpec, GenerateDataKeyRequest } from './api.generated.js';
import { modelError } from '../../protocol/model-errors.js';
import { openBlob, readHeader, sealBlob, type EncryptionContext } from './ciphertext.js';
import type { Kms } from './context.js';
import { handlers } from './define.js';
import { kmsErrors } from './errors.js';
import { checkGrantTokens } from './grant-tokens.js';
import { backingKey } from './material.js';
import { model, type Operations } from './model.js';
import { keyOfBlob, requireEnabled, requireUsage, resolveKey } from './resolve.js';
import type { KeyDoc } from './store.js';

/** AWS limits: Encrypt takes at most 4096 bytes of plaintext; data keys and random strings are 1–1024 bytes. */
export const MAX_PLAINTEXT_BYTES = 4096;
const MAX_RANDOM_BYTES = 1024;
const DATA_KEY_BYTES: Record<DataKeySpec, number> = { AES_256: 32, AES_128: 16 };

function checkAlgorithm(alg: EncryptionAlgorithmSpec | undefined, key: KeyDoc): void {
  if (alg && alg !== 'SYMMETRIC_DEFAULT') throw kmsErrors.invalidKeyUsageMessage(`Algorithm ${alg} is incompatible with key spec ${key.KeySpec}.`);
}

/** A key fit for encryption or decryption: enabled, ENCRYPT_DECRYPT, used with SYMMETRIC_DEFAULT. */
function requireCryptoKey(key: KeyDoc, operation: string, alg?: EncryptionAlgorithmSpec): void {
  requireEnabled(key);
  requireUsage(key, 'ENCRYPT_DECRYPT', operation);
  checkAlgorithm(alg, key);
}

/** Encrypts under the key's current backing key. */
export async function encryptUnder(k: Kms, key: KeyDoc, plaintext: Uint8Array, context: EncryptionContext | undefined): Promise<Buffer> {
  if (plaintext.length > MAX_PLAINTEXT_BYTES) {
    throw kmsErrors.validation('1 validation error detected: Value at \'plaintext\' failed to satisfy constraint: ' +
      `Member must have length less than or equal to ${MAX_PLAINTEXT_BYTES}`);
  }
  const material = await backingKey(k, key, key.CurrentVersion);
  if (!material) throw modelError(model, 'KMSInternalException', 'The key material of this key is unavailable.');
  return sealBlob(material, { keyId: key.KeyId, version: key.CurrentVersion }, plaintext, context);
}

/** Decrypts a blob, enforcing what Decrypt (and ReEncrypt's source side) enforce; returns key and plaintext. */
async function decryptBlob(
  k: Kms, ctx: RequestContext, blob: Uint8Array, context: EncryptionContext | undefined, keyIdParam: string | undefined,
  alg: EncryptionAlgorithmSpec | undefined, operation: string,
): Promise<{ key: KeyDoc; plaintext: Buffer }> {
  const header = readHeader(blob);
  if (!header) throw kmsErrors.invalidCiphertext();
  const key = await keyOfBlob(k, ctx, header.keyId);
  if (keyIdParam !== undefined && (await resolveKey(k, ctx, keyIdParam)).key.KeyId !== key.KeyId) throw kmsErrors.incorrectKey();
  requireCryptoKey(key, operation, alg);
  const material = await backingKey(k, key, header.version);
  const plaintext = material && openBlob(material, blob, context);
  if (!plaintext) throw kmsErrors.invalidCiphertext();
  return { key, plaintext };
}

/** GenerateDataKey*: exactly one of KeySpec and NumberOfBytes. */
function dataKeyBytes(spec: DataKeySpec | undefined, n: number | undefined): number {
  if ((spec === undefined) === (n === undefined)) throw kmsErrors.validation('Please specify either number of bytes or key spec.');
  return spec ? DATA_KEY_BYTES[spec] : n!;
}

async function generateDataKey(
  k: Kms, ctx: RequestContext, i: GenerateDataKeyRequest, operation: string,
): Promise<{ key: KeyDoc; plaintext: Buffer; blob: Buffer }> {
  checkGrantTokens(i.GrantTokens);
  const bytes = dataKeyBytes(i.KeySpec, i.NumberOfBytes);
  const { key } = await resolveKey(k, ctx, i.KeyId);
  requireCryptoKey(key, operation);
  const plaintext = randomBytes(bytes);
  return { key, plaintext, blob: await encryptUnder(k, key, plaintext, i.EncryptionContext) };
}

/** CloudTrail records KMS's cryptographic operations as read-only events (no response elements). */
export function cryptoHandlers(k: Kms) {
  return handlers<Operations>()({
    Encrypt: {
      readOnly: true,
      handler: async (i, ctx) => {
        checkGrantTokens(i.GrantTokens);
        const { key } = await resolveKey(k, ctx, i.KeyId);
        requireCryptoKey(key, 'Encrypt', i.EncryptionAlgorithm);
        const blob = await encryptUnder(k, key, i.Plaintext, i.EncryptionContext);
        return { CiphertextBlob: blob, KeyId: key.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      },
    },
    Decrypt: {
      readOnly: true,
      handler: async (i, ctx) => {
        checkGrantTokens(i.GrantTokens);
        const { key, plaintext } = await decryptBlob(k, ctx, i.CiphertextBlob, i.EncryptionContext, i.KeyId, i.EncryptionAlgorithm, 'Decrypt');
        return { KeyId: key.Arn, Plaintext: plaintext, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      },
    },
    ReEncrypt: {
      readOnly: true,
      handler: async (i, ctx) => {
        checkGrantTokens(i.GrantTokens);
        const source = await decryptBlob(k, ctx, i.CiphertextBlob, i.SourceEncryptionContext, i.SourceKeyId, i.SourceEncryptionAlgorithm, 'ReEncrypt');
        const { key } = await resolveKey(k, ctx, i.DestinationKeyId);
        requireCryptoKey(key, 'ReEncrypt', i.DestinationEncryptionAlgorithm);
        return {
          CiphertextBlob: await encryptUnder(k, key, source.plaintext, i.DestinationEncryptionContext),
          SourceKeyId: source.key.Arn, KeyId: key.Arn,
          SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      },
    },
    GenerateDataKey: {
      readOnly: true,
      handler: async (i, ctx) => {
        const { key, plaintext, blob } = await generateDataKey(k, ctx, i, 'GenerateDataKey');
        return { CiphertextBlob: blob, Plaintext: plaintext, KeyId: key.Arn };
      },
    },
    GenerateDataKeyWithoutPlaintext: {
      readOnly: true,
      handler: async (i, ctx) => {
        const { key, blob } = await generateDataKey(k, ctx, i, 'GenerateDataKeyWithoutPlaintext');
        return { CiphertextBlob: blob, KeyId: key.Arn };
      },
    },
    GenerateRandom: {
      readOnly: true,
      handler: async (i) => {
        if (i.CustomKeyStoreId) throw modelError(model, 'CustomKeyStoreNotFoundException', `Custom key store ${i.CustomKeyStoreId} does not exist`);
        const n = i.NumberOfBytes;
        if (n === undefined) throw kmsErrors.validation('NumberOfBytes is required.');
        if (n < 1 || n > MAX_RANDOM_BYTES) {
          throw kmsErrors.validation(`1 validation error detected: Value '${n}' at 'numberOfBytes' failed to satisfy constraint: ` +
            `Member must have value between 1 and ${MAX_RANDOM_BYTES}`);
        }
        return { Plaintext: randomBytes(n) };
      },
    },
  });
}
