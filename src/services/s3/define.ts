import type { Readable } from 'node:stream';
import type { RequestContext } from '../../gateway/context.js';
import type { OperationImpl } from '../types.js';
import type {
  GetObjectOutput, Operations as GeneratedOperations, PutObjectRequest, UploadPartRequest,
} from './api.generated.js';

/** One operation's handler, written against its typed input and output. Authorization lives in authz.ts. */
export interface TypedHandler<I, O> {
  handler(input: I, ctx: RequestContext): Promise<O>;
  readOnly?: boolean;
}

/** Streaming payloads: the gateway hands PutObject/UploadPart bodies over as streams, and GetObject returns one. */
export type Body = AsyncIterable<Buffer>;

export interface Operations extends Omit<GeneratedOperations, 'PutObject' | 'UploadPart' | 'GetObject'> {
  PutObject: { input: Omit<PutObjectRequest, 'Body'> & { Body?: Body | Uint8Array }; output: GeneratedOperations['PutObject']['output'] };
  UploadPart: { input: Omit<UploadPartRequest, 'Body'> & { Body?: Body | Uint8Array }; output: GeneratedOperations['UploadPart']['output'] };
  GetObject: { input: GeneratedOperations['GetObject']['input']; output: Omit<GetObjectOutput, 'Body'> & { Body?: Readable } };
}

type OperationMap<Ops> = { [K in keyof Ops]: { input: unknown; output: unknown } };
export type HandlerImpl = Omit<OperationImpl, 'authz'>;

/** Type-checks handlers against the operations map, then erases the types; index.ts pairs each with its authz rule. */
export function handlers<Ops extends OperationMap<Ops> = Operations>() {
  return <N extends keyof Ops & string>(impls: { [K in N]: TypedHandler<Ops[K]['input'], Ops[K]['output']> }): Record<string, HandlerImpl> =>
    impls as unknown as Record<string, HandlerImpl>;
}

/** A request body as an async iterable of Buffers, whichever form the protocol layer delivered. */
export function bodyStream(body: Body | Uint8Array | string | undefined): AsyncIterable<Buffer> {
  if (body === undefined) return (async function* empty() {})();
  if (typeof body === 'string') return (async function* one() { yield Buffer.from(body, 'utf8'); })();
  if (body instanceof Uint8Array) return (async function* one() { yield Buffer.from(body.buffer, body.byteOffset, body.byteLength); })();
  return body;
}
