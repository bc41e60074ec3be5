import { describe, expect, it } from 'vitest';
import { Mutex, gated } from './mutex.js';
import { prefixSuccessor } from './resources.js';
import { bindable, toPostgresPlaceholders } from './sql-params.js';

describe('toPostgresPlaceholders', () => {
  it('numbers ? placeholders in order', () => {
    expect(toPostgresPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?)')).toBe(
      'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)',
    );
  });

  it('leaves quoted text and comments alone', () => {
    expect(toPostgresPlaceholders(`SELECT 'it''s', "col?" FROM t -- why?\nWHERE a = ? /* or? */`)).toBe(
      `SELECT 'it''s', "col?" FROM t \nWHERE a = $1  `,
    );
  });

  it('refuses ? inside a string literal and $ outside one instead of guessing', () => {
    expect(() => toPostgresPlaceholders("SELECT 'what?' WHERE a = ?")).toThrow(/string literal/);
    expect(() => toPostgresPlaceholders('SELECT $1')).toThrow(/not supported/);
    expect(() => toPostgresPlaceholders("SELECT 'open")).toThrow(/unterminated/);
  });
});

describe('bindable', () => {
  it('maps booleans, dates and undefined; refuses objects', () => {
    expect(bindable([true, false, new Date(5), undefined, null, 's', 1, 2n])).toEqual([1, 0, 5, null, null, 's', 1, 2n]);
    expect(() => bindable([{}])).toThrow(TypeError);
  });
});

describe('prefixSuccessor', () => {
  it('is the next string in code point order', () => {
    expect(prefixSuccessor('abc')).toBe('abd');
    expect(prefixSuccessor('a\u{10FFFF}')).toBe('b');
    expect(prefixSuccessor('\u{10FFFF}\u{10FFFF}')).toBeUndefined();
    expect(prefixSuccessor('x\uD7FF')).toBe('x\uE000');
    expect(prefixSuccessor('😀')).toBe('😁');
  });
});

describe('Mutex', () => {
  it('hands over in FIFO order and lets gated work through only when free', async () => {
    const m = new Mutex();
    const order: string[] = [];
    const release = await m.acquire();
    const a = m.acquire().then((r) => (order.push('a'), r()));
    const g = gated(m, () => order.push('gated'));
    const b = m.acquire().then((r) => (order.push('b'), r()));
    release();
    release(); // a second release must not wake two waiters
    await Promise.all([a, g, b]);
    expect(order).toEqual(['a', 'gated', 'b']);
    expect(m.locked).toBe(false);
  });
});
