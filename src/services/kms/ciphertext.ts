import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Vigil's ciphertext blob (AWS's is opaque and undocumented; clients treat ours as opaque too):
 *
 *   offset  size  field
 *   0       1     format version (0x01)
 *   1       16    key id (the key's UUID as 16 raw bytes)
 *   17      4     backing-key version (uint32, big-endian)
 *   21      12    GCM IV (random)
 *   33      n     AES-256-GCM ciphertext (n = plaintext length)
 *   33+n    16    GCM tag
 *
 * Additional authenticated data = header bytes 0..20 ‖ encodeContext(encryption context), so changing the key id,
 * the version, or any byte of the context makes the tag check fail. Decrypt finds the key from the header alone
 * (KeyId is optional for symmetric keys) and authorizes against that key.
 */
const FORMAT_VERSION = 0x01;
const HEADER_BYTES = 21;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const MIN_BLOB_BYTES = HEADER_BYTES + IV_BYTES + TAG_BYTES;

export interface BlobHeader {
  keyId: string;
  version: number;
}

export type EncryptionContext = Record<string, string>;

/**
 * Canonical encoding of an encryption context: uint32 pair count, then per pair, sorted by the key's UTF-8
 * bytes, uint32 length ‖ key ‖ uint32 length ‖ value. Length prefixes make it unambiguous ({"a":"bc"} and
 * {"ab":"c"} differ, unlike the delimiter-less concatenation moto and LocalStack use); sorting makes the order
 * in which a client sends the pairs irrelevant, as AWS documents. Keys and values compare case-sensitively.
 */
export function encodeContext(context: EncryptionContext | undefined): Buffer {
  const pairs = Object.entries(context ?? {}).map(([k, v]) => [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')] as const);
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: Buffer[] = [u32(pairs.length)];
  for (const [k, v] of pairs) parts.push(u32(k.length), k, u32(v.length), v);
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function headerBytes(h: BlobHeader): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b[0] = FORMAT_VERSION;
  Buffer.from(h.keyId.replace(/-/g, ''), 'hex').copy(b, 1);
  b.writeUInt32BE(h.version, 17);
  return b;
}

export function sealBlob(material: Buffer, h: BlobHeader, plaintext: Uint8Array, context: EncryptionContext | undefined): Buffer {
  const header = headerBytes(h);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', material, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.concat([header, encodeContext(context)]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, body, cipher.getAuthTag()]);
}

/** The header of a blob, or undefined when it cannot be one of ours. */
export function readHeader(blob: Uint8Array): BlobHeader | undefined {
  if (blob.length < MIN_BLOB_BYTES || blob[0] !== FORMAT_VERSION) return undefined;
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const hex = b.toString('hex', 1, 17);
  const keyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { keyId, version: b.readUInt32BE(17) };
}

/** The plaintext, or undefined when the tag does not verify (wrong key, wrong context, tampered blob). */
export function openBlob(material: Buffer, blob: Uint8Array, context: EncryptionContext | undefined): Buffer | undefined {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const header = b.subarray(0, HEADER_BYTES);
  const iv = b.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
  const body = b.subarray(HEADER_BYTES + IV_BYTES, b.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', material, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.concat([header, encodeContext(context)]));
  decipher.setAuthTag(b.subarray(b.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}
