import http from 'node:http';
import https from 'node:https';
import type { InvokeRequest, InvokeResult } from '../types.js';
import { modelError, modelTimeout, serviceUnavailable } from './errors.js';

/**
 * The SageMaker model-server contract over HTTP: `POST /invocations` and `GET /ping` on a base URL. One keep-alive
 * agent per container, so the hot path reuses sockets instead of paying a TCP handshake per request.
 */

export interface ContainerClientOptions {
  /** The name errors use for the container (`primary`, `container-2`). */
  container: string;
  /** AWS gives a container 60 s to answer an invocation. */
  invocationTimeoutMs: number;
  /** AWS's InvokeEndpoint response limit is 6 MB; a larger answer is the container's error, not the caller's. */
  maxResponseBytes: number;
}

const CUSTOM_ATTRIBUTES = 'x-amzn-sagemaker-custom-attributes';
const INFERENCE_ID = 'x-amzn-sagemaker-inference-id';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

class TimeoutError extends Error {}
class TooLargeError extends Error {}

export class ContainerClient {
  readonly #opts: ContainerClientOptions;
  readonly #agent: http.Agent;
  readonly #transport: typeof http | typeof https;
  #base!: URL;
  #invocations = '';
  #ping = '';

  constructor(base: string, opts: ContainerClientOptions) {
    this.#opts = opts;
    const url = new URL(base);
    this.#transport = url.protocol === 'https:' ? https : http;
    this.#agent = new this.#transport.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' });
    this.setBase(base);
  }

  /** Points the client at a new address (a supervised server restarted on a new port). */
  setBase(base: string): void {
    this.#base = new URL(base);
    const prefix = this.#base.pathname.replace(/\/+$/, '');
    this.#invocations = `${prefix}/invocations`;
    this.#ping = `${prefix}/ping`;
  }

  get base(): string {
    return this.#base.origin + this.#base.pathname.replace(/\/+$/, '');
  }

  async invoke(req: InvokeRequest): Promise<InvokeResult> {
    const headers: http.OutgoingHttpHeaders = { 'content-length': req.body.length };
    if (req.contentType !== '') headers['content-type'] = req.contentType;
    if (req.accept !== undefined) headers.accept = req.accept;
    if (req.customAttributes !== undefined) headers[CUSTOM_ATTRIBUTES] = req.customAttributes;
    if (req.inferenceId !== undefined) headers[INFERENCE_ID] = req.inferenceId;
    let res: RawResponse;
    try {
      res = await this.#send('POST', this.#invocations, headers, req.body, this.#opts.invocationTimeoutMs, true);
    } catch (err) {
      if (err instanceof TimeoutError) throw modelTimeout(this.#opts.container, this.#opts.invocationTimeoutMs);
      if (err instanceof TooLargeError) {
        throw modelError(this.#opts.container, 0, `the container's response exceeds the ${this.#opts.maxResponseBytes}-byte limit of InvokeEndpoint`);
      }
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw serviceUnavailable(`the model container ${this.#opts.container} could not be reached: ${code}`);
    }
    if (res.status < 200 || res.status > 299) throw modelError(this.#opts.container, res.status, res.body.toString('utf8'));
    const attrs = res.headers[CUSTOM_ATTRIBUTES];
    return {
      body: res.body,
      contentType: res.headers['content-type'] ?? 'application/octet-stream',
      ...(typeof attrs === 'string' ? { customAttributes: attrs } : {}),
    };
  }

  /** One health check: undefined when `/ping` answered 200, else why not. */
  async ping(timeoutMs: number): Promise<string | undefined> {
    try {
      const res = await this.#send('GET', this.#ping, {}, undefined, timeoutMs, false);
      return res.status === 200 ? undefined : `GET /ping answered ${res.status}`;
    } catch (err) {
      if (err instanceof TimeoutError) return `GET /ping did not answer within ${timeoutMs} ms`;
      return `GET /ping failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
  }

  close(): void {
    this.#agent.destroy();
  }

  #send(method: string, path: string, headers: http.OutgoingHttpHeaders, body: Buffer | undefined, timeoutMs: number,
    retryStale: boolean): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const base = this.#base;
      const req = this.#transport.request({
        method, path, headers, agent: this.#agent,
        protocol: base.protocol, hostname: base.hostname.replace(/^\[|\]$/g, ''), port: base.port || undefined,
      });
      let settled = false;
      const settle = (err: Error | undefined, res?: RawResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(res!);
      };
      // A total deadline (not a socket idle timeout): a container trickling bytes must still stop at 60 s.
      const timer = setTimeout(() => {
        settle(new TimeoutError());
        req.destroy();
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed while idle fails on reuse before the server saw anything:
        // retrying once on a fresh socket is safe (Node's documented pattern).
        if (retryStale && !settled && req.reusedSocket && err.code === 'ECONNRESET') {
          settled = true;
          clearTimeout(timer);
          this.#send(method, path, headers, body, timeoutMs, false).then(resolve, reject);
          return;
        }
        settle(err);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.#opts.maxResponseBytes) {
            settle(new TooLargeError());
            res.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => settle(undefined, {
          status: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size),
        }));
        res.on('error', (err) => settle(err));
        res.on('aborted', () => settle(Object.assign(new Error('the container closed the connection mid-response'), { code: 'ECONNRESET' })));
      });
      req.end(body);
    });
  }
}

/**
 * Polls `/ping` until it answers 200 or `deadlineMs` passes (overrun by at most one 2 s attempt); throws an Error carrying the last reason. `alive`
 * lets a supervisor stop waiting as soon as its process has exited.
 */
export async function waitForPing(client: ContainerClient, deadlineMs: number, alive: () => string | undefined = () => undefined): Promise<void> {
  const until = Date.now() + deadlineMs;
  let delay = 50;
  let reason = 'no health check was attempted';
  for (;;) {
    const dead = alive();
    if (dead !== undefined) throw new Error(dead);
    const remaining = until - Date.now();
    if (remaining <= 0) throw new Error(`${reason} (gave up after ${Math.round(deadlineMs / 1000)} s)`);
    // Each attempt gets its full 2 s even near the deadline: clipping it would replace a clear last answer
    // ("answered 503") with a meaningless timeout on a busy host.
    const why = await client.ping(2000);
    if (why === undefined) return;
    reason = why;
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(until - Date.now(), 0))));
    delay = Math.min(delay * 2, 1000);
  }
}
