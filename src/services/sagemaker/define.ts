import type { RequestContext } from '../../gateway/context.js';
import type { OperationImpl } from '../types.js';
import type { Operations } from './model.js';

/** One operation's handler, written against its typed input and output. Authorization lives in authz.ts. */
export interface TypedHandler<I, O> {
  handler(input: I, ctx: RequestContext): Promise<O>;
  readOnly?: boolean;
}

export type HandlerImpl = Omit<OperationImpl, 'authz'>;

/** Type-checks handlers against the model's `Operations` map, then erases the types for the gateway. */
export function handlers<N extends keyof Operations & string>(
  impls: { [K in N]: TypedHandler<Operations[K]['input'], Operations[K]['output']> },
): Record<string, HandlerImpl> {
  return impls as unknown as Record<string, HandlerImpl>;
}
