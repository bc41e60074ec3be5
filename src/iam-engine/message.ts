import type { Decision, DenyingPolicyType } from './types.js';

/**
 * AWS's AccessDenied text (troubleshoot_access-denied):
 *   User: <arn> is not authorized to perform: <action>[ on resource: <arn>] because no <type> policy allows the <action> action
 *   User: <arn> is not authorized to perform: <action>[ on resource: <arn>] with an explicit deny in <a/an/the> <type> policy
 */

/** The noun phrase AWS uses for each policy type ("permissions boundary" stands alone, without "policy"). */
const NOUN: Record<DenyingPolicyType, string> = {
  'identity-based': 'identity-based policy',
  'resource-based': 'resource-based policy',
  'permissions boundary': 'permissions boundary',
  session: 'session policy',
  'role trust': 'role trust policy',
  'service control': 'service control policy',
};

/** Article for an explicit deny: the role has exactly one trust policy, everything else is one of several. */
const ARTICLE: Record<DenyingPolicyType, string> = {
  'identity-based': 'an',
  'resource-based': 'a',
  'permissions boundary': 'a',
  session: 'a',
  'role trust': 'the',
  'service control': 'a',
};

export function accessDeniedMessage(principalArn: string, action: string, resource: string | undefined, decision: Decision): string {
  const on = resource === undefined || resource === '*' || resource === '' ? '' : ` on resource: ${resource}`;
  const type = decision.deniedBy ?? 'identity-based';
  const reason = decision.result === 'ExplicitlyDenied'
    ? `with an explicit deny in ${ARTICLE[type]} ${NOUN[type]}`
    : `because no ${NOUN[type]} allows the ${action} action`;
  return `User: ${principalArn} is not authorized to perform: ${action}${on} ${reason}`;
}
