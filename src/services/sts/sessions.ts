import { createHash } from 'node:crypto';
import type { ServiceDeps } from '../../server/deps.js';
import type { Credentials, Tag } from './api.generated.js';
import { newAccessKeyId, newSecretAccessKey, newSessionToken } from '../iam/ids.js';
import { eachRecord } from '../../state/list-every.js';

/**
 * Temporary credentials live in the store as service `sts`, kind `session`, id = the ASIA access key id, parent =
 * `role/<lower role name>`, `user/<lower user name>` or `#root`. Secret and token are sealed under the master key;
 * the token's SHA-256 is kept as well so a presented token can be checked without opening it.
 */
export const STS = 'sts';
export const SESSION = 'session';

/** Expired sessions are kept this long so their keys still answer ExpiredToken rather than "invalid". */
export const EXPIRED_SESSION_RETENTION_MS = 24 * 3600_000;

export interface SessionPolicyDoc {
  /** Names the policy in evaluation results: `session/inline` or the managed policy's ARN. */
  id: string;
  document: string;
}

export interface SessionDoc {
  AccessKeyId: string;
  kind: 'AssumeRole' | 'GetSessionToken';
  SealedSecret: string;
  SealedToken: string;
  TokenSha256: string;
  IssuedAt: string;
  Expiration: string;
  // AssumeRole
  RoleName?: string;
  RoleArn?: string;
  RoleId?: string;
  RoleSessionName?: string;
  /** Resolved when the session was created; undefined when none was passed (the role is then not narrowed). */
  SessionPolicies?: SessionPolicyDoc[];
  Tags?: Tag[];
  TransitiveTagKeys?: string[];
  SourceIdentity?: string;
  RoleChained?: boolean;
  // GetSessionToken: the user (undefined for the root user)
  UserName?: string;
}

export const sessionSecretContext = (akid: string): string => `session-secret:${akid}`;
export const sessionTokenContext = (akid: string): string => `session-token:${akid}`;
export const tokenSha256 = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

type SessionFields = Omit<SessionDoc, 'AccessKeyId' | 'SealedSecret' | 'SealedToken' | 'TokenSha256' | 'IssuedAt' | 'Expiration'>;

/** Mints ASIA credentials for `fields`, stores the session, and returns what the caller receives (once). */
export async function createSession(
  deps: Pick<ServiceDeps, 'state' | 'secrets' | 'clock'>, account: string, parentId: string, fields: SessionFields, durationSeconds: number,
): Promise<{ doc: SessionDoc; credentials: Credentials }> {
  const now = deps.clock.now();
  const expiration = new Date(now.getTime() + durationSeconds * 1000);
  const secret = newSecretAccessKey();
  const token = newSessionToken();
  for (let attempt = 0; attempt < 5; attempt++) {
    const id = newAccessKeyId('ASIA');
    const doc: SessionDoc = {
      ...fields,
      AccessKeyId: id,
      SealedSecret: deps.secrets.seal(secret, sessionSecretContext(id)),
      SealedToken: deps.secrets.seal(token, sessionTokenContext(id)),
      TokenSha256: tokenSha256(token),
      IssuedAt: now.toISOString(),
      Expiration: expiration.toISOString(),
    };
    if (await deps.state.resources.create(account, STS, SESSION, id, doc, parentId)) {
      return { doc, credentials: { AccessKeyId: id, SecretAccessKey: secret, SessionToken: token, Expiration: expiration } };
    }
  }
  throw new Error('could not allocate a unique session access key id');
}

const SWEEP_INTERVAL_MS = 10 * 60_000;
/** Per state backend (a process normally has one; tests have many), per account: when the last sweep ran. */
const lastSweeps = new WeakMap<object, Map<string, number>>();

/**
 * Deletes sessions of an account that expired more than a day ago. Lazy: runs at most every ten minutes per
 * account, from the calls that create sessions, so nothing needs a background timer.
 */
export async function sweepExpiredSessions(deps: Pick<ServiceDeps, 'state' | 'clock' | 'log'>, account: string): Promise<number> {
  const now = deps.clock.now().getTime();
  let lastSweep = lastSweeps.get(deps.state);
  if (!lastSweep) lastSweeps.set(deps.state, (lastSweep = new Map()));
  const prev = lastSweep.get(account);
  if (prev !== undefined && now - prev < SWEEP_INTERVAL_MS) return 0;
  lastSweep.set(account, now);
  let removed = 0;
  try {
    for await (const r of eachRecord<SessionDoc>(deps.state.resources, account, STS, SESSION)) {
      if (Date.parse(r.doc.Expiration) + EXPIRED_SESSION_RETENTION_MS < now && (await deps.state.resources.delete(account, STS, SESSION, r.id))) removed++;
    }
    return removed;
  } catch (err) {
    deps.log.warn({ err, account }, 'expired session sweep failed');
    return removed;
  }
}
