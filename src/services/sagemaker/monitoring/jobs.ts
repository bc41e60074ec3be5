/**
 * Processing-job records: reading and changing them (one transaction per change, the row locked on PostgreSQL so
 * a stop and a finishing run cannot overwrite each other), and how they look in API outputs.
 */
import type { DescribeProcessingJobResponse, ProcessingJobSummary } from '../api.generated.js';
import { recordId } from '../arns.js';
import type { Sm } from '../context.js';
import { SAGEMAKER } from '../store.js';
import { PROCESSING_JOB, type ProcessingJobDoc } from './store.js';
import { listEvery } from '../../../state/list-every.js';

export async function getJob(sm: Sm, account: string, region: string, name: string): Promise<ProcessingJobDoc | undefined> {
  return (await sm.res.get<ProcessingJobDoc>(account, SAGEMAKER, PROCESSING_JOB, recordId(region, name)))?.doc;
}

/**
 * A job InProgress or Stopping also has a row of this kind, with the same id and no content: what the InProgress limit,
 * the liveness sweep and restarts read, instead of every job the account ever ran (a year of hourly executions).
 */
export const ACTIVE_JOB = 'processing-job-active';

/** The region a job record belongs to (from its ARN). */
export const jobRegion = (j: ProcessingJobDoc): string => j.ProcessingJobArn.split(':')[3];

export const isActive = (d: ProcessingJobDoc): boolean => d.ProcessingJobStatus === 'InProgress' || d.ProcessingJobStatus === 'Stopping';

/** Stores a new job (false if the name is taken), with its active-index row, in one transaction. */
export async function insertJob(sm: Sm, account: string, region: string, doc: ProcessingJobDoc, parentId?: string): Promise<boolean> {
  const id = recordId(region, doc.ProcessingJobName);
  return sm.tx(async () => {
    if (!(await sm.res.create(account, SAGEMAKER, PROCESSING_JOB, id, doc, parentId))) return false;
    if (isActive(doc)) await sm.res.create(account, SAGEMAKER, ACTIVE_JOB, id, {});
    return true;
  });
}

/** Jobs InProgress or Stopping in the account; an index row whose job has ended (or vanished) is dropped. */
export async function activeJobs(sm: Sm, account: string): Promise<ProcessingJobDoc[]> {
  const out: ProcessingJobDoc[] = [];
  for (const id of await listIds(sm, account, ACTIVE_JOB)) {
    const doc = (await sm.res.get<ProcessingJobDoc>(account, SAGEMAKER, PROCESSING_JOB, id))?.doc;
    if (doc && isActive(doc)) out.push(doc);
    else await sm.res.delete(account, SAGEMAKER, ACTIVE_JOB, id);
  }
  return out;
}

/** How many jobs are InProgress or Stopping, without reading them. */
export function countActiveJobs(sm: Sm, account: string): Promise<number> {
  return sm.res.count(account, SAGEMAKER, ACTIVE_JOB);
}

/**
 * Every active job of the account from a full scan, adding the index rows that are missing (jobs stored before the
 * index existed). Restarts use this once; everything else reads the index.
 */
export async function scanActiveJobs(sm: Sm, account: string): Promise<ProcessingJobDoc[]> {
  const active = (await listAll<ProcessingJobDoc>(sm, account, PROCESSING_JOB)).filter(isActive);
  const indexed = new Set(await listIds(sm, account, ACTIVE_JOB));
  for (const j of active) {
    const id = recordId(jobRegion(j), j.ProcessingJobName);
    if (indexed.has(id)) continue;
    // Under the job's row lock: a job another replica ends meanwhile gets no index row.
    await sm.tx(async () => {
      const rec = await sm.res.getForUpdate<ProcessingJobDoc>(account, SAGEMAKER, PROCESSING_JOB, id);
      if (rec && isActive(rec.doc)) await sm.res.create(account, SAGEMAKER, ACTIVE_JOB, id, {});
    });
  }
  return active;
}

async function listIds(sm: Sm, account: string, kind: string): Promise<string[]> {
  return (await listEvery(sm.res, account, SAGEMAKER, kind)).map((r) => r.id);
}

/**
 * `change` returns the new document or undefined to leave it; resolves with the stored document afterwards.
 * Bookkeeping that is not a change of the job (heartbeats) passes `bookkeeping` and leaves LastModifiedTime.
 */
export async function changeJob(sm: Sm, account: string, region: string, name: string,
  change: (doc: ProcessingJobDoc) => ProcessingJobDoc | undefined, opts: { bookkeeping?: boolean } = {}): Promise<ProcessingJobDoc | undefined> {
  const id = recordId(region, name);
  return sm.tx(async () => {
    const rec = await sm.res.getForUpdate<ProcessingJobDoc>(account, SAGEMAKER, PROCESSING_JOB, id);
    if (!rec) return undefined;
    const next = change(structuredClone(rec.doc));
    if (!next) return rec.doc;
    if (!opts.bookkeeping) next.LastModifiedTime = sm.now().toISOString();
    await sm.res.update(account, SAGEMAKER, PROCESSING_JOB, id, next);
    if (isActive(rec.doc) && !isActive(next)) await sm.res.delete(account, SAGEMAKER, ACTIVE_JOB, id);
    else if (!isActive(rec.doc) && isActive(next)) await sm.res.create(account, SAGEMAKER, ACTIVE_JOB, id, {});
    return next;
  });
}

const date = (s: string | undefined): Date | undefined => (s ? new Date(s) : undefined);

export function describeJob(j: ProcessingJobDoc): DescribeProcessingJobResponse {
  const out: DescribeProcessingJobResponse = {
    ProcessingJobName: j.ProcessingJobName,
    ProcessingJobArn: j.ProcessingJobArn,
    ProcessingResources: j.ProcessingResources,
    AppSpecification: j.AppSpecification,
    RoleArn: j.RoleArn,
    ProcessingJobStatus: j.ProcessingJobStatus,
    CreationTime: new Date(j.CreationTime),
    LastModifiedTime: new Date(j.LastModifiedTime),
  };
  if (j.ProcessingInputs) out.ProcessingInputs = j.ProcessingInputs;
  if (j.ProcessingOutputConfig) out.ProcessingOutputConfig = j.ProcessingOutputConfig;
  if (j.StoppingCondition) out.StoppingCondition = j.StoppingCondition;
  if (j.Environment) out.Environment = j.Environment;
  if (j.NetworkConfig) out.NetworkConfig = j.NetworkConfig;
  if (j.ExperimentConfig) out.ExperimentConfig = j.ExperimentConfig;
  if (j.ExitMessage) out.ExitMessage = j.ExitMessage;
  if (j.FailureReason) out.FailureReason = j.FailureReason;
  if (j.ProcessingStartTime) out.ProcessingStartTime = date(j.ProcessingStartTime);
  if (j.ProcessingEndTime) out.ProcessingEndTime = date(j.ProcessingEndTime);
  if (j.MonitoringScheduleArn) out.MonitoringScheduleArn = j.MonitoringScheduleArn;
  return out;
}

export function summarizeJob(j: ProcessingJobDoc): ProcessingJobSummary {
  return {
    ProcessingJobName: j.ProcessingJobName,
    ProcessingJobArn: j.ProcessingJobArn,
    CreationTime: new Date(j.CreationTime),
    LastModifiedTime: new Date(j.LastModifiedTime),
    ProcessingJobStatus: j.ProcessingJobStatus,
    ...(j.ProcessingEndTime ? { ProcessingEndTime: new Date(j.ProcessingEndTime) } : {}),
    ...(j.FailureReason ? { FailureReason: j.FailureReason } : {}),
    ...(j.ExitMessage ? { ExitMessage: j.ExitMessage } : {}),
  };
}

/** Every record of a kind in one account (optionally one region), following the store's pages. */
export async function listAll<T>(sm: Sm, account: string, kind: string, region?: string, parentId?: string): Promise<T[]> {
  return (await listEvery<T>(sm.res, account, SAGEMAKER, kind, { parentId, idPrefix: region ? `${region}/` : undefined })).map((r) => r.doc);
}
