import type { ServiceDeps } from '../../server/deps.js';
import type { OperationImpl, ServiceDefinition } from '../types.js';
import { aliasHandlers } from './aliases.js';
import { authzFor } from './authz.js';
import { kmsContext } from './context.js';
import { cryptoHandlers } from './crypto-ops.js';
import type { HandlerImpl } from './define.js';
import { deletionHandlers } from './deletion.js';
import { grantHandlers } from './grants.js';
import { keyHandlers } from './keys.js';
import { macHandlers } from './mac.js';
import { model } from './model.js';
import { policyHandlers } from './policy.js';
import { rotationHandlers } from './rotation.js';
import { tagHandlers } from './tags.js';

export { registerKmsJobs } from './jobs.js';
export { ensureServiceKey, type ManagedKeyService } from './service-keys.js';

/** Every implemented operation's handler; authorization comes from the one table in authz.ts. */
export function kmsHandlers(deps: ServiceDeps): Record<string, HandlerImpl> {
  const k = kmsContext(deps);
  return {
    ...keyHandlers(k),
    ...deletionHandlers(k),
    ...policyHandlers(k),
    ...aliasHandlers(k),
    ...cryptoHandlers(k),
    ...macHandlers(k),
    ...rotationHandlers(k),
    ...grantHandlers(k),
    ...tagHandlers(k),
  };
}

/** KMS over awsJson 1.1 (`TrentService.*`). Operations of the model not listed answer NotImplemented by name. */
export function createKmsService(deps: ServiceDeps): ServiceDefinition {
  const k = kmsContext(deps);
  const operations: Record<string, OperationImpl> = {};
  for (const [name, impl] of Object.entries(kmsHandlers(deps))) operations[name] = { ...impl, authz: authzFor(k, name) };
  return {
    name: 'kms',
    signingName: 'kms',
    actionPrefix: 'kms',
    eventSource: 'kms.amazonaws.com',
    model,
    protocols: ['awsJson1_1'],
    targetPrefixes: ['TrentService'],
    operations,
  };
}
