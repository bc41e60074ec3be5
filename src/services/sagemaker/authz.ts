import { authorize } from '../../gateway/authorize.js';
import type { RequestContext } from '../../gateway/context.js';
import type { ContextValue } from '../../iam-engine/types.js';
import type { Authz, AuthzRequirement, Input } from '../types.js';
import type { Tag } from './api.generated.js';
import { sagemakerArn, type ResourceType } from './arns.js';
import { accountOf, caller, type Sm } from './context.js';
import { smErrors } from './errors.js';
import { MONITORING_RULES } from './monitoring/authz.js';
import { tagsOfArn } from './tags.js';

/**
 * THE authorization table of SageMaker: for each operation, the IAM action (`sagemaker:<Operation>`), the resource
 * ARNs and the condition keys of AWS's Service Authorization Reference. Existing resources contribute their tags as
 * sagemaker:ResourceTag/* (SageMaker's own key) and aws:ResourceTag/*. CreateModel also needs iam:PassRole on the
 * execution role, checked here with iam:PassedToService, as AWS does.
 */

// The table spans every operation's input shape; each rule reads only the members its operation has.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type In = any;
type Keys = Record<string, ContextValue | undefined>;
type Rule = (sm: Sm, i: In, ctx: RequestContext) => Promise<AuthzRequirement>;

export function requestTagKeys(tags: Tag[] | undefined): Keys {
  if (!tags?.length) return {};
  const keys: Keys = { 'aws:TagKeys': tags.map((t) => t.Key) };
  for (const t of tags) keys[`aws:RequestTag/${t.Key}`] = t.Value ?? '';
  return keys;
}

export function resourceTagKeys(tags: Tag[]): Keys {
  const keys: Keys = {};
  for (const t of tags) {
    keys[`sagemaker:ResourceTag/${t.Key}`] = t.Value;
    keys[`aws:ResourceTag/${t.Key}`] = t.Value;
  }
  return keys;
}

const arnOf = (ctx: RequestContext, type: ResourceType, name: string): string => sagemakerArn(ctx.region, accountOf(ctx), type, name);

const account: Rule = async () => ({ resources: ['*'] });

/** An existing resource named by a member of the input, with its tags. */
const onResource = (type: ResourceType, member: string, keys: (i: In) => Keys = () => ({})): Rule => async (sm, i, ctx) => {
  const arn = arnOf(ctx, type, i[member]);
  return { resources: [arn], conditionKeys: { ...resourceTagKeys(await tagsOfArn(sm, ctx, arn)), ...keys(i) } };
};

/** AddTags / DeleteTags / ListTags: the ARN given, with that resource's tags. */
const onArn = (keys: (i: In) => Keys = () => ({})): Rule => async (sm, i, ctx) =>
  ({ resources: [i.ResourceArn], conditionKeys: { ...resourceTagKeys(await tagsOfArn(sm, ctx, i.ResourceArn)), ...keys(i) } });

const createModel: Rule = async (sm, i, ctx) => {
  const modelArn = arnOf(ctx, 'model', i.ModelName);
  // iam:PassRole is judged first: AWS refuses CreateModel naming a role the caller may not pass, whatever else it may do.
  const pass: AuthzRequirement = {
    resources: [i.ExecutionRoleArn],
    conditionKeys: { 'iam:PassedToService': 'sagemaker.amazonaws.com', 'iam:AssociatedResourceArn': modelArn },
  };
  // A role of another account would let SageMaker read and write that account's data for this caller.
  const roleAccount = /^arn:aws:iam::(\d{12}):role\//.exec(i.ExecutionRoleArn)?.[1];
  if (roleAccount !== undefined && roleAccount !== accountOf(ctx)) {
    throw smErrors.accessDenied('Cross-account pass role is not allowed.');
  }
  authorize(ctx, caller(ctx), pass, 'iam:PassRole', sm.now());
  return {
    resources: [modelArn],
    conditionKeys: {
      ...requestTagKeys(i.Tags),
      'sagemaker:NetworkIsolation': String(i.EnableNetworkIsolation ?? false),
      'sagemaker:VpcSubnets': i.VpcConfig?.Subnets,
      'sagemaker:VpcSecurityGroupIds': i.VpcConfig?.SecurityGroupIds,
    },
  };
};

const createEndpointConfig: Rule = async (_sm, i, ctx) => {
  const variants: { ModelName: string; InstanceType?: string; AcceleratorType?: string }[] = i.ProductionVariants ?? [];
  const present = (xs: (string | undefined)[]): string[] | undefined => {
    const list = [...new Set(xs.filter((x): x is string => !!x))];
    return list.length ? list : undefined;
  };
  return {
    resources: [arnOf(ctx, 'endpoint-config', i.EndpointConfigName)],
    conditionKeys: {
      ...requestTagKeys(i.Tags),
      'sagemaker:InstanceTypes': present(variants.map((v) => v.InstanceType)),
      'sagemaker:AcceleratorTypes': present(variants.map((v) => v.AcceleratorType)),
      'sagemaker:ModelArn': present(variants.map((v) => arnOf(ctx, 'model', v.ModelName))),
      'sagemaker:VolumeKmsKey': i.KmsKeyId,
    },
  };
};

/** CreateEndpoint and UpdateEndpoint act on the endpoint and use the endpoint config (AWS checks both ARNs). */
const withConfig = (tagKeys: (i: In) => Keys, existing: boolean): Rule => async (sm, i, ctx) => {
  const endpointArn = arnOf(ctx, 'endpoint', i.EndpointName);
  const tags = existing ? resourceTagKeys(await tagsOfArn(sm, ctx, endpointArn)) : {};
  return { resources: [endpointArn, arnOf(ctx, 'endpoint-config', i.EndpointConfigName)], conditionKeys: { ...tags, ...tagKeys(i) } };
};

const RULES: Record<string, Rule> = {
  CreateModel: createModel,
  DescribeModel: onResource('model', 'ModelName'),
  DeleteModel: onResource('model', 'ModelName'),
  ListModels: account,
  CreateEndpointConfig: createEndpointConfig,
  DescribeEndpointConfig: onResource('endpoint-config', 'EndpointConfigName'),
  DeleteEndpointConfig: onResource('endpoint-config', 'EndpointConfigName'),
  ListEndpointConfigs: account,
  CreateEndpoint: withConfig((i) => requestTagKeys(i.Tags), false),
  UpdateEndpoint: withConfig(() => ({}), true),
  DescribeEndpoint: onResource('endpoint', 'EndpointName'),
  DeleteEndpoint: onResource('endpoint', 'EndpointName'),
  UpdateEndpointWeightsAndCapacities: onResource('endpoint', 'EndpointName'),
  ListEndpoints: account,
  AddTags: onArn((i) => requestTagKeys(i.Tags)),
  DeleteTags: onArn((i) => (i.TagKeys?.length ? { 'aws:TagKeys': i.TagKeys } : {})),
  ListTags: onArn(),
  ...MONITORING_RULES,
};

export const AUTHORIZED_OPERATIONS: readonly string[] = Object.keys(RULES);

/** The gateway-facing authz function of one operation. */
export function authzFor(sm: Sm, operation: string): Authz {
  const rule = RULES[operation];
  if (!rule) throw new Error(`SageMaker operation ${operation} has no authorization rule`);
  return (input: Input, ctx: RequestContext) => rule(sm, input, ctx);
}
