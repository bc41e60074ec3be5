import { randomUUID } from 'node:crypto';
import type { VariantPropertyType } from './api.generated.js';
import { sagemakerArn } from './arns.js';
import type { Sm } from './context.js';
import { findResource } from './records.js';
import { containersOf, type DeploymentSnapshot, type EndpointConfigDoc, type VariantSnapshot } from './store.js';

/** A deployment that cannot go ahead; the message is the endpoint's FailureReason. */
export class DeploymentError extends Error {}

/** UpdateEndpoint's RetainAllVariantProperties, minus ExcludeRetainedVariantProperties. */
export interface Retention {
  previous: DeploymentSnapshot;
  exclude: Set<VariantPropertyType>;
}

/**
 * Freezes an endpoint config and the models it names into a snapshot the endpoint record keeps: deleting the config
 * or a model later does not change what the endpoint serves, or what a restart loads.
 */
export async function buildSnapshot(sm: Sm, account: string, region: string, config: EndpointConfigDoc, retain?: Retention): Promise<DeploymentSnapshot> {
  const now = sm.now().toISOString();
  const variants: VariantSnapshot[] = [];
  for (const pv of config.ProductionVariants) {
    const model = await findResource(sm, account, region, 'model', pv.ModelName);
    if (!model) {
      throw new DeploymentError(`Could not find model "${sagemakerArn(region, account, 'model', pv.ModelName)}" for production variant "${pv.VariantName}".`);
    }
    const kept = retain?.previous.Variants.find((v) => v.VariantName === pv.VariantName);
    variants.push({
      VariantName: pv.VariantName,
      ModelName: model.ModelName,
      ExecutionRoleArn: model.ExecutionRoleArn,
      Containers: containersOf(model),
      Weight: kept && !retain!.exclude.has('DesiredWeight') ? kept.Weight : pv.InitialVariantWeight ?? 1,
      InstanceCount: kept && !retain!.exclude.has('DesiredInstanceCount') ? kept.InstanceCount : pv.InitialInstanceCount ?? 1,
      ...(pv.InstanceType ? { InstanceType: pv.InstanceType } : {}),
      ...(pv.ServerlessConfig ? { ServerlessConfig: pv.ServerlessConfig } : {}),
      ResolutionTime: now,
    });
  }
  const capture = retain && !retain.exclude.has('DataCaptureConfig') ? retain.previous.DataCaptureConfig : config.DataCaptureConfig;
  return {
    LoadId: randomUUID(),
    Revision: randomUUID(),
    EndpointConfigName: config.EndpointConfigName,
    Variants: variants,
    ...(capture ? { DataCaptureConfig: capture } : {}),
  };
}
