import type { RequestContext } from '../../gateway/context.js';
import type { CreateModelInput, DescribeModelOutput } from './api.generated.js';
import { recordId, sagemakerArn } from './arns.js';
import { accountOf, type Sm } from './context.js';
import { handlers } from './define.js';
import { smErrors } from './errors.js';
import { listPage } from './listing.js';
import type { ContainerDefinition } from './model.js';
import { allRecords, requireResource } from './records.js';
import { SAGEMAKER, type ModelDoc } from './store.js';
import { checkTags } from './tags.js';

/** What Vigil can serve of a container definition; the rest answers NotImplemented by name. */
function checkContainer(c: ContainerDefinition, where: string): void {
  if (c.ModelPackageName) throw smErrors.notImplemented('Model packages (ModelPackageName)');
  if (c.InferenceSpecificationName) throw smErrors.notImplemented('InferenceSpecificationName');
  if (!c.Image) throw smErrors.validation(`${where}: Image is required.`);
  if (c.ImageConfig && c.ImageConfig.RepositoryAccessMode !== 'Platform') throw smErrors.notImplemented('ImageConfig RepositoryAccessMode Vpc');
}

function checkModel(i: CreateModelInput): void {
  if (i.PrimaryContainer && i.Containers?.length) {
    throw smErrors.validation('Specify either PrimaryContainer or Containers, not both.');
  }
  if (!i.PrimaryContainer && !i.Containers?.length) throw smErrors.validation('Either PrimaryContainer or Containers must be specified.');
  if (i.PrimaryContainer) checkContainer(i.PrimaryContainer, 'PrimaryContainer');
  i.Containers?.forEach((c, n) => checkContainer(c, `Containers[${n}]`));
  if (i.InferenceExecutionConfig?.Mode === 'Direct') throw smErrors.notImplemented('InferenceExecutionConfig Mode Direct');
}

export function describeModel(m: ModelDoc): DescribeModelOutput {
  return {
    ModelName: m.ModelName,
    ModelArn: m.ModelArn,
    ExecutionRoleArn: m.ExecutionRoleArn,
    CreationTime: new Date(m.CreationTime),
    EnableNetworkIsolation: m.EnableNetworkIsolation,
    ...(m.PrimaryContainer ? { PrimaryContainer: m.PrimaryContainer } : {}),
    ...(m.Containers ? { Containers: m.Containers } : {}),
    ...(m.InferenceExecutionConfig ? { InferenceExecutionConfig: m.InferenceExecutionConfig } : {}),
    ...(m.VpcConfig ? { VpcConfig: m.VpcConfig } : {}),
  };
}

async function createModel(sm: Sm, ctx: RequestContext, i: CreateModelInput): Promise<string> {
  checkModel(i);
  const account = accountOf(ctx);
  const arn = sagemakerArn(ctx.region, account, 'model', i.ModelName);
  const doc: ModelDoc = {
    ModelName: i.ModelName,
    ModelArn: arn,
    CreationTime: sm.now().toISOString(),
    ...(i.PrimaryContainer ? { PrimaryContainer: i.PrimaryContainer } : {}),
    ...(i.Containers?.length ? { Containers: i.Containers } : {}),
    ...(i.InferenceExecutionConfig ? { InferenceExecutionConfig: i.InferenceExecutionConfig } : {}),
    ExecutionRoleArn: i.ExecutionRoleArn,
    // Recorded and reported; a local runtime has no VPC to join and makes no outbound calls of its own.
    ...(i.VpcConfig ? { VpcConfig: i.VpcConfig } : {}),
    EnableNetworkIsolation: i.EnableNetworkIsolation ?? false,
    Tags: checkTags(i.Tags),
  };
  if (!(await sm.res.create(account, SAGEMAKER, 'model', recordId(ctx.region, i.ModelName), doc))) {
    throw smErrors.alreadyExists('model', arn);
  }
  return arn;
}

export function modelHandlers(sm: Sm) {
  return handlers({
    CreateModel: { handler: async (i, ctx) => ({ ModelArn: await createModel(sm, ctx, i) }) },
    DescribeModel: {
      readOnly: true,
      handler: async (i, ctx) => describeModel(await requireResource(sm, ctx, 'model', i.ModelName)),
    },
    ListModels: {
      readOnly: true,
      handler: async (i, ctx) => {
        const docs = await allRecords<ModelDoc>(sm, accountOf(ctx), 'model', ctx.region);
        const page = listPage(docs.map((m) => ({ name: m.ModelName, creationTime: m.CreationTime, item: m })), i);
        return {
          Models: page.items.map((m) => ({ ModelName: m.ModelName, ModelArn: m.ModelArn, CreationTime: new Date(m.CreationTime) })),
          ...(page.NextToken ? { NextToken: page.NextToken } : {}),
        };
      },
    },
    DeleteModel: {
      // Endpoints serving the model keep serving it: they deployed a snapshot (store.ts).
      handler: async (i, ctx) => {
        const m = await requireResource(sm, ctx, 'model', i.ModelName);
        await sm.res.delete(accountOf(ctx), SAGEMAKER, 'model', recordId(ctx.region, m.ModelName));
      },
    },
  });
}
