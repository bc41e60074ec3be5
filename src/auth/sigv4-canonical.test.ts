import { describe, it, expect } from 'vitest';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { HttpRequest } from '../protocol/types.js';
import {
  canonicalHeaderValue,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  normalizePath,
  stringToSign,
  uriEncode,
} from './sigv4-canonical.js';
import { clearSigningKeyCache, signingKey, signingKeyCacheSize } from './sigv4-key.js';

describe('uriEncode', () => {
  it('keeps unreserved characters and encodes the rest with upper-case hex', () => {
    expect(uriEncode('AZaz09-_.~', false, false)).toBe('AZaz09-_.~');
    expect(uriEncode("a b+c*!'()&=/", false, false)).toBe('a%20b%2Bc%2A%21%27%28%29%26%3D%2F');
    expect(uriEncode('a/b c', true, false)).toBe('a/b%20c');
  });

  it('encodes UTF-8, including astral code points', () => {
    expect(uriEncode('ሴ', false, false)).toBe('%E1%88%B4');
    expect(uriEncode('😀x', false, false)).toBe('%F0%9F%98%80x');
  });

  it('double-encodes an escape unless told to decode it', () => {
    expect(uriEncode('a%20b', true, false)).toBe('a%2520b');
    expect(uriEncode('a%20b', true, true)).toBe('a%20b');
    // Decoding normalises: unreserved escapes become literal, hex becomes upper case, '%2F' stays encoded.
    expect(uriEncode('%7e%41%2f%2F', true, true)).toBe('~A%2F%2F');
    // A '%' that is not an escape is encoded.
    expect(uriEncode('100%', false, true)).toBe('100%25');
    expect(uriEncode('%zz', false, true)).toBe('%25zz');
  });
});

describe('canonical URI', () => {
  it.each([
    ['', '/'],
    ['/', '/'],
    ['//', '/'],
    ['/a/./b/', '/a/b/'],
    ['//a//b//', '/a/b/'],
    ['/a/b/..', '/a'],
    ['/a/../..', '/'],
    ['/a/b/../../', '/'],
    ['/.../a', '/.../a'],
    ['/.a/..b', '/.a/..b'],
  ])('normalizes %j to %j', (input, expected) => {
    expect(canonicalUri(input, false)).toBe(expected);
  });

  it('returns the path itself when nothing needs normalising', () => {
    expect(normalizePath('/endpoints/x/invocations')).toBe('/endpoints/x/invocations');
  });

  it('double-encodes non-S3 paths and keeps S3 paths as sent', () => {
    expect(canonicalUri('/my%20key', false)).toBe('/my%2520key');
    expect(canonicalUri('/my%20key', true)).toBe('/my%20key');
    expect(canonicalUri('//a/./b/../c', true)).toBe('//a/./b/../c');
    expect(canonicalUri('/raw space', true)).toBe('/raw%20space');
  });
});

describe('canonical query', () => {
  it('is empty for no query', () => {
    expect(canonicalQuery('')).toBe('');
  });

  it('sorts by name and then by value, not by the joined pair', () => {
    // 'a-b=…' < 'a=…' as strings ('-' < '='), but name order puts 'a' first.
    expect(canonicalQuery('a-b=1&a=2')).toBe('a=2&a-b=1');
    expect(canonicalQuery('b=2&a=z&a=a&A=1')).toBe('A=1&a=a&a=z&b=2');
  });

  it('re-encodes names and values, with k= for valueless keys', () => {
    expect(canonicalQuery('x=a%2bb&y=a+b&z&e=&%7euser=%7e')).toBe('e=&x=a%2Bb&y=a%2Bb&z=&~user=~');
    expect(canonicalQuery('q=a b&r=ሴ')).toBe('q=a%20b&r=%E1%88%B4');
  });

  it('drops X-Amz-Signature only for presigned requests, and empty pairs always', () => {
    expect(canonicalQuery('X-Amz-Signature=abc&a=1&&', { presigned: true })).toBe('a=1');
    expect(canonicalQuery('X-Amz-Signature=abc&a=1')).toBe('X-Amz-Signature=abc&a=1');
    expect(canonicalQuery('X-Amz-Security-Token=t&a=1', { presigned: true, omitSessionToken: true })).toBe('a=1');
  });
});

describe('canonical headers', () => {
  it('trims and collapses whitespace, folded lines included', () => {
    expect(canonicalHeaderValue('value')).toBe('value');
    expect(canonicalHeaderValue('  a   b\t\tc  ')).toBe('a b c');
    expect(canonicalHeaderValue('value1\n  value2\r\n     value3')).toBe('value1 value2 value3');
    expect(canonicalHeaderValue('   ')).toBe('');
  });

  it('builds the full canonical request, sorting an unsorted SignedHeaders list', () => {
    const req: HttpRequest = {
      method: 'POST',
      path: '/a%20b',
      rawQuery: 'b=2&a=1',
      headers: { host: 'h', 'x-amz-date': '20150830T123600Z', 'x-custom': ' v1 ,  v2 ', 'user-agent': 'not signed' },
      body: Buffer.alloc(0),
    };
    const expected = 'POST\n/a%2520b\na=1&b=2\nhost:h\nx-amz-date:20150830T123600Z\nx-custom:v1 , v2\n\nhost;x-amz-date;x-custom\nHASH';
    expect(canonicalRequest(req, ['x-custom', 'host', 'x-amz-date'], 'HASH')).toBe(expected);
  });

  it('string to sign is algorithm, date, scope and the hex hash of the canonical request', () => {
    expect(stringToSign('20150830T123600Z', '20150830/us-east-1/iam/aws4_request', '')).toBe(
      'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});

async function referenceKey(secret: string, parts: string[]): Promise<string> {
  let key: Uint8Array = new TextEncoder().encode('AWS4' + secret);
  for (const part of [...parts, 'aws4_request']) {
    const h = new Sha256(key);
    h.update(part);
    key = await h.digest();
  }
  return Buffer.from(key).toString('hex');
}

describe('signingKey', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

  it('matches the AWS documentation example and an independent HMAC chain', async () => {
    clearSigningKeyCache();
    const key = signingKey(secret, '20150830', 'us-east-1', 'iam');
    expect(key.toString('hex')).toBe('c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
    expect(key.toString('hex')).toBe(await referenceKey(secret, ['20150830', 'us-east-1', 'iam']));
  });

  it('caches per secret and scope', () => {
    clearSigningKeyCache();
    const a = signingKey(secret, '20150830', 'us-east-1', 'iam');
    expect(signingKey(secret, '20150830', 'us-east-1', 'iam')).toBe(a);
    expect(signingKey(secret + 'x', '20150830', 'us-east-1', 'iam').equals(a)).toBe(false);
    expect(signingKey(secret, '20150831', 'us-east-1', 'iam').equals(a)).toBe(false);
    expect(signingKeyCacheSize()).toBe(3);
  });

  it('stays bounded and evicts the least recently used key', () => {
    clearSigningKeyCache();
    const first = signingKey(secret, '20150830', 'region-0', 'svc');
    for (let i = 1; i < 1500; i++) {
      signingKey(secret, '20150830', `region-${i}`, 'svc');
      if (i % 100 === 0) signingKey(secret, '20150830', 'region-0', 'svc'); // keep region-0 recent
    }
    expect(signingKeyCacheSize()).toBe(1000);
    expect(signingKey(secret, '20150830', 'region-0', 'svc')).toBe(first);
    const size = signingKeyCacheSize();
    signingKey(secret, '20150830', 'region-1', 'svc'); // long evicted: derived again
    expect(signingKeyCacheSize()).toBe(size);
  });
});
