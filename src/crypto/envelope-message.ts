import { randomBytes } from 'node:crypto';
import { contextsEqual } from './context-encoding.js';
import type { DataKeyCache, DataKeyMaterial } from './data-key-cache.js';
import { FrameOpener, FrameSealer, deriveMessageKeys, headerTag, verifyHeader } from './envelope-crypto.js';
import { EnvelopeError } from './envelope-error.js';
import {
  DATA_KEY_BYTES,
  DEFAULT_FRAME_SIZE,
  FORMAT_VERSION,
  MESSAGE_ID_BYTES,
  checkFrameSize,
  encodeHeaderBody,
  type EnvelopeHeader,
  type ParsedHeader,
} from './envelope-format.js';

/**
 * How the envelope core reaches KMS; the server implements it with the gateway's internal client (authorized and
 * audited as the acting principal). Errors it throws reach the caller unchanged.
 */
export interface DataKeyProvider {
  generateDataKey(keyId: string, context: Record<string, string>): Promise<DataKeyMaterial>;
  decryptDataKey(encryptedKey: Buffer, keyArn: string, context: Record<string, string>): Promise<Buffer>;
}

export interface EnvelopeOptions {
  /** Plaintext bytes per frame when encrypting (default 64 KiB); decryption reads it from the header. */
  frameSize?: number;
  /** Data-key cache; see DataKeyCache for who may share one. */
  cache?: DataKeyCache;
  /** Called with the header once written (encrypt) or verified (decrypt), before any frame. */
  onHeader?: (header: EnvelopeHeader) => void;
}

export interface EncryptOptions extends EnvelopeOptions {
  /**
   * Stream encryption only: the plaintext length, if known. The cache must charge a key's byte budget before
   * the message is written, so a stream of unknown length always gets a fresh data key (as in the AWS Encryption
   * SDK). A stream longer than declared fails.
   */
  plaintextLength?: number;
}

export interface DecryptOptions extends EnvelopeOptions {
  /**
   * Key ARNs the message must be under ("strict mode"). Without it any key the principal may use is accepted, so
   * someone able to replace stored ciphertext could substitute a message under a key of their own.
   */
  allowedKeyArns?: readonly string[];
}

export interface EncryptSession {
  header: EnvelopeHeader;
  headerBytes: Buffer;
  sealer: FrameSealer;
  frameSize: number;
}

/** Obtains a data key (cache or KMS), writes and authenticates the header. */
export async function beginEncrypt(
  provider: DataKeyProvider,
  keyId: string,
  context: Record<string, string>,
  opts: EncryptOptions,
  cacheableBytes: number | undefined,
): Promise<EncryptSession> {
  const frameSize = opts.frameSize ?? DEFAULT_FRAME_SIZE;
  checkFrameSize(frameSize);
  const material = await encryptionKey(provider, keyId, context, opts.cache, cacheableBytes);
  const messageId = randomBytes(MESSAGE_ID_BYTES);
  const keys = deriveMessageKeys(material.plaintext, messageId);
  const header: EnvelopeHeader = {
    formatVersion: FORMAT_VERSION,
    messageId,
    frameSize,
    keyArn: material.keyArn,
    encryptedKey: material.encryptedKey,
    context: { ...context },
  };
  const body = encodeHeaderBody(header, keys.commitment);
  const headerBytes = Buffer.concat([body, headerTag(keys, body)]);
  opts.onHeader?.(header);
  return { header, headerBytes, sealer: new FrameSealer(keys, messageId), frameSize };
}

/** Checks the header against the caller's expectations, recovers the data key and verifies the header with it. */
export async function beginDecrypt(
  provider: DataKeyProvider,
  parsed: ParsedHeader,
  expectedContext: Record<string, string> | undefined,
  opts: DecryptOptions,
): Promise<FrameOpener> {
  const { header } = parsed;
  // Checked before KMS is called: a mismatch fails either way, and this saves a call and an audit record.
  if (expectedContext && !contextsEqual(header.context, expectedContext)) {
    throw new EnvelopeError('envelope encryption context does not match the expected context');
  }
  if (opts.allowedKeyArns && !opts.allowedKeyArns.includes(header.keyArn)) {
    throw new EnvelopeError('envelope is encrypted under a key that is not allowed here');
  }
  const cached = opts.cache?.getForDecrypt(header.keyArn, header.encryptedKey, header.context);
  const dataKey = cached ?? (await provider.decryptDataKey(header.encryptedKey, header.keyArn, header.context));
  const keys = deriveMessageKeys(dataKey, header.messageId);
  verifyHeader(keys, parsed);
  if (!cached) opts.cache?.putForDecrypt(header.keyArn, header.encryptedKey, header.context, dataKey);
  opts.onHeader?.(header);
  return new FrameOpener(keys, header.messageId, header.frameSize);
}

async function encryptionKey(
  provider: DataKeyProvider,
  keyId: string,
  context: Record<string, string>,
  cache: DataKeyCache | undefined,
  bytes: number | undefined,
): Promise<DataKeyMaterial> {
  const useCache = cache !== undefined && bytes !== undefined;
  const hit = useCache ? cache.takeForEncrypt(keyId, context, bytes) : undefined;
  if (hit) return hit;
  const fresh = await provider.generateDataKey(keyId, context);
  if (fresh.plaintext.length !== DATA_KEY_BYTES) {
    throw new EnvelopeError(`data key provider returned a ${fresh.plaintext.length}-byte key, expected ${DATA_KEY_BYTES}`);
  }
  if (useCache) cache.putForEncrypt(keyId, context, fresh, bytes);
  return fresh;
}
