import { describe, expect, it } from 'vitest';
import { Lru } from './lru.js';

describe('Lru', () => {
  it('evicts the least recently used entry and drops entries by predicate', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.size).toBe(2);
    lru.deleteWhere((k) => k === 'a');
    expect(lru.get('a')).toBeUndefined();
    expect(lru.get('c')).toBe(3);
  });
});
