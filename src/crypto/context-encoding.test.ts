import { describe, expect, it } from 'vitest';
import { contextKey, contextsEqual, decodeContext, encodeContext } from './context-encoding.js';
import { EnvelopeError } from './envelope-error.js';

describe('encodeContext', () => {
  it('is length-prefixed and sorted by key bytes, independent of insertion order', () => {
    const bytes = encodeContext({ b: '2', a: '1' });
    expect(bytes.toString('hex')).toBe('0002' + '0001' + '61' + '0001' + '31' + '0001' + '62' + '0001' + '32');
    expect(encodeContext({ a: '1', b: '2' })).toEqual(bytes);
    expect(encodeContext({})).toEqual(Buffer.from([0, 0]));
  });

  it('is unambiguous where naive concatenation is not', () => {
    expect(encodeContext({ a: 'bc' })).not.toEqual(encodeContext({ ab: 'c' }));
    expect(contextKey({ 'a=b': 'c' })).not.toBe(contextKey({ a: 'b=c' }));
  });

  it('sorts by UTF-8 bytes, not UTF-16 code units', () => {
    // UTF-16 order (JavaScript's default sort) puts U+1F600 (D83D …) first; UTF-8 order puts U+FF61 (EF …) first.
    const decoded = decodeContext(encodeContext({ '\u{1F600}': 'x', '\uFF61': 'y' }), 0)!;
    expect(Object.keys(decoded.context)).toEqual(['\uFF61', '\u{1F600}']);
  });

  it('round-trips, including "__proto__", empty strings and a leading BOM', () => {
    const ctx = JSON.parse('{"__proto__":"p","":"","k":"\\ufeffv","ünï":"cödé"}') as Record<string, string>;
    const decoded = decodeContext(encodeContext(ctx), 0)!;
    expect(Object.getPrototypeOf(decoded.context)).toBe(Object.prototype);
    expect(Object.entries(decoded.context).sort()).toEqual(Object.entries(ctx).sort());
    expect(contextsEqual(decoded.context, ctx)).toBe(true);
  });

  it('rejects strings that cannot be encoded faithfully', () => {
    expect(() => encodeContext({ k: '\uD800' })).toThrow(RangeError);
    expect(() => encodeContext({ k: 'x'.repeat(70_000) })).toThrow(RangeError);
  });
});

describe('decodeContext', () => {
  it('reports an incomplete context as undefined at every cut', () => {
    const bytes = encodeContext({ alpha: 'one', beta: 'two' });
    for (let cut = 0; cut < bytes.length; cut++) expect(decodeContext(bytes.subarray(0, cut), 0)).toBeUndefined();
    expect(decodeContext(bytes, 0)!.end).toBe(bytes.length);
  });

  it('rejects unsorted or duplicate keys and invalid UTF-8, so each context has exactly one encoding', () => {
    const unsorted = Buffer.from('0002' + '0001' + '62' + '0000' + '0001' + '61' + '0000', 'hex');
    const duplicate = Buffer.from('0002' + '0001' + '61' + '0000' + '0001' + '61' + '0000', 'hex');
    const badUtf8 = Buffer.from('0001' + '0001' + 'ff' + '0000', 'hex');
    for (const bytes of [unsorted, duplicate, badUtf8]) expect(() => decodeContext(bytes, 0)).toThrow(EnvelopeError);
  });

  it('compares exactly and case-sensitively', () => {
    expect(contextsEqual({ a: '1' }, { a: '1' })).toBe(true);
    expect(contextsEqual({ a: '1' }, { A: '1' })).toBe(false);
    expect(contextsEqual({ a: '1' }, { a: '1', b: '2' })).toBe(false);
    expect(contextsEqual({ a: 'x' }, { a: 'X' })).toBe(false);
  });
});
