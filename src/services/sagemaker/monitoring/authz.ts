/**
 * Authorization rules of Model Monitor's operations, merged into SageMaker's one table (../authz.ts): the action
 * `sagemaker:<Operation>`, the resource ARN (processing-job, monitoring-schedule, data-quality-job-definition) with
 * its tags as sagemaker:ResourceTag/* and aws:ResourceTag/*, request tags on creates, and iam:PassRole (with
 * iam:PassedToService) on the role a job will run as.
 */
import { authorize } from '../../../gateway/authorize.js';
import type { RequestContext } from '../../../gateway/context.js';
import type { AuthzRequirement } from '../../types.js';
import type { Tag } from '../api.generated.js';
import { recordId } from '../arns.js';
import { requestTagKeys, resourceTagKeys } from '../authz.js';
import { accountOf, caller, type Sm } from '../context.js';
import { SAGEMAKER } from '../store.js';
import { monitorArn, type MonitorResourceType } from './names.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each rule reads only the members of its operation's input
type In = any;
type Rule = (sm: Sm, i: In, ctx: RequestContext) => Promise<AuthzRequirement>;

function passRole(sm: Sm, ctx: RequestContext, role: string | undefined, resourceArn: string): void {
  if (!role) return;
  authorize(ctx, caller(ctx), {
    resources: [role],
    conditionKeys: { 'iam:PassedToService': 'sagemaker.amazonaws.com', 'iam:AssociatedResourceArn': resourceArn },
  }, 'iam:PassRole', sm.now());
}

const existing = (type: MonitorResourceType, member: string): Rule => async (sm, i, ctx) => {
  const arn = monitorArn(ctx.region, accountOf(ctx), type, i[member]);
  const rec = await sm.res.get<{ Tags?: Tag[] }>(accountOf(ctx), SAGEMAKER, type, recordId(ctx.region, i[member]));
  return { resources: [arn], conditionKeys: resourceTagKeys(rec?.doc.Tags ?? []) };
};

const creating = (type: MonitorResourceType, member: string, role: (i: In) => string | undefined): Rule => async (sm, i, ctx) => {
  const arn = monitorArn(ctx.region, accountOf(ctx), type, i[member]);
  // iam:PassRole is judged first, as for CreateModel: AWS refuses a role the caller may not pass.
  passRole(sm, ctx, role(i), arn);
  return { resources: [arn], conditionKeys: requestTagKeys(i.Tags) };
};

const updateSchedule: Rule = async (sm, i, ctx) => {
  const req = await existing('monitoring-schedule', 'MonitoringScheduleName')(sm, i, ctx);
  passRole(sm, ctx, i.MonitoringScheduleConfig?.MonitoringJobDefinition?.RoleArn, req.resources[0]);
  return req;
};

const account: Rule = async () => ({ resources: ['*'] });

export const MONITORING_RULES: Record<string, Rule> = {
  CreateProcessingJob: creating('processing-job', 'ProcessingJobName', (i) => i.RoleArn),
  DescribeProcessingJob: existing('processing-job', 'ProcessingJobName'),
  StopProcessingJob: existing('processing-job', 'ProcessingJobName'),
  ListProcessingJobs: account,
  CreateDataQualityJobDefinition: creating('data-quality-job-definition', 'JobDefinitionName', (i) => i.RoleArn),
  DescribeDataQualityJobDefinition: existing('data-quality-job-definition', 'JobDefinitionName'),
  DeleteDataQualityJobDefinition: existing('data-quality-job-definition', 'JobDefinitionName'),
  ListDataQualityJobDefinitions: account,
  CreateMonitoringSchedule: creating('monitoring-schedule', 'MonitoringScheduleName', (i) => i.MonitoringScheduleConfig?.MonitoringJobDefinition?.RoleArn),
  DescribeMonitoringSchedule: existing('monitoring-schedule', 'MonitoringScheduleName'),
  UpdateMonitoringSchedule: updateSchedule,
  StopMonitoringSchedule: existing('monitoring-schedule', 'MonitoringScheduleName'),
  StartMonitoringSchedule: existing('monitoring-schedule', 'MonitoringScheduleName'),
  DeleteMonitoringSchedule: existing('monitoring-schedule', 'MonitoringScheduleName'),
  ListMonitoringSchedules: account,
  ListMonitoringExecutions: account,
};
