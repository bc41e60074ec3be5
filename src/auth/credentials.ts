import type { SecretBox } from '../crypto/types.js';
import { parsePolicy } from '../iam-engine/index.js';
import type { Clock } from '../server/deps.js';
import { accessKeySecretContext, storeNewAccessKey } from '../services/iam/access-keys.js';
import type { Tag } from '../services/iam/api.generated.js';
import { rootArn } from '../services/iam/arns.js';
import { rolePolicies, userPolicies } from '../services/iam/identity-policies.js';
import { IAM, ROOT_OWNER, findRole, findUser, type AccessKeyDoc } from '../services/iam/store.js';
import { SESSION, STS, sessionSecretContext, sessionTokenContext, type SessionDoc } from '../services/sts/sessions.js';
import type { StateBackend } from '../state/types.js';
import type { CredentialResolver, Principal, ResolvedCredential } from './types.js';

/** The pieces of ServiceDeps credential resolution needs. */
export interface CredentialDeps {
  state: StateBackend;
  secrets: SecretBox;
  clock: Clock;
}

export interface ResolverOptions {
  /** Safety net for changes made by another replica; local IAM changes invalidate at once. */
  ttlMs?: number;
  /** Unknown key ids are remembered briefly so a flood of bogus ids does not become a flood of queries. */
  negativeTtlMs?: number;
  maxEntries?: number;
}

interface Entry {
  value: ResolvedCredential | undefined;
  accountId?: string;
  expiresAt: number;
}

const tagMap = (tags: Tag[] | undefined): Record<string, string> => Object.fromEntries((tags ?? []).map((t) => [t.Key, t.Value]));

/**
 * Resolves access key ids to credentials and fully resolved principals (every policy parsed), from the store,
 * with an in-memory cache so authenticating a request normally touches no database.
 */
export class StoreCredentialResolver implements CredentialResolver {
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<ResolvedCredential | undefined>>();
  /** Bumped by invalidate(): a lookup that started before must not put its (possibly stale) result in the cache. */
  private generation = 0;
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxEntries: number;

  constructor(private readonly deps: CredentialDeps, opts: ResolverOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.negativeTtlMs = opts.negativeTtlMs ?? 5_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
  }

  async resolve(accessKeyId: string): Promise<ResolvedCredential | undefined> {
    const hit = this.cache.get(accessKeyId);
    if (hit && hit.expiresAt > this.deps.clock.now().getTime()) return hit.value;
    const pending = this.inflight.get(accessKeyId);
    if (pending) return pending;
    const load = this.load(accessKeyId, this.generation).finally(() => this.inflight.delete(accessKeyId));
    this.inflight.set(accessKeyId, load);
    return load;
  }

  invalidate(accountId?: string): void {
    this.generation++;
    this.inflight.clear();
    if (accountId === undefined) {
      this.cache.clear();
      return;
    }
    // Negative entries have no account: a key just created in this account may be among them.
    for (const [id, e] of this.cache) if (e.accountId === accountId || e.accountId === undefined) this.cache.delete(id);
  }

  private async load(accessKeyId: string, generation: number): Promise<ResolvedCredential | undefined> {
    const value = accessKeyId.startsWith('ASIA') ? await this.loadSession(accessKeyId) : await this.loadAccessKey(accessKeyId);
    if (generation === this.generation) {
      if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
      const ttl = value ? this.ttlMs : this.negativeTtlMs;
      this.cache.set(accessKeyId, { value, accountId: value?.principal.accountId, expiresAt: this.deps.clock.now().getTime() + ttl });
    }
    return value;
  }

  private async loadAccessKey(accessKeyId: string): Promise<ResolvedCredential | undefined> {
    const rec = await this.deps.state.resources.findById<AccessKeyDoc>(IAM, 'access-key', accessKeyId);
    if (!rec) return undefined;
    const principal = rec.parentId === ROOT_OWNER
      ? rootPrincipal(rec.accountId)
      : await this.userPrincipal(rec.accountId, rec.doc.UserName!);
    if (!principal) return undefined;
    const secretAccessKey = this.deps.secrets.open(rec.doc.SealedSecret, accessKeySecretContext(accessKeyId)).toString('utf8');
    return { accessKeyId, secretAccessKey, status: rec.doc.Status, principal: { ...principal, accessKeyId } };
  }

  private async userPrincipal(account: string, userName: string): Promise<Principal | undefined> {
    const res = this.deps.state.resources;
    const user = await findUser(res, account, userName);
    if (!user) return undefined;
    const { identity, boundary } = await userPolicies(res, account, user);
    return {
      type: 'User', arn: user.Arn, accountId: account, userId: user.UserId, userName: user.UserName, tags: tagMap(user.Tags),
      identityPolicies: identity.map((p) => p.policy), permissionsBoundary: boundary?.policy,
    };
  }

  private async loadSession(accessKeyId: string): Promise<ResolvedCredential | undefined> {
    const rec = await this.deps.state.resources.findById<SessionDoc>(STS, SESSION, accessKeyId);
    if (!rec) return undefined;
    const s = rec.doc;
    const base = s.kind === 'AssumeRole'
      ? await this.roleSessionPrincipal(rec.accountId, s)
      : s.UserName === undefined ? rootPrincipal(rec.accountId) : await this.userPrincipal(rec.accountId, s.UserName);
    if (!base) return undefined;
    const expiration = new Date(s.Expiration);
    return {
      accessKeyId,
      secretAccessKey: this.deps.secrets.open(s.SealedSecret, sessionSecretContext(accessKeyId)).toString('utf8'),
      sessionToken: this.deps.secrets.open(s.SealedToken, sessionTokenContext(accessKeyId)).toString('utf8'),
      expiration,
      // Expired sessions still resolve (with their past expiration) so the verifier can answer ExpiredToken.
      status: 'Active',
      principal: { ...base, accessKeyId, tokenIssueTime: new Date(s.IssuedAt), expiration, mfaPresent: false },
    };
  }

  /**
   * The role's policies as they are now (AWS evaluates a session against the role's current permissions), narrowed by
   * the session policies fixed at AssumeRole. A role deleted (or re-created under the same name) grants nothing.
   */
  private async roleSessionPrincipal(account: string, s: SessionDoc): Promise<Principal> {
    const res = this.deps.state.resources;
    const role = await findRole(res, account, s.RoleName!);
    const current = role && role.RoleId === s.RoleId ? role : undefined;
    const policies = current ? await rolePolicies(res, account, current) : { identity: [], boundary: undefined };
    return {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${account}:assumed-role/${s.RoleName}/${s.RoleSessionName}`,
      accountId: account,
      userId: `${s.RoleId}:${s.RoleSessionName}`,
      roleArn: s.RoleArn,
      roleName: s.RoleName,
      roleId: s.RoleId,
      sessionName: s.RoleSessionName,
      // Session tags override the role's tags of the same key (aws:PrincipalTag).
      tags: { ...tagMap(current?.Tags), ...tagMap(s.Tags) },
      identityPolicies: policies.identity.map((p) => p.policy),
      permissionsBoundary: policies.boundary?.policy,
      sessionPolicies: s.SessionPolicies?.map((p) => parsePolicy(p.document, 'session', p.id)),
      roleChained: s.RoleChained,
      sourceIdentity: s.SourceIdentity,
    };
  }
}

function rootPrincipal(account: string): Principal {
  return { type: 'Root', arn: rootArn(account), accountId: account, userId: account, tags: {}, identityPolicies: [] };
}

/** Creates an access key for the account's root user (first start). The secret is returned once, stored sealed. */
export async function createRootAccessKey(deps: CredentialDeps, accountId: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const now = deps.clock.now();
  await deps.state.meta.setIfAbsent(`iam:account-created:${accountId}`, now.toISOString());
  const { doc, secretAccessKey } = await storeNewAccessKey(deps.state.resources, deps.secrets, accountId, undefined, now);
  return { accessKeyId: doc.AccessKeyId, secretAccessKey };
}
