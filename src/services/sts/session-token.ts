import type { RequestContext } from '../../gateway/context.js';
import type { ServiceDeps } from '../../server/deps.js';
import { ROOT_OWNER, entityKey } from '../iam/store.js';
import type { GetSessionTokenRequest, GetSessionTokenResponse } from './api.generated.js';
import { constraintError, stsErrors } from './errors.js';
import { createSession, sweepExpiredSessions } from './sessions.js';

export const SESSION_TOKEN_DEFAULT_SECONDS = 43_200;
export const SESSION_TOKEN_MIN_SECONDS = 900;
export const SESSION_TOKEN_MAX_SECONDS = 129_600;
/** Sessions of the root user are limited to one hour; AWS shortens longer requests silently. */
export const ROOT_SESSION_MAX_SECONDS = 3600;

/** Only long-term credentials of IAM users or the root user may call GetSessionToken. */
export function checkGetSessionTokenCaller(ctx: RequestContext): void {
  const p = ctx.principal!;
  if (p.type === 'AssumedRole' || p.tokenIssueTime !== undefined) throw stsErrors.accessDenied('Cannot call GetSessionToken with session credentials');
  if (p.type !== 'User' && p.type !== 'Root') throw stsErrors.accessDenied(`User: ${p.arn} is not authorized to perform: sts:GetSessionToken`);
}

export function sessionTokenDuration(requested: number | undefined, root: boolean): number {
  const seconds = requested ?? SESSION_TOKEN_DEFAULT_SECONDS;
  if (seconds < SESSION_TOKEN_MIN_SECONDS) throw constraintError(seconds, 'durationSeconds', `have value greater than or equal to ${SESSION_TOKEN_MIN_SECONDS}`);
  if (seconds > SESSION_TOKEN_MAX_SECONDS) throw constraintError(seconds, 'durationSeconds', `have value less than or equal to ${SESSION_TOKEN_MAX_SECONDS}`);
  return root ? Math.min(seconds, ROOT_SESSION_MAX_SECONDS) : seconds;
}

/** The session acts as the user (or root) that asked for it; no MFA in Vigil, so it cannot call IAM. */
export async function getSessionToken(deps: ServiceDeps, i: GetSessionTokenRequest, ctx: RequestContext): Promise<GetSessionTokenResponse> {
  checkGetSessionTokenCaller(ctx);
  const p = ctx.principal!;
  const root = p.type === 'Root';
  const duration = sessionTokenDuration(i.DurationSeconds, root);
  const parent = root ? ROOT_OWNER : entityKey('user', p.userName!);
  const { credentials } = await createSession(deps, p.accountId, parent, { kind: 'GetSessionToken', UserName: root ? undefined : p.userName }, duration);
  await sweepExpiredSessions(deps, p.accountId);
  return { Credentials: credentials };
}
