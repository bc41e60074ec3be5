import type { ServiceDeps } from '../../server/deps.js';
import type { AuthzRequirement, Input, OperationImpl, ServiceDefinition } from '../types.js';
import { model } from './api.generated.js';
import type { InvokeEndpointInput } from './api.generated.js';
import { invokeEndpoint, type InvokeDeps } from './invoke.js';

export type { CaptureSink, MetricsSink } from './invoke.js';

export interface RuntimeServiceOptions extends Omit<InvokeDeps, 'now'> {
  /** The endpoint's tags, from memory, for sagemaker:ResourceTag/* conditions (undefined: none known). */
  endpointTags?: (accountId: string, region: string, name: string) => Record<string, string> | undefined;
}

/** SageMaker ARNs carry resource names in lower case. */
export const endpointArn = (region: string, accountId: string, name: string): string =>
  `arn:aws:sagemaker:${region}:${accountId}:endpoint/${name.toLowerCase()}`;

/**
 * SageMaker Runtime over restJson1 (`POST /endpoints/{name}/invocations`), sharing the signing name `sagemaker`
 * with the control plane and told apart by its path. InvokeEndpoint is a CloudTrail data event: audited in
 * group commits, never a database read on the request path.
 */
export function createSageMakerRuntimeService(deps: ServiceDeps, opts: RuntimeServiceOptions): ServiceDefinition {
  const invokeDeps: InvokeDeps = { ...opts, now: () => deps.clock.now() };
  const invoke: OperationImpl = {
    handler: (input, ctx) => invokeEndpoint(invokeDeps, input as unknown as InvokeEndpointInput, ctx) as unknown as Promise<Record<string, unknown>>,
    authz: (input: Input, ctx): AuthzRequirement => {
      const i = input as unknown as InvokeEndpointInput;
      const accountId = ctx.principal!.accountId;
      const tags = opts.endpointTags?.(accountId, ctx.region, i.EndpointName) ?? {};
      const conditionKeys: AuthzRequirement['conditionKeys'] = {};
      // SageMaker's own key and the global one both name the endpoint's tags (a Deny on either must apply).
      for (const [k, v] of Object.entries(tags)) {
        conditionKeys[`sagemaker:ResourceTag/${k}`] = v;
        conditionKeys[`aws:ResourceTag/${k}`] = v;
      }
      if (i.TargetModel !== undefined) conditionKeys['sagemaker:TargetModel'] = i.TargetModel;
      return { resources: [endpointArn(ctx.region, accountId, i.EndpointName)], conditionKeys };
    },
    dataEvent: true,
  };
  return {
    name: 'sagemaker-runtime',
    signingName: 'sagemaker',
    actionPrefix: 'sagemaker',
    eventSource: 'sagemaker.amazonaws.com',
    model,
    protocols: ['restJson1'],
    pathPrefix: '/endpoints/',
    operations: { InvokeEndpoint: invoke },
  };
}
