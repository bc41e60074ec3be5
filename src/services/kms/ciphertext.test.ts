import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MIN_BLOB_BYTES, encodeContext, openBlob, readHeader, sealBlob } from './ciphertext.js';

describe('ciphertext blob', () => {
  const material = randomBytes(32);
  const keyId = randomUUID();

  it('round-trips, embedding key id and version in a header bound to the tag', () => {
    const blob = sealBlob(material, { keyId, version: 3 }, Buffer.from('hello'), { b: '2', a: '1' });
    expect(blob.length).toBe(MIN_BLOB_BYTES + 5);
    expect(readHeader(blob)).toEqual({ keyId, version: 3 });
    expect(openBlob(material, blob, { a: '1', b: '2' })?.toString()).toBe('hello');
    expect(openBlob(material, blob, { a: '1' })).toBeUndefined();
    expect(openBlob(randomBytes(32), blob, { a: '1', b: '2' })).toBeUndefined();
    const moved = Buffer.from(blob);
    moved.writeUInt32BE(4, 17);
    expect(openBlob(material, moved, { a: '1', b: '2' })).toBeUndefined();
  });

  it('rejects what cannot be a blob of ours', () => {
    expect(readHeader(Buffer.alloc(MIN_BLOB_BYTES - 1, 1))).toBeUndefined();
    expect(readHeader(Buffer.alloc(MIN_BLOB_BYTES, 2))).toBeUndefined();
  });

  it('encodes contexts unambiguously and independently of order', () => {
    expect(encodeContext({ a: 'bc' }).equals(encodeContext({ ab: 'c' }))).toBe(false);
    expect(encodeContext({ a: '1', b: '2' }).equals(encodeContext({ b: '2', a: '1' }))).toBe(true);
    expect(encodeContext({}).equals(encodeContext(undefined))).toBe(true);
    expect(encodeContext({ k: 'V' }).equals(encodeContext({ k: 'v' }))).toBe(false);
    // UTF-8 byte order, not UTF-16 code units: '\u{10000}' (F0…) sorts after '\uffff' (EF…).
    const enc = encodeContext({ '\u{10000}': 'x', '\uffff': 'y' });
    expect(enc.subarray(8, 11).toString('utf8')).toBe('\uffff');
  });
});
