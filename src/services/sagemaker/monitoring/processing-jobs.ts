/**
 * CreateProcessingJob / DescribeProcessingJob / ListProcessingJobs / StopProcessingJob. Vigil runs the Model
 * Monitor analyzer image (images.ts) in-process; any other image is refused by name. Jobs start right away and run
 * in the background: InProgress → Completed | Failed | (Stopping →) Stopped.
 */
import type { RequestContext } from '../../../gateway/context.js';
import type { CreateProcessingJobRequest } from '../api.generated.js';
import { accountOf, type Sm } from '../context.js';
import { handlers } from '../define.js';
import { smErrors } from '../errors.js';
import { listPage } from '../listing.js';
import { checkTags } from '../tags.js';
import { checkAnalyzerImage } from './images.js';
import { changeJob, countActiveJobs, describeJob, getJob, insertJob, listAll, summarizeJob } from './jobs.js';
import type { Monitoring } from './monitoring.js';
import { monitorArn } from './names.js';
import { PROCESSING_JOB, type ProcessingJobDoc } from './store.js';

function checkJob(i: CreateProcessingJobRequest): void {
  checkAnalyzerImage(i.AppSpecification.ImageUri, 'AppSpecification.ImageUri');
  if (i.AppSpecification.ContainerEntrypoint?.length) throw smErrors.notImplemented('ContainerEntrypoint for the analyzer image');
  for (const input of i.ProcessingInputs ?? []) {
    if (input.DatasetDefinition) throw smErrors.notImplemented('ProcessingInputs DatasetDefinition (Athena, Redshift)');
    if (!input.S3Input) throw smErrors.validation(`ProcessingInput ${input.InputName} must have an S3Input.`);
    if (input.S3Input.S3DataType === 'ManifestFile') throw smErrors.notImplemented('S3DataType ManifestFile');
    if (input.S3Input.S3CompressionType === 'Gzip') throw smErrors.notImplemented('S3CompressionType Gzip');
  }
  for (const o of i.ProcessingOutputConfig?.Outputs ?? []) {
    if (o.FeatureStoreOutput) throw smErrors.notImplemented('FeatureStoreOutput');
    if (!o.S3Output) throw smErrors.validation(`ProcessingOutput ${o.OutputName} must have an S3Output.`);
  }
  const names = (i.ProcessingInputs ?? []).map((x) => x.InputName).concat((i.ProcessingOutputConfig?.Outputs ?? []).map((x) => x.OutputName));
  const dup = names.find((n, k) => names.indexOf(n) !== k);
  if (dup) throw smErrors.validation(`Input and output names must be unique: ${dup} is used twice.`);
}

async function createJob(sm: Sm, mon: Monitoring, ctx: RequestContext, i: CreateProcessingJobRequest): Promise<string> {
  checkJob(i);
  const account = accountOf(ctx);
  const inProgress = await countActiveJobs(sm, account);
  if (inProgress >= mon.maxInProgressJobs) {
    throw smErrors.limitExceeded(`The account already has ${inProgress} processing jobs InProgress or Stopping, the most Vigil runs at once (${mon.maxInProgressJobs}); `
      + 'wait for some to finish or stop them.');
  }
  const arn = monitorArn(ctx.region, account, PROCESSING_JOB, i.ProcessingJobName);
  const now = sm.now().toISOString();
  const doc: ProcessingJobDoc = {
    ProcessingJobName: i.ProcessingJobName,
    ProcessingJobArn: arn,
    ...(i.ProcessingInputs ? { ProcessingInputs: i.ProcessingInputs } : {}),
    ...(i.ProcessingOutputConfig ? { ProcessingOutputConfig: i.ProcessingOutputConfig } : {}),
    ProcessingResources: i.ProcessingResources,
    ...(i.StoppingCondition ? { StoppingCondition: i.StoppingCondition } : {}),
    AppSpecification: i.AppSpecification,
    ...(i.Environment ? { Environment: i.Environment } : {}),
    ...(i.NetworkConfig ? { NetworkConfig: i.NetworkConfig } : {}),
    RoleArn: i.RoleArn,
    ...(i.ExperimentConfig ? { ExperimentConfig: i.ExperimentConfig } : {}),
    Tags: checkTags(i.Tags),
    ProcessingJobStatus: 'InProgress',
    CreationTime: now,
    LastModifiedTime: now,
    Heartbeat: mon.firstHeartbeat(),
  };
  if (!(await insertJob(sm, account, ctx.region, doc))) {
    throw smErrors.resourceInUse(`Job name must be unique within an AWS account and region, and a job with this name already exists (${arn})`);
  }
  mon.start(account, ctx.region, i.ProcessingJobName);
  return arn;
}

async function requireJob(sm: Sm, ctx: RequestContext, name: string): Promise<ProcessingJobDoc> {
  const job = await getJob(sm, accountOf(ctx), ctx.region, name);
  if (!job) throw smErrors.resourceNotFound(`Could not find requested job with name ${name}`);
  return job;
}

export function processingJobHandlers(sm: Sm, mon: Monitoring) {
  return handlers({
    CreateProcessingJob: { handler: async (i, ctx) => ({ ProcessingJobArn: await createJob(sm, mon, ctx, i) }) },
    DescribeProcessingJob: { readOnly: true, handler: async (i, ctx) => describeJob(await requireJob(sm, ctx, i.ProcessingJobName)) },
    ListProcessingJobs: {
      readOnly: true,
      handler: async (i, ctx) => {
        const jobs = await listAll<ProcessingJobDoc>(sm, accountOf(ctx), PROCESSING_JOB, ctx.region);
        const page = listPage(jobs.map((j) => ({
          name: j.ProcessingJobName, creationTime: j.CreationTime, lastModifiedTime: j.LastModifiedTime, status: j.ProcessingJobStatus, item: j,
        })), { ...i, StatusEquals: i.StatusEquals as never });
        return { ProcessingJobSummaries: page.items.map(summarizeJob), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
      },
    },
    StopProcessingJob: {
      handler: async (i, ctx) => {
        const job = await requireJob(sm, ctx, i.ProcessingJobName);
        const after = await changeJob(sm, accountOf(ctx), ctx.region, job.ProcessingJobName, (d) => {
          if (d.ProcessingJobStatus !== 'InProgress') return undefined;
          d.ProcessingJobStatus = 'Stopping';
          d.StopRequested = true;
          if (d.Execution) d.Execution.Status = 'Stopping';
          return d;
        });
        if (after && after.ProcessingJobStatus !== 'Stopping') {
          throw smErrors.validation(`The job ${job.ProcessingJobName} is ${after.ProcessingJobStatus} and cannot be stopped.`);
        }
        mon.stop(accountOf(ctx), ctx.region, job.ProcessingJobName);
      },
    },
  });
}
