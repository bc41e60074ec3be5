/**
 * A FIFO of byte chunks that hands out exact-length slices without copying when it can: frames rarely line up
 * with the chunks a socket or file delivers, and copying every frame would cost a noticeable share of AES-GCM's
 * own throughput.
 */
export class ByteQueue {
  #chunks: Buffer[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** Removes the next `n` bytes and returns them as views of the queued chunks. */
  take(n: number): Buffer[] {
    if (n > this.#length) throw new RangeError(`ByteQueue: asked for ${n} bytes, ${this.#length} queued`);
    const pieces: Buffer[] = [];
    let needed = n;
    while (needed > 0) {
      const head = this.#chunks[0];
      if (head.length <= needed) {
        pieces.push(head);
        this.#chunks.shift();
        needed -= head.length;
      } else {
        pieces.push(head.subarray(0, needed));
        this.#chunks[0] = head.subarray(needed);
        needed = 0;
      }
    }
    this.#length -= n;
    return pieces;
  }

  /** Like take(), as one buffer (a view when the bytes sit in one chunk, else a copy). */
  takeContiguous(n: number): Buffer {
    const pieces = this.take(n);
    return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, n);
  }

  skip(n: number): void {
    this.take(n);
  }

  /**
   * The first min(n, length) bytes as one buffer, left queued. Only those bytes are merged, so peeking a header
   * never copies a large chunk that follows it.
   */
  peek(n: number): Buffer {
    const m = Math.min(n, this.#length);
    if (m === 0) return Buffer.alloc(0);
    if (this.#chunks[0].length >= m) return this.#chunks[0].subarray(0, m);
    const merged = this.takeContiguous(m);
    this.#chunks.unshift(merged);
    this.#length += m;
    return merged;
  }
}
