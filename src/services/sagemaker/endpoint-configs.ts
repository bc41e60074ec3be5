import type { RequestContext } from '../../gateway/context.js';
import type { CreateEndpointConfigInput, ProductionVariant } from './api.generated.js';
import { recordId, sagemakerArn } from './arns.js';
import { checkCaptureConfig } from './capture.js';
import { accountOf, type Sm } from './context.js';
import { handlers } from './define.js';
import { smErrors } from './errors.js';
import { listPage } from './listing.js';
import type { DataCaptureConfig } from './model.js';
import { allRecords, findResource, requireResource } from './records.js';
import { SAGEMAKER, type EndpointConfigDoc } from './store.js';
import { checkTags } from './tags.js';

type Input = Omit<CreateEndpointConfigInput, 'DataCaptureConfig'> & { DataCaptureConfig?: DataCaptureConfig };

function checkVariants(variants: ProductionVariant[]): void {
  const seen = new Set<string>();
  for (const v of variants) {
    const key = v.VariantName.toLowerCase();
    if (seen.has(key)) throw smErrors.validation(`The production variant name "${v.VariantName}" is used more than once.`);
    seen.add(key);
    if (v.ServerlessConfig && (v.InstanceType || v.InitialInstanceCount !== undefined)) {
      throw smErrors.validation(`Production variant "${v.VariantName}": specify either ServerlessConfig or InstanceType and InitialInstanceCount.`);
    }
    if (!v.ServerlessConfig && (v.InitialInstanceCount === undefined || !v.InstanceType)) {
      throw smErrors.validation(`Production variant "${v.VariantName}": InstanceType and InitialInstanceCount are required unless ServerlessConfig is given.`);
    }
    if (v.AcceleratorType) throw smErrors.notImplemented('Elastic Inference accelerators (AcceleratorType)');
    if (v.CoreDumpConfig) throw smErrors.notImplemented('CoreDumpConfig');
  }
}

async function createEndpointConfig(sm: Sm, ctx: RequestContext, i: Input): Promise<string> {
  if (i.ShadowProductionVariants?.length) throw smErrors.notImplemented('Shadow production variants');
  if (i.AsyncInferenceConfig) throw smErrors.notImplemented('Asynchronous inference (AsyncInferenceConfig)');
  if (i.ExplainerConfig) throw smErrors.notImplemented('Online explainability (ExplainerConfig)');
  checkVariants(i.ProductionVariants);
  if (i.DataCaptureConfig) checkCaptureConfig(i.DataCaptureConfig);
  const account = accountOf(ctx);
  // AWS checks that every model exists when the config is created (a model deleted later fails the deployment).
  for (const v of i.ProductionVariants) {
    if (!(await findResource(sm, account, ctx.region, 'model', v.ModelName))) {
      throw smErrors.notFound('model', sagemakerArn(ctx.region, account, 'model', v.ModelName));
    }
  }
  const arn = sagemakerArn(ctx.region, account, 'endpoint-config', i.EndpointConfigName);
  const doc: EndpointConfigDoc = {
    EndpointConfigName: i.EndpointConfigName,
    EndpointConfigArn: arn,
    CreationTime: sm.now().toISOString(),
    ProductionVariants: i.ProductionVariants.map((v) => ({ ...v, InitialVariantWeight: v.InitialVariantWeight ?? 1 })),
    ...(i.DataCaptureConfig ? { DataCaptureConfig: i.DataCaptureConfig } : {}),
    ...(i.KmsKeyId ? { KmsKeyId: i.KmsKeyId } : {}),
    Tags: checkTags(i.Tags),
  };
  if (!(await sm.res.create(account, SAGEMAKER, 'endpoint-config', recordId(ctx.region, i.EndpointConfigName), doc))) {
    throw smErrors.alreadyExists('endpoint configuration', arn);
  }
  return arn;
}

export function endpointConfigHandlers(sm: Sm) {
  return handlers({
    CreateEndpointConfig: { handler: async (i, ctx) => ({ EndpointConfigArn: await createEndpointConfig(sm, ctx, i) }) },
    DescribeEndpointConfig: {
      readOnly: true,
      handler: async (i, ctx) => {
        const c = await requireResource(sm, ctx, 'endpoint-config', i.EndpointConfigName);
        return {
          EndpointConfigName: c.EndpointConfigName,
          EndpointConfigArn: c.EndpointConfigArn,
          ProductionVariants: c.ProductionVariants,
          CreationTime: new Date(c.CreationTime),
          ...(c.DataCaptureConfig ? { DataCaptureConfig: c.DataCaptureConfig } : {}),
          ...(c.KmsKeyId ? { KmsKeyId: c.KmsKeyId } : {}),
        };
      },
    },
    ListEndpointConfigs: {
      readOnly: true,
      handler: async (i, ctx) => {
        const docs = await allRecords<EndpointConfigDoc>(sm, accountOf(ctx), 'endpoint-config', ctx.region);
        const page = listPage(docs.map((c) => ({ name: c.EndpointConfigName, creationTime: c.CreationTime, item: c })), i);
        return {
          EndpointConfigs: page.items.map((c) => ({
            EndpointConfigName: c.EndpointConfigName, EndpointConfigArn: c.EndpointConfigArn, CreationTime: new Date(c.CreationTime),
          })),
          ...(page.NextToken ? { NextToken: page.NextToken } : {}),
        };
      },
    },
    DeleteEndpointConfig: {
      // Endpoints deployed from the config keep serving it (they hold a snapshot), as in AWS.
      handler: async (i, ctx) => {
        const c = await requireResource(sm, ctx, 'endpoint-config', i.EndpointConfigName);
        await sm.res.delete(accountOf(ctx), SAGEMAKER, 'endpoint-config', recordId(ctx.region, c.EndpointConfigName));
      },
    },
  });
}
