import type { ServiceDeps } from '../../server/deps.js';
import type { OperationImpl, ServiceDefinition } from '../types.js';
import { authzFor } from './authz.js';
import { smContext, type Serving } from './context.js';
import type { HandlerImpl } from './define.js';
import { Deployer } from './deployer.js';
import { endpointTags } from './endpoint-tags.js';
import { endpointConfigHandlers } from './endpoint-configs.js';
import { updateHandlers } from './endpoint-updates.js';
import { endpointHandlers } from './endpoints.js';
import { model } from './model.js';
import { modelHandlers } from './models.js';
import { Monitoring, monitoringHandlers } from './monitoring/index.js';
import type { JobRunner } from '../../scheduler/runner.js';
import { Replicas } from './replicas.js';
import { tagHandlers } from './tags.js';

export type { Serving } from './context.js';
export { SageMakerRoleSessions } from './role-sessions.js';
export { endpointTags };
export { ENDPOINT_TOPIC } from './deployer.js';

export interface SageMakerService extends ServiceDefinition {
  /** Serves again every deployed endpoint of these accounts (all regions): call once at start. */
  restore(accountIds: string[]): Promise<void>;
  /** Stops following other replicas and waits for deployments under way; the registry itself is closed by its owner. */
  close(): Promise<void>;
  /** An endpoint's tags from memory, for sagemaker:ResourceTag/* on InvokeEndpoint (names compared case-insensitively). */
  endpointTags(accountId: string, region: string, name: string): Record<string, string> | undefined;
  /** Model Monitor: background processing jobs and the schedules' clock (tests drive `tick` and await `idle`). */
  monitoring: Monitoring;
  /** Registers Model Monitor's schedule job on the server's runner, for these accounts. */
  registerJobs(jobs: JobRunner, accountIds: string[]): void;
}

/**
 * The SageMaker control plane over awsJson 1.1 (`SageMaker.*`): models, endpoint configs, endpoints (deployed for
 * real into `serving.registry`), tags, and Model Monitor (monitoring/). Operations of the model not listed here answer NotImplemented by name.
 */
export function createSageMakerService(deps: ServiceDeps, serving: Serving): SageMakerService {
  const sm = smContext(deps, serving);
  const deployer = new Deployer(sm);
  const replicas = new Replicas(deployer);
  const monitoring = new Monitoring(sm);
  const impls: Record<string, HandlerImpl> = {
    ...modelHandlers(sm),
    ...endpointConfigHandlers(sm),
    ...endpointHandlers(sm, deployer),
    ...updateHandlers(sm, deployer),
    ...tagHandlers(sm, deployer),
    ...monitoringHandlers(sm, monitoring),
  };
  const operations: Record<string, OperationImpl> = {};
  for (const [name, impl] of Object.entries(impls)) operations[name] = { ...impl, authz: authzFor(sm, name) };
  return {
    name: 'sagemaker',
    signingName: 'sagemaker',
    actionPrefix: 'sagemaker',
    eventSource: 'sagemaker.amazonaws.com',
    model,
    protocols: ['awsJson1_1'],
    targetPrefixes: ['SageMaker'],
    operations,
    restore: async (accountIds) => {
      await replicas.restore(accountIds);
      // Near-real-time drift baselines live in memory: every replica sets them again at start (never throws).
      await monitoring.baselines.restore(accountIds);
      // Processing jobs a previous process left running end Failed/Stopped (never throws).
      await monitoring.restore(accountIds);
    },
    close: async () => {
      await monitoring.close();
      await deployer.drain();
      replicas.close();
      await deployer.drain();
    },
    endpointTags: (accountId, region, name) => endpointTags(serving.registry, accountId, region, name),
    monitoring,
    registerJobs: (jobs, accountIds) => monitoring.registerJobs(jobs, accountIds),
  };
}
