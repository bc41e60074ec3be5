import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../gateway/context.js';
import type { CreateEndpointInput } from './api.generated.js';
import { recordId, sagemakerArn } from './arns.js';
import { accountOf, type Sm } from './context.js';
import { handlers } from './define.js';
import type { Deployer } from './deployer.js';
import { describeEndpoint } from './endpoint-view.js';
import { smErrors } from './errors.js';
import { listPage } from './listing.js';
import { allRecords, requireResource } from './records.js';
import { SAGEMAKER, type EndpointDoc } from './store.js';
import { checkTags } from './tags.js';

/** CreateEndpoint records the endpoint as Creating and returns; the deployment runs in the background (deployer.ts). */
async function createEndpoint(sm: Sm, d: Deployer, ctx: RequestContext, i: CreateEndpointInput): Promise<string> {
  const account = accountOf(ctx);
  const arn = sagemakerArn(ctx.region, account, 'endpoint', i.EndpointName);
  const tags = checkTags(i.Tags);
  const config = await requireResource(sm, ctx, 'endpoint-config', i.EndpointConfigName);
  const now = sm.now().toISOString();
  const doc: EndpointDoc = {
    EndpointName: i.EndpointName,
    EndpointArn: arn,
    EndpointConfigName: config.EndpointConfigName,
    EndpointStatus: 'Creating',
    CreationTime: now,
    LastModifiedTime: now,
    Tags: tags,
    Operation: { Id: randomUUID(), EndpointConfigName: config.EndpointConfigName, StartTime: now },
    // Accepted and reported; Vigil deploys all at once (a local process has no fleet to shift traffic across).
    ...(i.DeploymentConfig ? { LastDeploymentConfig: i.DeploymentConfig } : {}),
  };
  if (!(await sm.res.create(account, SAGEMAKER, 'endpoint', recordId(ctx.region, i.EndpointName), doc))) {
    throw smErrors.alreadyExists('endpoint', arn);
  }
  d.startCreate(account, ctx.region, doc, config);
  return arn;
}

export function endpointHandlers(sm: Sm, d: Deployer) {
  return handlers({
    CreateEndpoint: { handler: async (i, ctx) => ({ EndpointArn: await createEndpoint(sm, d, ctx, i) }) },
    DescribeEndpoint: {
      readOnly: true,
      handler: async (i, ctx) => describeEndpoint(await requireResource(sm, ctx, 'endpoint', i.EndpointName)),
    },
    ListEndpoints: {
      readOnly: true,
      handler: async (i, ctx) => {
        const docs = await allRecords<EndpointDoc>(sm, accountOf(ctx), 'endpoint', ctx.region);
        const rows = docs.map((e) => ({ name: e.EndpointName, creationTime: e.CreationTime, lastModifiedTime: e.LastModifiedTime, status: e.EndpointStatus, item: e }));
        const page = listPage(rows, i);
        return {
          Endpoints: page.items.map((e) => ({
            EndpointName: e.EndpointName, EndpointArn: e.EndpointArn, CreationTime: new Date(e.CreationTime),
            LastModifiedTime: new Date(e.LastModifiedTime), EndpointStatus: e.EndpointStatus,
          })),
          ...(page.NextToken ? { NextToken: page.NextToken } : {}),
        };
      },
    },
    DeleteEndpoint: {
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        const e = await requireResource(sm, ctx, 'endpoint', i.EndpointName);
        await sm.res.delete(account, SAGEMAKER, 'endpoint', recordId(ctx.region, e.EndpointName));
        // New requests stop at once (an invocation after the call fails); the queued removal also undoes a
        // deployment still in progress, behind which it waits.
        d.uninstall(account, ctx.region, e.EndpointName);
        void d.remove(account, ctx.region, e.EndpointName);
      },
    },
  });
}
