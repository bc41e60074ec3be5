import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MasterKey, SealedValueError } from './masterkey.js';

/** Key bytes 00..1f; the vector below was made with Python's `cryptography` AESGCM, not with our code. */
const KAT_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const KAT_CONTEXT = 'iam:access-key:AKIAEXAMPLE';
const KAT_SEALED = 'v1:ZGVmZ2hpamtsbW5v0BqtG3utGhlZI/5zv7H6Ijt+vRQcnXb1Wxt/GEXx+w==';
/** openssl dgst -sha256 -mac HMAC -macopt hexkey:000102…1f over 'vigil-master-key-check'. */
const KAT_FINGERPRINT = '5436b923f40d7ca9acd0ac34ae1809388e3c8cc493497adb9ae330da029185bb';

const payload = (sealed: string) => Buffer.from(sealed.slice(3), 'base64');
const repack = (bytes: Buffer) => `v1:${bytes.toString('base64')}`;

describe('MasterKey', () => {
  const key = MasterKey.generate();

  it('opens a value sealed by an independent AES-256-GCM implementation, and fingerprints like openssl', () => {
    const kat = MasterKey.fromBase64(KAT_KEY);
    expect(kat.open(KAT_SEALED, KAT_CONTEXT).toString('utf8')).toBe('secret key 🔑');
    expect(kat.fingerprint()).toBe(KAT_FINGERPRINT);
  });

  it('round-trips strings and buffers, including empty and large ones, with a fresh IV each time', () => {
    const big = Buffer.alloc(1 << 20, 7);
    expect(key.open(key.seal(big, 'c'), 'c').equals(big)).toBe(true);
    expect(key.open(key.seal('', 'c'), 'c')).toEqual(Buffer.alloc(0));
    expect(key.open(key.seal('wJalrXUtnFEMI/K7MDENG', 'c'), 'c').toString()).toBe('wJalrXUtnFEMI/K7MDENG');
    const a = key.seal('same', 'c');
    const b = key.seal('same', 'c');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/]+={0,2}$/);
    expect(payload(a)).toHaveLength(12 + 16 + 4);
  });

  it('detects tampering with every byte of the IV, the tag and the ciphertext', () => {
    const sealed = key.seal('top secret value', 'ctx');
    const bytes = payload(sealed);
    const regions = { iv: [0, 12], tag: [12, 28], ciphertext: [28, bytes.length] } as const;
    for (const [region, [from, to]] of Object.entries(regions)) {
      for (let i = from; i < to; i++) {
        const bad = Buffer.from(bytes);
        bad[i] ^= 0x01;
        expect(() => key.open(repack(bad), 'ctx'), `${region} byte ${i}`).toThrow(SealedValueError);
      }
    }
    expect(() => key.open(repack(bytes.subarray(0, bytes.length - 1)), 'ctx')).toThrow(SealedValueError);
    expect(() => key.open(repack(Buffer.concat([bytes, Buffer.from([0])])), 'ctx')).toThrow(SealedValueError);
    expect(() => key.open(repack(bytes.subarray(0, 27)), 'ctx')).toThrow(/truncated/);
  });

  it('refuses a wrong context or a wrong key with a clear error', () => {
    const sealed = key.seal('s', 'iam:user:alice');
    expect(() => key.open(sealed, 'iam:user:bob')).toThrow(/wrong master key, wrong context, or the data was altered/);
    expect(() => key.open(sealed, '')).toThrow(SealedValueError);
    expect(() => MasterKey.generate().open(sealed, 'iam:user:alice')).toThrow(SealedValueError);
  });

  it('refuses malformed sealed values', () => {
    const sealed = key.seal('s', 'c');
    expect(() => key.open(sealed.replace('v1:', 'v2:'), 'c')).toThrow(/unsupported sealed value version 'v2'/);
    expect(() => key.open(sealed.slice(3), 'c')).toThrow(/no version prefix/);
    expect(() => key.open(`${sealed}!`, 'c')).toThrow(/base64/);
    expect(() => key.open(`${sealed.slice(0, 10)}\n${sealed.slice(10)}`, 'c')).toThrow(/base64/);
  });

  it('parses only canonical base64 of exactly 32 bytes', () => {
    expect(MasterKey.fromBase64(key.toBase64()).fingerprint()).toBe(key.fingerprint());
    expect(MasterKey.fromBase64(`${KAT_KEY}\n`).toBase64()).toBe(KAT_KEY);
    expect(() => MasterKey.fromBase64(Buffer.alloc(31).toString('base64'))).toThrow(/32 bytes/);
    expect(() => MasterKey.fromBase64(Buffer.alloc(33).toString('base64'))).toThrow(/32 bytes/);
    expect(() => MasterKey.fromBase64('')).toThrow(/32 bytes/);
    expect(() => MasterKey.fromBase64(`${KAT_KEY.slice(0, 40)}$$$=`)).toThrow(/base64/);
    expect(() => MasterKey.fromBase64(KAT_KEY.replace('=', ''))).toThrow(/base64/);
    expect(() => MasterKey.fromBase64(KAT_KEY.replace('8=', '9='))).toThrow(/base64/); // non-canonical last char
  });

  it('fingerprints identify the key without revealing it, and the key never shows in logs', () => {
    const other = MasterKey.generate();
    expect(key.fingerprint()).toMatch(/^[0-9a-f]{64}$/);
    expect(key.fingerprint()).not.toBe(other.fingerprint());
    expect(key.fingerprint()).not.toContain(Buffer.from(key.toBase64(), 'base64').toString('hex'));
    for (const shown of [String(key), JSON.stringify({ key }), inspect(key), inspect({ key }, { showHidden: true })]) {
      expect(shown).not.toContain(key.toBase64());
      expect(shown).toContain(key.fingerprint().slice(0, 8));
    }
  });
});
