import type { Principal } from '../../auth/types.js';
import type { RequestContext } from '../../gateway/context.js';
import type { EndpointRegistry } from '../../inference/registry.js';
import type { RoleSessions, RuntimeFactory } from '../../inference/types.js';
import type { Constraints } from '../../monitor/constraints.js';
import type { MergedProfile } from '../../monitor/live/index.js';
import type { Statistics } from '../../monitor/schema.js';
import type { ServiceDeps } from '../../server/deps.js';
import type { ResourceStore } from '../../state/types.js';

/** What the control plane deploys into: the process's live endpoints, the model runtimes, execution-role sessions. */
export interface Serving {
  registry: EndpointRegistry;
  runtimes: RuntimeFactory;
  roles: RoleSessions;
  /** Whether `file://` ModelDataUrls may be read from this machine's disk (local development, demos). */
  allowFileModels: boolean;
  /** Near-real-time drift (the server's LiveProfiler): schedules give it baselines, executions read its profiles. */
  live?: LiveBaselines;
}

/** What Model Monitor needs of the near-real-time profiler (docs/near-real-time-drift.md). */
export interface LiveBaselines {
  setBaseline(accountId: string, region: string, endpoint: string, statistics: Statistics, constraints?: Constraints, opts?: { outputFirst?: boolean }): void;
  clearBaseline(accountId: string, region: string, endpoint: string): void;
  mergedProfile(accountId: string, region: string, endpoint: string, variant: string | undefined, start: Date, end: Date): Promise<MergedProfile | undefined>;
}

/** What every SageMaker module works with; one per service instance. */
export interface Sm {
  deps: ServiceDeps;
  serving: Serving;
  res: ResourceStore;
  /** Runs several store changes as one unit (store calls inside join the transaction). */
  tx<T>(fn: () => Promise<T>): Promise<T>;
  now(): Date;
}

export function smContext(deps: ServiceDeps, serving: Serving): Sm {
  return {
    deps,
    serving,
    res: deps.state.resources,
    tx: (fn) => deps.state.db.transaction(() => fn()),
    now: () => deps.clock.now(),
  };
}

export function caller(ctx: RequestContext): Principal {
  if (!ctx.principal) throw new Error('SageMaker operation invoked without an authenticated principal');
  return ctx.principal;
}

export const accountOf = (ctx: RequestContext): string => caller(ctx).accountId;
