import type { Principal } from '../../auth/types.js';
import type { LiveEndpoint, LiveVariant, ModelRuntime } from '../../inference/types.js';
import { artifactFetcher, messageOf } from './artifacts.js';
import { captureSettings } from './capture.js';
import type { Sm } from './context.js';
import { DeploymentError } from './snapshot.js';
import type { DeploymentSnapshot, VariantSnapshot } from './store.js';

export interface EndpointIds {
  accountId: string;
  region: string;
  name: string;
  arn: string;
}

/**
 * Turns a snapshot into a LiveEndpoint. Variants found in `reuse` (the deployment serving now, when the snapshot only
 * changed weights or instance counts) keep their runtime objects; the others are loaded: the model's execution role
 * is assumed, its artifacts read as that role, and the runtime factory loads the containers. If any variant fails,
 * the runtimes loaded here are closed and the error names the variant.
 */
export async function loadDeployment(sm: Sm, ids: EndpointIds, snap: DeploymentSnapshot, reuse?: LiveEndpoint): Promise<LiveEndpoint> {
  const results = await Promise.allSettled(snap.Variants.map(async (v): Promise<{ runtime: ModelRuntime; fresh: boolean }> => {
    const kept = reuse?.variants.find((lv) => lv.name === v.VariantName && lv.modelName === v.ModelName);
    return kept ? { runtime: kept.runtime, fresh: false } : { runtime: await loadVariant(sm, ids, v), fresh: true };
  }));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(results.map((r) => (r.status === 'fulfilled' && r.value.fresh ? r.value.runtime.close().catch(() => undefined) : undefined)));
    throw failed.reason;
  }
  const variants: LiveVariant[] = snap.Variants.map((v, n) => ({
    name: v.VariantName,
    modelName: v.ModelName,
    executionRoleArn: v.ExecutionRoleArn,
    weight: v.Weight,
    instanceCount: v.InstanceCount,
    runtime: (results[n] as PromiseFulfilledResult<{ runtime: ModelRuntime }>).value.runtime,
  }));
  const capture = captureSettings(snap.DataCaptureConfig);
  return { ...ids, configName: snap.EndpointConfigName, variants, ...(capture ? { capture } : {}) };
}

async function loadVariant(sm: Sm, ids: EndpointIds, v: VariantSnapshot): Promise<ModelRuntime> {
  // SageMaker always runs a model as its execution role, so a role it cannot assume fails the variant up front.
  let principal: Principal;
  try {
    principal = await sm.serving.roles.principalFor(v.ExecutionRoleArn, ids.accountId, ids.region);
  } catch (err) {
    throw new DeploymentError(`Production variant "${v.VariantName}": could not assume the execution role "${v.ExecutionRoleArn}" of model "${v.ModelName}": ${messageOf(err)}`);
  }
  const label = `${ids.name}/${v.VariantName}`;
  try {
    return await sm.serving.runtimes.load(v.Containers, {
      label,
      artifacts: artifactFetcher(sm, async () => principal, ids.region),
      log: sm.deps.log.child({ endpoint: ids.name, variant: v.VariantName }),
    });
  } catch (err) {
    throw new DeploymentError(`Production variant "${v.VariantName}": failed to load model "${v.ModelName}": ${messageOf(err)}`);
  }
}
