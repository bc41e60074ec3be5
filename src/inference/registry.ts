import type { LiveEndpoint, ModelRuntime } from './types.js';

interface Slot {
  endpoint: LiveEndpoint;
  inFlight: number;
  /** Set when the slot has been replaced or removed: its runtimes close once inFlight reaches zero. */
  retired?: () => void;
}

/** A request's hold on one deployment: in-flight requests finish on the deployment they started on. */
export interface Lease {
  endpoint: LiveEndpoint;
  release(): void;
}

// SageMaker endpoint names are case-insensitive (ARNs carry them lower-cased).
const keyOf = (accountId: string, region: string, name: string): string => `${accountId}/${region}/${name.toLowerCase()}`;

/**
 * The endpoints this process serves, in memory (the request path never reads the database). UpdateEndpoint
 * swaps a whole deployment atomically: new requests see the new one at once, requests already running keep
 * their lease on the old one, whose runtimes are closed when the last of them releases it.
 */
export class EndpointRegistry {
  readonly #slots = new Map<string, Slot>();
  /**
   * How many installed-or-draining slots hold each runtime: UpdateEndpointWeightsAndCapacities reuses runtime objects,
   * so one runtime can back several slots, and it may only close when the last of them has drained.
   */
  readonly #holders = new Map<ModelRuntime, number>();

  /** Takes a lease on the live deployment, or undefined when the endpoint is not serving here. */
  acquire(accountId: string, region: string, name: string): Lease | undefined {
    const slot = this.#slots.get(keyOf(accountId, region, name));
    if (!slot) return undefined;
    slot.inFlight++;
    let released = false;
    return {
      endpoint: slot.endpoint,
      release: () => {
        if (released) return;
        released = true;
        slot.inFlight--;
        if (slot.inFlight === 0 && slot.retired) slot.retired();
      },
    };
  }

  get(accountId: string, region: string, name: string): LiveEndpoint | undefined {
    return this.#slots.get(keyOf(accountId, region, name))?.endpoint;
  }

  /** Installs a deployment; the one it replaces is closed after its in-flight requests drain. */
  put(endpoint: LiveEndpoint): Promise<void> {
    const key = keyOf(endpoint.accountId, endpoint.region, endpoint.name);
    const previous = this.#slots.get(key);
    this.#hold(endpoint);
    this.#slots.set(key, { endpoint, inFlight: 0 });
    return previous ? this.#retire(previous) : Promise.resolve();
  }

  /** Stops serving an endpoint; resolves once its runtimes are closed. */
  remove(accountId: string, region: string, name: string): Promise<void> {
    const key = keyOf(accountId, region, name);
    const previous = this.#slots.get(key);
    if (!previous) return Promise.resolve();
    this.#slots.delete(key);
    return this.#retire(previous);
  }

  list(): LiveEndpoint[] {
    return [...this.#slots.values()].map((s) => s.endpoint);
  }

  /** Closes every deployment (shutdown, after the listeners have drained). */
  async closeAll(): Promise<void> {
    const slots = [...this.#slots.values()];
    this.#slots.clear();
    await Promise.all(slots.map((s) => this.#retire(s)));
  }

  #hold(endpoint: LiveEndpoint): void {
    for (const rt of new Set(endpoint.variants.map((v) => v.runtime))) this.#holders.set(rt, (this.#holders.get(rt) ?? 0) + 1);
  }

  /** Once the slot has drained, closes the runtimes no other slot still holds. */
  #retire(slot: Slot): Promise<void> {
    const close = () => {
      const last: ModelRuntime[] = [];
      for (const rt of new Set(slot.endpoint.variants.map((v) => v.runtime))) {
        const left = (this.#holders.get(rt) ?? 1) - 1;
        if (left > 0) this.#holders.set(rt, left);
        else {
          this.#holders.delete(rt);
          last.push(rt);
        }
      }
      return Promise.all(last.map((rt) => rt.close())).then(() => undefined, () => undefined);
    };
    if (slot.inFlight === 0) return close();
    return new Promise((resolve) => { slot.retired = () => void close().then(resolve); });
  }
}
