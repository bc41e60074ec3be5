import type { RequestContext } from '../../gateway/context.js';
import type { AuthzRequirement, OperationImpl } from '../types.js';

/** One operation written against the generated input/output types of its service. */
export interface TypedOperation<I, O> {
  handler(input: I, ctx: RequestContext): Promise<O>;
  authz(input: I, ctx: RequestContext): AuthzRequirement | Promise<AuthzRequirement>;
  alwaysAllowed?: boolean;
  readOnly?: boolean;
}

type OperationMap<Ops> = { [K in keyof Ops]: { input: unknown; output: unknown } };

/**
 * Type-checks each implementation against the generated `Operations` map (so a handler cannot return the wrong
 * shape), then erases the types to the gateway's untyped `OperationImpl`, which only the protocol layer reads.
 */
export function operationsOf<Ops extends OperationMap<Ops>>() {
  return <N extends keyof Ops & string>(impls: { [K in N]: TypedOperation<Ops[K]['input'], Ops[K]['output']> }): Record<string, OperationImpl> =>
    impls as unknown as Record<string, OperationImpl>;
}
