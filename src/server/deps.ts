import type { Logger } from 'pino';
import type { CredentialResolver } from '../auth/types.js';
import type { SecretBox } from '../crypto/types.js';
import type { StateBackend } from '../state/types.js';

/** Time is injected everywhere (DESIGN principle 7) so tests can run hours of schedule in milliseconds. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What every service factory receives. */
export interface ServiceDeps {
  state: StateBackend;
  secrets: SecretBox;
  clock: Clock;
  credentials: CredentialResolver;
  log: Logger;
}
