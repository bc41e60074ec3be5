import type { ContainerSpec, InvokeRequest, InvokeResult, LoadContext, ModelRuntime } from '../types.js';
import { ContainerClient, waitForPing } from './container-client.js';
import { variantOf } from './errors.js';

/** Timeouts and limits shared by both kinds of container runtime. */
export interface ContainerSettings {
  invocationTimeoutMs: number;
  maxResponseBytes: number;
  /** How long load() waits for `/ping` to answer 200. */
  pingTimeoutMs: number;
}

/** AWS's FailureReason for a container that never became healthy, with what Vigil saw appended. */
export function pingFailure(label: string, container: string, detail: string): Error {
  const who = container === 'primary' ? 'The primary container' : `The container ${container}`;
  return new Error(`${who} for production variant ${variantOf(label)} did not pass the ping health check. ${detail}`);
}

/**
 * A model server that is already running (Image `http://host:port` or `https://…`): Vigil only proxies to it. Its
 * lifecycle is its owner's business, so close() just drops the pooled sockets.
 */
export class HttpContainerRuntime implements ModelRuntime {
  readonly kind = 'container';
  readonly #client: ContainerClient;

  private constructor(client: ContainerClient) {
    this.#client = client;
  }

  static async load(spec: ContainerSpec, ctx: LoadContext, container: string, settings: ContainerSettings): Promise<HttpContainerRuntime> {
    let client: ContainerClient;
    try {
      client = new ContainerClient(spec.Image, { container, invocationTimeoutMs: settings.invocationTimeoutMs, maxResponseBytes: settings.maxResponseBytes });
    } catch {
      throw new Error(`The container image '${spec.Image}' is not a valid http(s) URL.`);
    }
    try {
      await waitForPing(client, settings.pingTimeoutMs);
    } catch (err) {
      client.close();
      throw pingFailure(ctx.label, container, `${client.base}: ${(err as Error).message}`);
    }
    ctx.log.info({ model: ctx.label, container, base: client.base }, 'model server container is healthy');
    return new HttpContainerRuntime(client);
  }

  invoke(req: InvokeRequest): Promise<InvokeResult> {
    return this.#client.invoke(req);
  }

  async close(): Promise<void> {
    this.#client.close();
  }
}
