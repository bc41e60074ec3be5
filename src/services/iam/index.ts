import type { ServiceDeps } from '../../server/deps.js';
import type { ServiceDefinition } from '../types.js';
import { accessKeyOperations } from './access-keys.js';
import { accountDetailsOperations } from './account-details.js';
import { model } from './api.generated.js';
import { attachmentOperations } from './attachments.js';
import { denyGetSessionTokenCredentials } from './authz.js';
import { boundaryOperations } from './boundaries.js';
import { iamContext } from './context.js';
import { tagOperations } from './entity-tags.js';
import { groupOperations } from './groups.js';
import { inlinePolicyOperations } from './inline-policies.js';
import { policyOperations } from './policies.js';
import { policyVersionOperations } from './policy-versions.js';
import { roleOperations } from './roles.js';
import { simulateOperations } from './simulate.js';
import { userOperations } from './users.js';

export { recordAccessKeyUse } from './access-keys.js';

/** IAM over awsQuery. Operations of the model that are not listed here answer NotImplemented by name. */
export function createIamService(deps: ServiceDeps): ServiceDefinition {
  const c = iamContext(deps);
  return {
    name: 'iam',
    signingName: 'iam',
    actionPrefix: 'iam',
    eventSource: 'iam.amazonaws.com',
    model,
    protocols: ['awsQuery'],
    global: true,
    operations: denyGetSessionTokenCredentials({
      ...userOperations(c),
      ...tagOperations(c),
      ...accessKeyOperations(c),
      ...groupOperations(c),
      ...roleOperations(c),
      ...inlinePolicyOperations(c),
      ...policyOperations(c),
      ...policyVersionOperations(c),
      ...attachmentOperations(c),
      ...boundaryOperations(c),
      ...simulateOperations(c),
      ...accountDetailsOperations(c),
    }),
  };
}
