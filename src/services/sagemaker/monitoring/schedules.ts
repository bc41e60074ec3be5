/**
 * CreateMonitoringSchedule / Describe / List / Update / Stop / Start / Delete. A schedule is Scheduled as soon as
 * it is created (AWS passes through Pending in seconds); the scheduler (monitoring.ts) turns its due hours into
 * executions. Deleting a schedule keeps its executions' processing jobs, as AWS does.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../gateway/context.js';
import type { DescribeMonitoringScheduleResponse, MonitoringScheduleConfig, MonitoringScheduleSummary } from '../api.generated.js';
import { recordId } from '../arns.js';
import { accountOf, type Sm } from '../context.js';
import { handlers } from '../define.js';
import { smErrors } from '../errors.js';
import { listPage } from '../listing.js';
import { SAGEMAKER } from '../store.js';
import { checkTags } from '../tags.js';
import { checkSpec, specOf } from './definitions.js';
import { executionSummary } from './executions.js';
import { getJob, listAll } from './jobs.js';
import type { Monitoring } from './monitoring.js';
import { windowConfigOf } from './monitoring.js';
import { monitorArn } from './names.js';
import { SCHEDULE, type ScheduleDoc } from './store.js';
import { checkWindowConfig } from './windows.js';

/** Validates a config; returns the endpoint it monitors. */
async function checkConfig(sm: Sm, ctx: RequestContext, c: MonitoringScheduleConfig): Promise<string | undefined> {
  const spec = await specOf(sm, accountOf(ctx), ctx.region, c);
  checkSpec(spec, c.MonitoringJobDefinition ? 'MonitoringAppSpecification.ImageUri' : 'DataQualityAppSpecification.ImageUri');
  if (!c.ScheduleConfig) throw smErrors.validation('ScheduleConfig is required.');
  const doc = { MonitoringScheduleConfig: c } as ScheduleDoc;
  checkWindowConfig(windowConfigOf(doc, spec));
  return spec.EndpointInput?.EndpointName;
}

const key = (ctx: RequestContext, name: string): string => recordId(ctx.region, name);

async function requireSchedule(sm: Sm, ctx: RequestContext, name: string): Promise<ScheduleDoc> {
  const rec = await sm.res.get<ScheduleDoc>(accountOf(ctx), SAGEMAKER, SCHEDULE, key(ctx, name));
  if (!rec) throw smErrors.resourceNotFound(`Monitoring Schedule ${monitorArn(ctx.region, accountOf(ctx), SCHEDULE, name)} does not exist.`);
  return rec.doc;
}

/** Changes a schedule in one transaction (row locked) and returns it. */
async function changeSchedule(sm: Sm, ctx: RequestContext, name: string, change: (s: ScheduleDoc) => ScheduleDoc): Promise<ScheduleDoc> {
  return sm.tx(async () => {
    const rec = await sm.res.getForUpdate<ScheduleDoc>(accountOf(ctx), SAGEMAKER, SCHEDULE, key(ctx, name));
    if (!rec) throw smErrors.resourceNotFound(`Monitoring Schedule ${monitorArn(ctx.region, accountOf(ctx), SCHEDULE, name)} does not exist.`);
    const next = change(structuredClone(rec.doc));
    next.LastModifiedTime = sm.now().toISOString();
    await sm.res.update(accountOf(ctx), SAGEMAKER, SCHEDULE, rec.id, next);
    return next;
  });
}

function summary(s: ScheduleDoc): MonitoringScheduleSummary {
  return {
    MonitoringScheduleName: s.MonitoringScheduleName,
    MonitoringScheduleArn: s.MonitoringScheduleArn,
    CreationTime: new Date(s.CreationTime),
    LastModifiedTime: new Date(s.LastModifiedTime),
    MonitoringScheduleStatus: s.MonitoringScheduleStatus,
    ...(s.EndpointName ? { EndpointName: s.EndpointName } : {}),
    ...(s.MonitoringScheduleConfig.MonitoringJobDefinitionName ? { MonitoringJobDefinitionName: s.MonitoringScheduleConfig.MonitoringJobDefinitionName } : {}),
    MonitoringType: s.MonitoringType,
  };
}

async function describe(sm: Sm, ctx: RequestContext, s: ScheduleDoc): Promise<DescribeMonitoringScheduleResponse> {
  const last = s.LastExecutionJobName ? await getJob(sm, accountOf(ctx), ctx.region, s.LastExecutionJobName) : undefined;
  return {
    ...summary(s),
    ...(s.FailureReason ? { FailureReason: s.FailureReason } : {}),
    MonitoringScheduleConfig: s.MonitoringScheduleConfig,
    ...(last?.Execution ? { LastMonitoringExecutionSummary: executionSummary(last) } : {}),
  };
}

export function scheduleHandlers(sm: Sm, mon: Monitoring) {
  return handlers({
    CreateMonitoringSchedule: {
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        const endpoint = await checkConfig(sm, ctx, i.MonitoringScheduleConfig);
        const arn = monitorArn(ctx.region, account, SCHEDULE, i.MonitoringScheduleName);
        const now = sm.now().toISOString();
        const doc: ScheduleDoc = {
          MonitoringScheduleName: i.MonitoringScheduleName,
          MonitoringScheduleArn: arn,
          MonitoringScheduleStatus: 'Scheduled',
          MonitoringType: i.MonitoringScheduleConfig.MonitoringType ?? 'DataQuality',
          CreationTime: now,
          LastModifiedTime: now,
          MonitoringScheduleConfig: { ...i.MonitoringScheduleConfig, MonitoringType: i.MonitoringScheduleConfig.MonitoringType ?? 'DataQuality' },
          ...(endpoint ? { EndpointName: endpoint } : {}),
          Tags: checkTags(i.Tags),
          ExecutionsKey: `${key(ctx, i.MonitoringScheduleName)}@${randomUUID()}`,
          ConsideredUntil: now,
        };
        if (!(await sm.res.create(account, SAGEMAKER, SCHEDULE, key(ctx, i.MonitoringScheduleName), doc))) {
          throw smErrors.resourceInUse(`Monitoring Schedule ${arn} already exists.`);
        }
        await mon.baselines.changed(account, ctx.region, [endpoint]);
        return { MonitoringScheduleArn: arn };
      },
    },
    DescribeMonitoringSchedule: {
      readOnly: true,
      handler: async (i, ctx) => describe(sm, ctx, await requireSchedule(sm, ctx, i.MonitoringScheduleName)),
    },
    ListMonitoringSchedules: {
      readOnly: true,
      handler: async (i, ctx) => {
        const all = await listAll<ScheduleDoc>(sm, accountOf(ctx), SCHEDULE, ctx.region);
        const rows = all.filter((s) => (!i.EndpointName || s.EndpointName === i.EndpointName)
          && (!i.MonitoringJobDefinitionName || s.MonitoringScheduleConfig.MonitoringJobDefinitionName === i.MonitoringJobDefinitionName)
          && (!i.MonitoringTypeEquals || s.MonitoringType === i.MonitoringTypeEquals));
        const page = listPage(rows.map((s) => ({
          name: s.MonitoringScheduleName, creationTime: s.CreationTime, lastModifiedTime: s.LastModifiedTime, status: s.MonitoringScheduleStatus, item: s,
        })), { ...i, StatusEquals: i.StatusEquals as never });
        return { MonitoringScheduleSummaries: page.items.map(summary), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
      },
    },
    UpdateMonitoringSchedule: {
      handler: async (i, ctx) => {
        const endpoint = await checkConfig(sm, ctx, i.MonitoringScheduleConfig);
        let before: string | undefined;
        const s = await changeSchedule(sm, ctx, i.MonitoringScheduleName, (d) => {
          before = d.EndpointName;
          return {
            ...d,
            MonitoringScheduleConfig: { ...i.MonitoringScheduleConfig, MonitoringType: i.MonitoringScheduleConfig.MonitoringType ?? d.MonitoringType },
            ...(endpoint ? { EndpointName: endpoint } : {}),
          };
        });
        // The endpoint it monitored before may have lost its schedule.
        await mon.baselines.changed(accountOf(ctx), ctx.region, [before, s.EndpointName]);
        return { MonitoringScheduleArn: s.MonitoringScheduleArn };
      },
    },
    StopMonitoringSchedule: {
      handler: async (i, ctx) => {
        const s = await changeSchedule(sm, ctx, i.MonitoringScheduleName, (d) => ({ ...d, MonitoringScheduleStatus: 'Stopped' }));
        await mon.baselines.changed(accountOf(ctx), ctx.region, [s.EndpointName]);
      },
    },
    StartMonitoringSchedule: {
      handler: async (i, ctx) => {
        // Hours that passed while stopped are not run afterwards.
        const now = sm.now().toISOString();
        const s = await changeSchedule(sm, ctx, i.MonitoringScheduleName, (d) => (d.MonitoringScheduleStatus === 'Scheduled' ? d
          : { ...d, MonitoringScheduleStatus: 'Scheduled', ConsideredUntil: now }));
        await mon.baselines.changed(accountOf(ctx), ctx.region, [s.EndpointName]);
      },
    },
    DeleteMonitoringSchedule: {
      handler: async (i, ctx) => {
        const s = await requireSchedule(sm, ctx, i.MonitoringScheduleName);
        await sm.res.delete(accountOf(ctx), SAGEMAKER, SCHEDULE, key(ctx, s.MonitoringScheduleName));
        await mon.baselines.changed(accountOf(ctx), ctx.region, [s.EndpointName]);
      },
    },
  });
}
