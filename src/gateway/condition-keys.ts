import type { Principal } from '../auth/types.js';
import type { ContextValue } from '../iam-engine/types.js';
import type { RequestContext } from './context.js';

/**
 * The global condition keys AWS puts in every request context (aws-semantics §1.6). Service-specific keys
 * (aws:RequestTag/*, sagemaker:…) are added by each operation's authz function.
 */
export function globalConditionKeys(ctx: RequestContext, principal: Principal, now: Date): Record<string, ContextValue | undefined> {
  const keys: Record<string, ContextValue | undefined> = {
    'aws:SecureTransport': ctx.listener.secure ? 'true' : 'false',
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:PrincipalArn': principalArnKey(principal),
    'aws:PrincipalAccount': principal.accountId,
    'aws:PrincipalType': principal.type === 'Root' ? 'Account' : principal.type,
    'aws:userid': principal.userId,
    'aws:RequestedRegion': ctx.region,
    'aws:UserAgent': ctx.userAgent,
  };
  // Through a VPC endpoint AWS reports the endpoint and the private address instead of aws:SourceIp.
  if (ctx.listener.vpce) {
    keys['aws:SourceVpce'] = ctx.listener.vpce;
    keys['aws:VpcSourceIp'] = ctx.sourceIp;
  } else {
    keys['aws:SourceIp'] = ctx.sourceIp;
  }
  if (principal.type === 'User' && principal.userName) keys['aws:username'] = principal.userName;
  if (principal.tokenIssueTime) {
    keys['aws:TokenIssueTime'] = principal.tokenIssueTime.toISOString();
    keys['aws:MultiFactorAuthPresent'] = principal.mfaPresent ? 'true' : 'false';
  }
  for (const [k, v] of Object.entries(principal.tags)) keys[`aws:PrincipalTag/${k}`] = v;
  return keys;
}

/** aws:PrincipalArn is the role ARN for role sessions, not the session ARN. */
function principalArnKey(p: Principal): string {
  return p.type === 'AssumedRole' && p.roleArn ? p.roleArn : p.arn;
}
