/**
 * Test-only: a request handler for AWS SDK v3 clients that runs the request through one of our protocols instead
 * of the network, so tests exercise the real SDK serializers and deserializers against our decoders and encoders.
 * It ships in the build (tsconfig.build.json only drops *.test.ts), so it imports no test runner.
 */
import { HttpResponse as SdkResponse, type HttpRequest as SdkRequest } from '@smithy/protocol-http';
import { Readable } from 'node:stream';
import { ServiceError } from '../errors.js';
import type { OperationModel, ServiceModel } from '../schema.js';
import type { HttpRequest, HttpResponse, Protocol } from '../types.js';

export const REQUEST_ID = 'c0ffee00-1111-2222-3333-444455556666';

/** What a fake service does with a decoded call: return the output, or throw a ServiceError. */
export type Impl = (operation: string, input: Record<string, unknown>) => Record<string, unknown> | undefined;

export interface Exchange {
  request: HttpRequest;
  operation?: string;
  input?: Record<string, unknown>;
  response: HttpResponse;
}

/** Client options pointing an SDK client at the in-process handler. */
export function clientConfig(handler: SdkHandler): {
  region: string; credentials: { accessKeyId: string; secretAccessKey: string }; endpoint: string; requestHandler: SdkHandler;
} {
  return { region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }, endpoint: 'http://127.0.0.1:1', requestHandler: handler };
}

/**
 * A miniature gateway: operationName → decode → impl → encode, errors through encodeError. Records every exchange.
 */
export class SdkHandler {
  readonly exchanges: Exchange[] = [];

  constructor(private readonly protocol: Protocol, private readonly model: ServiceModel, private readonly impl: Impl,
    private readonly options: { queryCompatible?: boolean } = {}) {}

  get last(): Exchange {
    const last = this.exchanges.at(-1);
    if (!last) throw new Error('no request was sent');
    return last;
  }

  async handle(sdkRequest: SdkRequest): Promise<{ response: SdkResponse }> {
    const request = await toHttpRequest(sdkRequest);
    const exchange = this.serve(request);
    this.exchanges.push(exchange);
    const { status, headers, body } = exchange.response;
    // Node's HTTP client hands the SDK lower-cased header names (and the SDK mutates them): give it such a copy.
    const wireHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    return { response: new SdkResponse({ statusCode: status, headers: wireHeaders, body: body instanceof Readable ? body : Readable.from([Buffer.from(body)]) }) };
  }

  serve(request: HttpRequest): Exchange {
    const ctx = { requestId: REQUEST_ID, model: this.model, queryCompatible: this.options.queryCompatible };
    const operation = this.protocol.operationName(request, this.model);
    const op: OperationModel | undefined = operation ? this.model.operations[operation] : undefined;
    try {
      if (!op) throw new ServiceError('UnknownOperationException', `Unknown operation ${operation}`);
      const input = this.protocol.decode(request, this.model, op);
      const output = this.impl(op.name, input);
      return { request, operation, input, response: this.protocol.encode(output, { ...ctx, operation: op }) };
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      return { request, operation, response: this.protocol.encodeError(err, { ...ctx, operation: op }) };
    }
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
}

/** The SDK's request as the gateway would see it off the wire. */
export async function toHttpRequest(req: SdkRequest): Promise<HttpRequest> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  const rawQuery = Object.entries(req.query ?? {}).flatMap(([k, v]) => {
    const values = Array.isArray(v) ? v : [v];
    return values.map((item) => (item === null ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(item)}`));
  }).join('&');
  return { method: req.method, path: req.path, rawQuery, headers, body: await bodyBytes(req.body) };
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }
  throw new Error(`unsupported SDK body type ${typeof body}`);
}

/** The error a client call rejects with (failing loudly if it resolves), typed loosely for toMatchObject. */
export async function rejection(call: Promise<unknown>): Promise<Record<string, unknown>> {
  const outcome = await call.then(() => undefined, (e: unknown) => e as Record<string, unknown>);
  if (!outcome) throw new Error('expected the call to fail, but it succeeded');
  return outcome;
}
