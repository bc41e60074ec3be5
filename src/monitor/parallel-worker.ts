/**
 * Worker side of parallel CSV profiling (see parallel.ts): profiles the byte ranges it is sent with the columnar
 * reader and returns each range's profile serialized (transferred, not copied).
 */
import { parentPort } from 'node:worker_threads';
import { profileCsvRange } from './inputs/csv-file.js';
import { emptyStats } from './inputs/types.js';
import type { RangeJob, WorkerReply } from './parallel.js';
import { DatasetProfile } from './profile.js';

const port = parentPort;
if (port === null) throw new Error('parallel-worker.ts runs only as a worker thread');

port.on('message', (job: RangeJob) => {
  void run(job).then(
    (reply) => port.postMessage(reply, reply.type === 'done' && reply.profile ? [reply.profile.buffer as ArrayBuffer] : []),
    (err: unknown) => port.postMessage({ type: 'failed', id: job.id, message: err instanceof Error ? err.message : String(err) } satisfies WorkerReply),
  );
});

async function run(job: RangeJob): Promise<WorkerReply> {
  const profile = DatasetProfile.empty();
  const stats = emptyStats();
  const ok = await profileCsvRange(job.path, job, profile, stats, (n) => port?.postMessage({ type: 'progress', bytes: n } satisfies WorkerReply));
  return { type: 'done', id: job.id, profile: ok ? profile.serialize() : undefined, stats };
}
