import type { Logger } from 'pino';
import type { CredentialResolver, Principal } from '../auth/types.js';
import type { InternalCallOptions } from '../gateway/internal-client.js';
import type { SecretBox } from '../crypto/types.js';
import type { StateBackend } from '../state/types.js';

/** Time is injected everywhere (DESIGN principle 7) so tests can run hours of schedule in milliseconds. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Calls another service through the gateway as `principal` (authorized and audited like any call). */
export interface InternalCaller {
  call(principal: Principal, service: string, operation: string, input: Record<string, unknown>,
    opts?: InternalCallOptions): Promise<Record<string, unknown>>;
}

/** What every service factory receives. */
export interface ServiceDeps {
  state: StateBackend;
  secrets: SecretBox;
  clock: Clock;
  credentials: CredentialResolver;
  log: Logger;
  internal: InternalCaller;
}
