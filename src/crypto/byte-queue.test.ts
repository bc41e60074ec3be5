import { describe, expect, it } from 'vitest';
import { ByteQueue } from './byte-queue.js';

const queueOf = (...parts: string[]) => {
  const q = new ByteQueue();
  for (const p of parts) q.push(Buffer.from(p));
  return q;
};

describe('ByteQueue', () => {
  it('takes exact lengths across chunk boundaries without copying whole chunks', () => {
    const first = Buffer.from('abcd');
    const q = queueOf('');
    q.push(first);
    q.push(Buffer.from('efgh'));
    const pieces = q.take(6);
    expect(Buffer.concat(pieces).toString()).toBe('abcdef');
    expect(pieces[0]).toBe(first); // a whole chunk is handed over as is
    expect(q.length).toBe(2);
    expect(q.takeContiguous(2).toString()).toBe('gh');
    expect(() => q.take(1)).toThrow(RangeError);
  });

  it('peeks a bounded prefix and leaves it queued', () => {
    const q = queueOf('ab', 'cd', 'efgh');
    expect(q.peek(3).toString()).toBe('abc');
    expect(q.peek(100).toString()).toBe('abcdefgh');
    expect(q.length).toBe(8);
    q.skip(5);
    expect(q.takeContiguous(3).toString()).toBe('fgh');
    expect(q.peek(4)).toHaveLength(0);
  });
});
