import { MISSED_CHANGES, type ChangeBus } from '../state/changes.js';
import type { CredentialResolver, ResolvedCredential } from './types.js';

const TOPIC = 'credentials';

/**
 * Keeps every replica's credential cache coherent: an invalidation here is published on the change bus, and
 * invalidations published elsewhere (or a possible gap after a reconnect) clear this replica's cache.
 */
export class ReplicatedCredentials implements CredentialResolver {
  constructor(private readonly inner: CredentialResolver, private readonly bus: ChangeBus, private readonly onError: (err: unknown) => void) {
    bus.subscribe(TOPIC, (account) => inner.invalidate(account || undefined));
    bus.subscribe(MISSED_CHANGES, () => inner.invalidate());
  }

  resolve(accessKeyId: string): Promise<ResolvedCredential | undefined> {
    return this.inner.resolve(accessKeyId);
  }

  invalidate(accountId?: string): void {
    this.inner.invalidate(accountId);
    this.bus.publish(TOPIC, accountId ?? '').catch(this.onError);
  }
}
