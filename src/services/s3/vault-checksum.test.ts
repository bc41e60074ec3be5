import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createChecksum, crcTablesForTest, crcUpdate } from './vault-checksum.js';

/** Bit-at-a-time reference CRC (reflected), independent of the table code. */
function reference(poly: number, data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ poly : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const b64 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b.toString('base64'); };

describe('vault checksums', () => {
  it('matches the standard check values', () => {
    const nine = Buffer.from('123456789');
    expect(crcUpdate(crcTablesForTest.CRC32, nine, 0)).toBe(0xcbf43926);
    expect(crcUpdate(crcTablesForTest.CRC32C, nine, 0)).toBe(0xe3069283);
  });

  it('agrees with a bit-wise reference (and zlib) for every length and split point', () => {
    const data = randomBytes(67);
    for (let n = 0; n <= data.length; n++) {
      const d = data.subarray(0, n);
      for (const [alg, poly] of [['CRC32', 0xedb88320], ['CRC32C', 0x82f63b78]] as const) {
        const split = Math.floor(n / 3);
        const c = createChecksum(alg);
        c.update(d.subarray(0, split));
        c.update(d.subarray(split));
        expect(c.digest(), `${alg} ${n}`).toBe(b64(reference(poly, d)));
        expect(crcUpdate(crcTablesForTest[alg], d.subarray(split), crcUpdate(crcTablesForTest[alg], d.subarray(0, split), 0))).toBe(reference(poly, d));
      }
      expect(crcUpdate(crcTablesForTest.CRC32, d, 0)).toBe(zlib.crc32(d));
    }
  });

  it('spells SHA digests in base64', () => {
    const c = createChecksum('SHA256');
    c.update(Buffer.from('abc'));
    expect(c.digest()).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  });
});
