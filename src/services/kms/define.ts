import type { RequestContext } from '../../gateway/context.js';
import type { OperationImpl } from '../types.js';

/** One operation's handler, written against its typed input and output. Authorization lives in authz.ts. */
export interface TypedHandler<I, O> {
  handler(input: I, ctx: RequestContext): Promise<O>;
  readOnly?: boolean;
}

type OperationMap<Ops> = { [K in keyof Ops]: { input: unknown; output: unknown } };
export type HandlerImpl = Omit<OperationImpl, 'authz'>;

/**
 * Type-checks handlers against the model's `Operations` map, then erases the types; index.ts pairs each with
 * its rule from the authorization table.
 */
export function handlers<Ops extends OperationMap<Ops>>() {
  return <N extends keyof Ops & string>(impls: { [K in N]: TypedHandler<Ops[K]['input'], Ops[K]['output']> }): Record<string, HandlerImpl> =>
    impls as unknown as Record<string, HandlerImpl>;
}
