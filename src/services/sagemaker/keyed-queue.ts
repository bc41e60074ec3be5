/**
 * Runs tasks one at a time per key (one endpoint's deployments, weight changes, removals and reconciliations never
 * interleave). A task on an idle key starts synchronously, so a removal takes effect before its caller returns.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    const task = previous ? previous.then(fn, fn) : (async () => fn())();
    const tail = task.then(() => undefined, () => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return task;
  }

  /** Resolves once every task queued so far has finished. */
  async idle(): Promise<void> {
    while (this.#tails.size) await Promise.all([...this.#tails.values()]);
  }
}
