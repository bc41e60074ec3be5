import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../gateway/context.js';
import type { DesiredWeightAndCapacity, UpdateEndpointInput } from './api.generated.js';
import { accountOf, type Sm } from './context.js';
import { handlers } from './define.js';
import type { Deployer } from './deployer.js';
import { smErrors } from './errors.js';
import { changeEndpoint, requireResource } from './records.js';
import type { Retention } from './snapshot.js';
import type { EndpointDoc } from './store.js';

/** UpdateEndpoint and UpdateEndpointWeightsAndCapacities accept only an endpoint that is InService. */
function requireUpdatable(e: EndpointDoc): void {
  if (e.EndpointStatus === 'Creating' || e.EndpointStatus === 'Updating' || e.Operation) {
    throw smErrors.validation(`Cannot update in-progress endpoint "${e.EndpointArn}".`);
  }
  if (e.EndpointStatus === 'Failed' || !e.Deployment) throw smErrors.validation(`Cannot update failed endpoint "${e.EndpointArn}".`);
}

/** Switches the endpoint to another config: Updating now, the deployment in the background (deployer.ts). */
async function updateEndpoint(sm: Sm, d: Deployer, ctx: RequestContext, i: UpdateEndpointInput): Promise<string> {
  const account = accountOf(ctx);
  const current = await requireResource(sm, ctx, 'endpoint', i.EndpointName);
  const config = await requireResource(sm, ctx, 'endpoint-config', i.EndpointConfigName);
  const now = sm.now().toISOString();
  const opId = randomUUID();
  let rejection: Error | undefined;
  const doc = await changeEndpoint(sm, account, ctx.region, current.EndpointName, (e) => {
    try {
      requireUpdatable(e);
    } catch (err) {
      rejection = err as Error;
      return undefined;
    }
    const lastDeployment = i.DeploymentConfig ?? (i.RetainDeploymentConfig ? e.LastDeploymentConfig : undefined);
    return {
      ...e, EndpointStatus: 'Updating', LastModifiedTime: now, LastDeploymentConfig: lastDeployment,
      Operation: { Id: opId, EndpointConfigName: config.EndpointConfigName, StartTime: now },
    };
  });
  if (rejection) throw rejection;
  if (!doc) throw smErrors.notFound('endpoint', current.EndpointArn);
  // RetainAllVariantProperties keeps the weights, instance counts and capture set since the last deployment.
  const retain: Retention | undefined = i.RetainAllVariantProperties && doc.Deployment
    ? { previous: doc.Deployment, exclude: new Set((i.ExcludeRetainedVariantProperties ?? []).map((p) => p.VariantPropertyType)) }
    : undefined;
  d.startUpdate(account, ctx.region, doc, config, retain);
  return doc.EndpointArn;
}

function checkDesired(e: EndpointDoc, desired: DesiredWeightAndCapacity[]): void {
  const names = new Set(e.Deployment!.Variants.map((v) => v.VariantName));
  const seen = new Set<string>();
  for (const x of desired) {
    if (!names.has(x.VariantName)) {
      throw smErrors.validation(`The variant name "${x.VariantName}" is not present in the endpoint "${e.EndpointArn}".`);
    }
    if (seen.has(x.VariantName)) throw smErrors.validation(`The variant name "${x.VariantName}" is listed more than once.`);
    seen.add(x.VariantName);
    if (x.DesiredWeight === undefined && x.DesiredInstanceCount === undefined) {
      throw smErrors.validation(`Variant "${x.VariantName}": specify DesiredWeight, DesiredInstanceCount or both.`);
    }
  }
}

export function updateHandlers(sm: Sm, d: Deployer) {
  return handlers({
    UpdateEndpoint: { handler: async (i, ctx) => ({ EndpointArn: await updateEndpoint(sm, d, ctx, i) }) },
    UpdateEndpointWeightsAndCapacities: {
      handler: async (i, ctx) => {
        const e = await requireResource(sm, ctx, 'endpoint', i.EndpointName);
        requireUpdatable(e);
        checkDesired(e, i.DesiredWeightsAndCapacities);
        const done = await d.updateWeights(accountOf(ctx), ctx.region, e.EndpointName, i.DesiredWeightsAndCapacities);
        // Changed between the check and the queue (an update started, or a delete): report it as AWS would.
        if (!done) throw smErrors.notFound('endpoint', e.EndpointArn);
        if (done.Deployment?.Revision === e.Deployment?.Revision) requireUpdatable(done);
        return { EndpointArn: e.EndpointArn };
      },
    },
  });
}
