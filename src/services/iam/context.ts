import type { Principal } from '../../auth/types.js';
import type { RequestContext } from '../../gateway/context.js';
import type { ServiceDeps } from '../../server/deps.js';
import type { ResourceStore } from '../../state/types.js';

/** What every IAM operation module works with. */
export interface Iam {
  deps: ServiceDeps;
  res: ResourceStore;
  /** Runs several store changes as one unit (store calls inside join the transaction). */
  tx<T>(fn: () => Promise<T>): Promise<T>;
  /** Every change to who-may-do-what drops cached credentials of the account (hot path reads the cache). */
  invalidate(account: string): void;
  now(): Date;
}

export function iamContext(deps: ServiceDeps): Iam {
  return {
    deps,
    res: deps.state.resources,
    tx: (fn) => deps.state.db.transaction(() => fn()),
    invalidate: (account) => deps.credentials.invalidate(account),
    now: () => deps.clock.now(),
  };
}

export function caller(ctx: RequestContext): Principal {
  if (!ctx.principal) throw new Error('IAM operation invoked without an authenticated principal');
  return ctx.principal;
}

export const accountOf = (ctx: RequestContext): string => caller(ctx).accountId;

/** The IAM user name of the caller when it is an IAM user (also with GetSessionToken credentials). */
export function callerUserName(ctx: RequestContext): string | undefined {
  const p = caller(ctx);
  return p.type === 'User' ? p.userName : undefined;
}
