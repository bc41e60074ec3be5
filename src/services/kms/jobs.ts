import type { JobRunner } from '../../scheduler/runner.js';
import type { ServiceDeps } from '../../server/deps.js';
import { kmsContext } from './context.js';
import { sweepDeletions } from './deletion.js';
import { sweepRotations } from './rotation.js';

/** How often the KMS jobs look for due work (each look is one indexed query when nothing is due). */
export const KMS_JOB_INTERVAL_MS = 60_000;

/** Deletes keys at the end of their waiting period and rotates keys whose rotation date has come. */
export function registerKmsJobs(runner: JobRunner, deps: ServiceDeps): void {
  const k = kmsContext(deps);
  runner.every('kms:key-deletion', KMS_JOB_INTERVAL_MS, async (now) => {
    await sweepDeletions(k, now);
  });
  runner.every('kms:key-rotation', KMS_JOB_INTERVAL_MS, async (now) => {
    await sweepRotations(k, now);
  });
}
