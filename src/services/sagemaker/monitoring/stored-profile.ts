/**
 * An hourly execution from the near-real-time profiles (docs/near-real-time-drift.md): when every minute of the
 * window was profiled, the merge of those minutes is the profile a rescan of the captured inputs would build, so
 * the capture files need not be listed nor read. Only where the two agree: the rows are the inputs alone (no
 * endpointOutput in captureIndexNames) and no record_preprocessor_script reshapes them.
 */
import { messageOf } from '../artifacts.js';
import type { Sm } from '../context.js';
import type { DatasetProfile } from './analyzer.js';
import type { AnalyzerEnv } from './contract.js';
import type { ProcessingJobDoc } from './store.js';

export interface StoredProfile {
  profile: DatasetProfile;
  minutes: number;
}

/** The window's merged profile, or undefined: rescan the captures. Never throws (a rescan is always possible). */
export async function storedProfile(sm: Sm, account: string, region: string, job: ProcessingJobDoc, env: AnalyzerEnv): Promise<StoredProfile | undefined> {
  const live = sm.serving.live;
  const capture = job.Execution?.Capture;
  const format = env.datasetFormat;
  if (!live || !capture || env.recordPreprocessorScript || !('sagemakerCaptureJson' in format)) return undefined;
  if (format.sagemakerCaptureJson.captureIndexNames.includes('endpointOutput')) return undefined;
  try {
    const merged = await live.mergedProfile(account, region, capture.EndpointName, undefined, new Date(capture.Start), new Date(capture.End));
    if (!merged || merged.missingMinutes.length > 0 || merged.profile.itemCount === 0) return undefined;
    return { profile: merged.profile, minutes: merged.minutes };
  } catch (err) {
    sm.deps.log.warn({ job: job.ProcessingJobName, reason: messageOf(err) }, 'sagemaker: could not read stored drift profiles; rescanning captures');
    return undefined;
  }
}
