import type { Principal } from '../../auth/types.js';
import type { RoleSessions } from '../../inference/types.js';
import type { ServiceDeps } from '../../server/deps.js';
import { messageOf } from './artifacts.js';

/** A session is renewed this long before it expires, so no request runs on credentials about to lapse. */
const RENEW_BEFORE_MS = 5 * 60_000;
const SERVICE = 'sagemaker.amazonaws.com';

interface Session { accessKeyId: string; renewAt: number }

/** Sessions are per account SageMaker acts for, never shared across accounts. */
const cacheKey = (accountId: string, roleArn: string): string => `${accountId}|${roleArn}`;

/**
 * Execution-role sessions, assumed through the gateway as the sagemaker.amazonaws.com service principal (so the
 * role's trust policy must allow it, and CloudTrail records the AssumeRole). The cache holds the session's access key
 * id, not its Principal: each call resolves it through the credential resolver, whose own cache IAM changes
 * invalidate, so a changed role policy applies without waiting for the session to expire.
 */
export class SageMakerRoleSessions implements RoleSessions {
  readonly #sessions = new Map<string, Session>();
  readonly #pending = new Map<string, Promise<Session>>();
  /** Bumped by invalidate(): an assumption that started before must not cache its session. */
  #generation = 0;

  constructor(private readonly deps: ServiceDeps) {}

  async principalFor(roleArn: string, accountId: string, region: string): Promise<Principal> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const session = await this.#session(roleArn, accountId, region);
      const resolved = await this.deps.credentials.resolve(session.accessKeyId);
      if (resolved && resolved.status === 'Active') return resolved.principal;
      // The session vanished (role deleted and recreated, sessions swept): assume the role again, once.
      const key = cacheKey(accountId, roleArn);
      if (this.#sessions.get(key) === session) this.#sessions.delete(key);
    }
    throw new Error(`The session of role ${roleArn} could not be resolved.`);
  }

  invalidate(roleArn?: string): void {
    this.#generation++;
    if (roleArn === undefined) {
      this.#sessions.clear();
      this.#pending.clear();
      return;
    }
    for (const map of [this.#sessions, this.#pending]) {
      for (const key of [...map.keys()]) if (key.endsWith(`|${roleArn}`)) map.delete(key);
    }
  }

  #session(roleArn: string, accountId: string, region: string): Promise<Session> {
    const key = cacheKey(accountId, roleArn);
    const cached = this.#sessions.get(key);
    if (cached && cached.renewAt > this.deps.clock.now().getTime()) return Promise.resolve(cached);
    let pending = this.#pending.get(key);
    if (!pending) {
      // Concurrent callers share one AssumeRole.
      pending = this.#assume(roleArn, accountId, region).finally(() => {
        if (this.#pending.get(key) === pending) this.#pending.delete(key);
      });
      this.#pending.set(key, pending);
    }
    return pending;
  }

  async #assume(roleArn: string, accountId: string, region: string): Promise<Session> {
    const generation = this.#generation;
    const service: Principal = { type: 'Service', arn: SERVICE, accountId, userId: SERVICE, tags: {}, identityPolicies: [] };
    let out: Record<string, unknown>;
    try {
      // aws:SourceAccount lets trust policies pin the account SageMaker acts for (AWS's confused-deputy guard).
      out = await this.deps.internal.call(service, 'sts', 'AssumeRole', { RoleArn: roleArn, RoleSessionName: 'SageMaker' },
        { region, conditionKeys: { 'aws:SourceAccount': accountId } });
    } catch (err) {
      throw new Error(`Could not assume role ${roleArn}. Please ensure that the role exists and allows principal '${SERVICE}' to assume the role. (${messageOf(err)})`);
    }
    const creds = out.Credentials as { AccessKeyId?: string; Expiration?: Date | string } | undefined;
    if (!creds?.AccessKeyId || !creds.Expiration) throw new Error(`AssumeRole on ${roleArn} returned no credentials.`);
    const session = { accessKeyId: creds.AccessKeyId, renewAt: new Date(creds.Expiration).getTime() - RENEW_BEFORE_MS };
    // A session shorter than the renewal margin is still used once; the next call assumes the role again.
    if (generation === this.#generation) this.#sessions.set(cacheKey(accountId, roleArn), session);
    return session;
  }
}
