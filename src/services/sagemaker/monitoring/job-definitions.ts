/** CreateDataQualityJobDefinition / Describe / List / Delete. */
import type { RequestContext } from '../../../gateway/context.js';
import type { CreateDataQualityJobDefinitionRequest, DescribeDataQualityJobDefinitionResponse } from '../api.generated.js';
import { recordId } from '../arns.js';
import { accountOf, type Sm } from '../context.js';
import { handlers } from '../define.js';
import { smErrors } from '../errors.js';
import { listPage } from '../listing.js';
import { SAGEMAKER } from '../store.js';
import { checkTags } from '../tags.js';
import { checkSpec, findDefinition, fromDefinition } from './definitions.js';
import { listAll } from './jobs.js';
import { monitorArn } from './names.js';
import { JOB_DEFINITION, SCHEDULE, type JobDefinitionDoc, type ScheduleDoc } from './store.js';

function describe(d: JobDefinitionDoc): DescribeDataQualityJobDefinitionResponse {
  return {
    JobDefinitionArn: d.JobDefinitionArn,
    JobDefinitionName: d.JobDefinitionName,
    CreationTime: new Date(d.CreationTime),
    ...(d.DataQualityBaselineConfig ? { DataQualityBaselineConfig: d.DataQualityBaselineConfig } : {}),
    DataQualityAppSpecification: d.DataQualityAppSpecification,
    DataQualityJobInput: d.DataQualityJobInput,
    DataQualityJobOutputConfig: d.DataQualityJobOutputConfig,
    JobResources: d.JobResources,
    ...(d.NetworkConfig ? { NetworkConfig: d.NetworkConfig } : {}),
    RoleArn: d.RoleArn,
    ...(d.StoppingCondition ? { StoppingCondition: d.StoppingCondition } : {}),
  };
}

async function create(sm: Sm, ctx: RequestContext, i: CreateDataQualityJobDefinitionRequest): Promise<string> {
  const account = accountOf(ctx);
  const arn = monitorArn(ctx.region, account, JOB_DEFINITION, i.JobDefinitionName);
  const doc: JobDefinitionDoc = {
    JobDefinitionName: i.JobDefinitionName,
    JobDefinitionArn: arn,
    CreationTime: sm.now().toISOString(),
    ...(i.DataQualityBaselineConfig ? { DataQualityBaselineConfig: i.DataQualityBaselineConfig } : {}),
    DataQualityAppSpecification: i.DataQualityAppSpecification,
    DataQualityJobInput: i.DataQualityJobInput,
    DataQualityJobOutputConfig: i.DataQualityJobOutputConfig,
    JobResources: i.JobResources,
    ...(i.NetworkConfig ? { NetworkConfig: i.NetworkConfig } : {}),
    RoleArn: i.RoleArn,
    ...(i.StoppingCondition ? { StoppingCondition: i.StoppingCondition } : {}),
    Tags: checkTags(i.Tags),
  };
  checkSpec(fromDefinition(doc), 'DataQualityAppSpecification.ImageUri');
  if (!(await sm.res.create(account, SAGEMAKER, JOB_DEFINITION, recordId(ctx.region, i.JobDefinitionName), doc))) {
    throw smErrors.resourceInUse(`Job definition "${arn}" already exists.`);
  }
  return arn;
}

async function requireDefinition(sm: Sm, ctx: RequestContext, name: string): Promise<JobDefinitionDoc> {
  const d = await findDefinition(sm, accountOf(ctx), ctx.region, name);
  if (!d) throw smErrors.resourceNotFound(`Could not find job definition "${monitorArn(ctx.region, accountOf(ctx), JOB_DEFINITION, name)}".`);
  return d;
}

export function jobDefinitionHandlers(sm: Sm) {
  return handlers({
    CreateDataQualityJobDefinition: { handler: async (i, ctx) => ({ JobDefinitionArn: await create(sm, ctx, i) }) },
    DescribeDataQualityJobDefinition: { readOnly: true, handler: async (i, ctx) => describe(await requireDefinition(sm, ctx, i.JobDefinitionName)) },
    ListDataQualityJobDefinitions: {
      readOnly: true,
      handler: async (i, ctx) => {
        const all = await listAll<JobDefinitionDoc>(sm, accountOf(ctx), JOB_DEFINITION, ctx.region);
        const rows = all.filter((d) => !i.EndpointName || d.DataQualityJobInput.EndpointInput?.EndpointName === i.EndpointName);
        const page = listPage(rows.map((d) => ({ name: d.JobDefinitionName, creationTime: d.CreationTime, item: d })), i);
        return {
          JobDefinitionSummaries: page.items.map((d) => ({
            MonitoringJobDefinitionName: d.JobDefinitionName, MonitoringJobDefinitionArn: d.JobDefinitionArn,
            CreationTime: new Date(d.CreationTime), EndpointName: d.DataQualityJobInput.EndpointInput?.EndpointName ?? '',
          })),
          ...(page.NextToken ? { NextToken: page.NextToken } : {}),
        };
      },
    },
    DeleteDataQualityJobDefinition: {
      handler: async (i, ctx) => {
        const d = await requireDefinition(sm, ctx, i.JobDefinitionName);
        const users = (await listAll<ScheduleDoc>(sm, accountOf(ctx), SCHEDULE, ctx.region))
          .filter((s) => s.MonitoringScheduleConfig.MonitoringJobDefinitionName?.toLowerCase() === d.JobDefinitionName.toLowerCase());
        if (users.length) {
          throw smErrors.resourceInUse(`Job definition ${d.JobDefinitionName} is used by monitoring schedule ${users[0].MonitoringScheduleName}.`);
        }
        await sm.res.delete(accountOf(ctx), SAGEMAKER, JOB_DEFINITION, recordId(ctx.region, d.JobDefinitionName));
      },
    },
  });
}
