import { createHash } from 'node:crypto';
import type { Principal } from '../../auth/types.js';
import type { RequestContext } from '../../gateway/context.js';
import type { ServiceDeps } from '../../server/deps.js';
import type { ResourceStore } from '../../state/types.js';
import type { ObjectVault } from './vault-types.js';

/** What every S3 module works with: the store for metadata, the vault for (encrypted) bytes. */
export interface S3 {
  deps: ServiceDeps;
  res: ResourceStore;
  vault: ObjectVault;
  /** Runs several store changes as one unit (store calls inside join the transaction). */
  tx<T>(fn: () => Promise<T>): Promise<T>;
  now(): Date;
}

export function s3Context(deps: ServiceDeps, vault: ObjectVault): S3 {
  return {
    deps,
    res: deps.state.resources,
    vault,
    tx: (fn) => deps.state.db.transaction(() => fn()),
    now: () => deps.clock.now(),
  };
}

export function caller(ctx: RequestContext): Principal {
  if (!ctx.principal) throw new Error('S3 operation invoked without an authenticated principal');
  return ctx.principal;
}

/**
 * S3 reports owners by canonical user id (64 hex digits). Vigil derives one per account, so it is stable across
 * restarts and replicas without storing anything.
 */
export function canonicalId(accountId: string): string {
  // A fixed, documented derivation (not a secret): sha256 of the account id under a Vigil label.
  return createHash('sha256').update(`vigil-s3-canonical-user:${accountId}`).digest('hex');
}

export function ownerOf(accountId: string): { ID: string; DisplayName: string } {
  return { ID: canonicalId(accountId), DisplayName: accountId };
}
