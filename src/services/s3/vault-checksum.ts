import { createHash, type Hash } from 'node:crypto';
import zlib from 'node:zlib';
import type { ChecksumAlgorithm } from './vault-types.js';

/**
 * The x-amz-checksum-* algorithms over a stream: update() per chunk, digest() as S3 spells it (base64 of the
 * big-endian CRC, or of the SHA digest). CRC32C has no Node built-in and @aws-crypto/crc32c is not installed,
 * so it is computed here (slicing-by-8 tables: ~1 GB/s, far from the bottleneck next to AES and MD5).
 */
export interface StreamChecksum {
  update(chunk: Buffer): void;
  digest(): string;
}

export function createChecksum(algorithm: ChecksumAlgorithm): StreamChecksum {
  switch (algorithm) {
    case 'SHA1':
      return hashChecksum(createHash('sha1'));
    case 'SHA256':
      return hashChecksum(createHash('sha256'));
    case 'CRC32':
      return crcChecksum(nodeCrc32 ?? ((data, crc) => crcUpdate(CRC32_TABLES, data, crc)));
    case 'CRC32C':
      return crcChecksum((data, crc) => crcUpdate(CRC32C_TABLES, data, crc));
  }
}

function hashChecksum(hash: Hash): StreamChecksum {
  return { update: (chunk) => void hash.update(chunk), digest: () => hash.digest('base64') };
}

function crcChecksum(update: (data: Buffer, crc: number) => number): StreamChecksum {
  let crc = 0;
  return {
    update: (chunk) => { crc = update(chunk, crc); },
    digest: () => {
      const out = Buffer.allocUnsafe(4);
      out.writeUInt32BE(crc >>> 0, 0);
      return out.toString('base64');
    },
  };
}

/** zlib.crc32 arrived in Node 20.15 / 22.2; engines allows 20.11, so keep the table fallback. */
const nodeCrc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;

/** Eight 256-entry tables for a reflected polynomial (slicing-by-8). */
function tables(poly: number): Uint32Array[] {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) for (let k = 1; k < 8; k++) t[k][n] = (t[k - 1][n] >>> 8) ^ t[0][t[k - 1][n] & 0xff];
  return t;
}

const CRC32_TABLES = tables(0xedb88320);
const CRC32C_TABLES = tables(0x82f63b78);

/** Continues a CRC (pre- and post-inverted, as zlib.crc32 does, so values chain across chunks). */
export function crcUpdate(t: Uint32Array[], data: Buffer, previous: number): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = t;
  let crc = ~previous >>> 0;
  let i = 0;
  for (const end = data.length - 8; i <= end; i += 8) {
    const a = (crc ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24))) >>> 0;
    crc = t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24] ^
      t3[data[i + 4]] ^ t2[data[i + 5]] ^ t1[data[i + 6]] ^ t0[data[i + 7]];
  }
  for (; i < data.length; i++) crc = t0[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

export const crcTablesForTest = { CRC32: CRC32_TABLES, CRC32C: CRC32C_TABLES };
