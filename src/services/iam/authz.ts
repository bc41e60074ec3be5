import type { Principal } from '../../auth/types.js';
import type { RequestContext } from '../../gateway/context.js';
import { accessDeniedMessage } from '../../iam-engine/index.js';
import type { ContextValue } from '../../iam-engine/types.js';
import { CommonErrors } from '../../protocol/errors.js';
import type { AuthzRequirement, OperationImpl } from '../types.js';
import { groupArn, iamArn, roleArn, userArn } from './arns.js';
import { accountOf, caller, callerUserName, type Iam } from './context.js';
import { findGroup, findRole, findUser } from './store.js';
import { resourceTagKeys } from './tags.js';

type Keys = Record<string, ContextValue | undefined>;

/**
 * ListUsers/ListRoles/ListGroups are authorized on the path they list, as AWS does: `arn:aws:iam::ACCT:user/` (plus the
 * PathPrefix), which is also what AWS names in their AccessDenied messages.
 */
export function pathResource(ctx: RequestContext, type: 'user' | 'role' | 'group', pathPrefix: string | undefined): AuthzRequirement {
  return { resources: [iamArn(accountOf(ctx), `${type}${pathPrefix ?? '/'}`)] };
}

/** Account-level actions (List*, Create of account-wide things, simulations of custom policies). */
export const anyResource = (keys?: Keys): AuthzRequirement => ({ resources: ['*'], conditionKeys: keys });

/**
 * The user an operation acts on, as AWS authorizes it: the user's ARN with its path, and aws:ResourceTag/* when
 * it has tags. No UserName means the caller itself. A user that does not exist is still authorized (by the ARN
 * it would have), so an unauthorized caller learns nothing about which users exist.
 */
export async function userTarget(c: Iam, ctx: RequestContext, name: string | undefined, keys?: Keys): Promise<AuthzRequirement> {
  const account = accountOf(ctx);
  const userName = name ?? callerUserName(ctx);
  if (!userName) return { resources: [caller(ctx).arn], conditionKeys: keys };
  const user = await findUser(c.res, account, userName);
  return { resources: [user?.Arn ?? userArn(account, '/', userName)], conditionKeys: { ...resourceTagKeys(user?.Tags), ...keys } };
}

export async function roleTarget(c: Iam, ctx: RequestContext, name: string, keys?: Keys): Promise<AuthzRequirement> {
  const account = accountOf(ctx);
  const role = await findRole(c.res, account, name);
  return { resources: [role?.Arn ?? roleArn(account, '/', name)], conditionKeys: { ...resourceTagKeys(role?.Tags), ...keys } };
}

export async function groupTarget(c: Iam, ctx: RequestContext, name: string, keys?: Keys): Promise<AuthzRequirement> {
  const account = accountOf(ctx);
  const group = await findGroup(c.res, account, name);
  return { resources: [group?.Arn ?? groupArn(account, '/', name)], conditionKeys: keys };
}

/** Credentials from GetSessionToken: a User/Root principal that carries a session. */
export function isGetSessionTokenPrincipal(p: Principal | undefined): boolean {
  return !!p && (p.type === 'User' || p.type === 'Root') && p.tokenIssueTime !== undefined;
}

/**
 * AWS: credentials from GetSessionToken cannot call IAM unless MFA information was included (Vigil has no MFA,
 * so never). Wrapping authz keeps the rule in one place, and it answers before any handler runs.
 */
export function denyGetSessionTokenCredentials(ops: Record<string, OperationImpl>): Record<string, OperationImpl> {
  const out: Record<string, OperationImpl> = {};
  for (const [name, op] of Object.entries(ops)) {
    out[name] = {
      ...op,
      authz: async (input, ctx) => {
        const req = await op.authz(input, ctx);
        const p = ctx.principal;
        if (isGetSessionTokenPrincipal(p) && !p!.mfaPresent) {
          const action = req.action ?? `iam:${name}`;
          const denial = accessDeniedMessage(p!.arn, action, req.resources[0], { result: 'ImplicitlyDenied', deniedBy: 'session', matched: [] });
          throw CommonErrors.accessDenied(denial, 'query');
        }
        return req;
      },
    };
  }
  return out;
}
