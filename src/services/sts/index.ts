import type { ServiceDeps } from '../../server/deps.js';
import { operationsOf } from '../iam/define.js';
import type { ServiceDefinition } from '../types.js';
import { model, type Operations } from './api.generated.js';
import { assumeRole, assumeRoleAuthz } from './assume-role.js';
import { getSessionToken } from './session-token.js';

const define = operationsOf<Operations>();

/** STS over awsQuery: GetCallerIdentity, AssumeRole, GetSessionToken. */
export function createStsService(deps: ServiceDeps): ServiceDefinition {
  return {
    name: 'sts',
    signingName: 'sts',
    actionPrefix: 'sts',
    eventSource: 'sts.amazonaws.com',
    model,
    protocols: ['awsQuery'],
    global: true,
    operations: define({
      GetCallerIdentity: {
        // AWS answers GetCallerIdentity even under an explicit Deny.
        alwaysAllowed: true,
        readOnly: true,
        authz: () => ({ resources: ['*'] }),
        handler: async (_i, ctx) => ({ UserId: ctx.principal!.userId, Account: ctx.principal!.accountId, Arn: ctx.principal!.arn }),
      },
      AssumeRole: {
        // CloudTrail records AssumeRole as a read-only management event.
        readOnly: true,
        authz: (i, ctx) => assumeRoleAuthz(deps, i, ctx),
        handler: (i, ctx) => assumeRole(deps, i, ctx),
      },
      GetSessionToken: {
        // AWS: no permissions are required to call GetSessionToken; who may call it is checked by the handler.
        alwaysAllowed: true,
        readOnly: true,
        authz: () => ({ resources: ['*'] }),
        handler: (i, ctx) => getSessionToken(deps, i, ctx),
      },
    }),
  };
}
