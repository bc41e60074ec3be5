/**
 * ARNs and generated names of Model Monitor's resources, spelled as AWS spells them (names lowercased in ARNs).
 */
import { createHash } from 'node:crypto';

export type MonitorResourceType = 'processing-job' | 'monitoring-schedule' | 'data-quality-job-definition';

export const monitorArn = (region: string, account: string, type: MonitorResourceType, name: string): string =>
  `arn:aws:sagemaker:${region}:${account}:${type}/${name.toLowerCase()}`;

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * The processing job of one scheduled execution: `model-monitoring-{yyyyMMddHHmm}-{24 hex}` as AWS forms them. The
 * suffix is derived from the schedule (its ARN and creation time), so every replica computes the same name for the
 * same (schedule, scheduled time): creating the job record is the claim of that run.
 */
export function executionJobName(scheduleArn: string, scheduleCreated: string, scheduledTime: Date): string {
  const t = scheduledTime;
  const stamp = `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}`;
  const suffix = createHash('sha256').update(`${scheduleArn}\n${scheduleCreated}`).digest('hex').slice(0, 24);
  return `model-monitoring-${stamp}-${suffix}`;
}
