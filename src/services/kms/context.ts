import type { Principal } from '../../auth/types.js';
import type { RequestContext } from '../../gateway/context.js';
import type { ServiceDeps } from '../../server/deps.js';
import type { ResourceStore } from '../../state/types.js';
import { CachedKmsStore } from './cached-store.js';
import { Lru } from './lru.js';

/** Unsealed backing keys kept in memory: enough for every key a busy server uses, small enough to bound memory. */
const MATERIAL_CACHE_ENTRIES = 4096;
const KMS_CACHE_TTL_MS = 5_000;

/** What every KMS module works with. One per ServiceDeps, so the service, its jobs and service keys share caches. */
export interface Kms {
  deps: ServiceDeps;
  res: ResourceStore;
  /** Runs several store changes as one unit (store calls inside join the transaction). */
  tx<T>(fn: () => Promise<T>): Promise<T>;
  now(): Date;
  /** `<key ARN>#<version>` → backing key. Versions are immutable, so entries only go when a key is deleted. */
  materials: Lru<string, Buffer>;
}

const contexts = new WeakMap<ServiceDeps, Kms>();

export function kmsContext(deps: ServiceDeps): Kms {
  let k = contexts.get(deps);
  if (!k) {
    const res = new CachedKmsStore(deps.state.resources, deps.state.changes, {
      // Bounds how long another replica can miss a change if a notification is lost (its bus reconnecting): a
      // disabled key or revoked grant stops working everywhere within seconds, and a hot key is still read once.
      ttlMs: KMS_CACHE_TTL_MS,
      now: () => deps.clock.now().getTime(),
      onError: (err) => deps.log.warn({ err }, 'could not tell other replicas about a KMS change'),
    });
    k = {
      deps,
      res,
      tx: (fn) => res.unitOfWork(() => deps.state.db.transaction(() => fn())),
      now: () => deps.clock.now(),
      materials: new Lru(MATERIAL_CACHE_ENTRIES),
    };
    contexts.set(deps, k);
  }
  return k;
}

export function caller(ctx: RequestContext): Principal {
  if (!ctx.principal) throw new Error('KMS operation invoked without an authenticated principal');
  return ctx.principal;
}

export const accountOf = (ctx: RequestContext): string => caller(ctx).accountId;
