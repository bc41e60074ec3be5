import { describe, expect, it } from 'vitest';
import { safeEqual } from './constant-time.js';

describe('safeEqual', () => {
  it('is true exactly for equal contents, strings and buffers alike', () => {
    expect(safeEqual('secret', 'secret')).toBe(true);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual(Buffer.from('ключ'), 'ключ')).toBe(true);
    expect(safeEqual('secret', 'secreT')).toBe(false);
    expect(safeEqual('Secret', 'secret')).toBe(false);
  });

  it('handles different lengths without throwing', () => {
    expect(safeEqual('secret', 'secret2')).toBe(false);
    expect(safeEqual('', 'x')).toBe(false);
    expect(safeEqual(Buffer.alloc(0), Buffer.alloc(1))).toBe(false);
    expect(safeEqual(Buffer.alloc(1000, 1), Buffer.alloc(3, 1))).toBe(false);
  });
});
