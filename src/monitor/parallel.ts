/**
 * Profiles local, uncompressed CSV files on several threads. Each file is split into line-aligned byte ranges
 * (its header read once, here); ranges are profiled by worker threads and by this thread with the columnar
 * reader, and the range profiles are merged in file-and-range order, so the result does not depend on which
 * thread finished first.
 *
 * Merging is exact for counts, sums, min/max, type counts and histograms; mean and standard deviation merge
 * with Spark's formula (equal to a single pass within rounding, ~1e-15 relative); KLL sketches merge as Deequ
 * merges partition sketches, so quantiles and bucket counts stay within the sketch's error but are not the
 * single-pass bytes. Inputs below `minParallelBytes`, or with one thread, take a single-threaded pass whose
 * result equals the row reader's exactly.
 *
 * Quoted CSV cannot be split at arbitrary line starts (a quoted cell may hold a newline): the first double
 * quote anywhere makes `profileCsvFiles` return undefined, and the caller reads the input with the row reader.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { csvLayout, lineAlignedRanges, profileCsvRange } from './inputs/csv-file.js';
import { emptyStats, type ReadStats } from './inputs/types.js';
import { DatasetProfile } from './profile.js';

export interface RangeJob {
  id: number;
  path: string;
  start: number;
  end: number;
  names: string[];
  delimiter: string;
}

export type WorkerReply =
  | { type: 'progress'; bytes: number }
  | { type: 'done'; id: number; profile: Uint8Array | undefined; stats: ReadStats }
  | { type: 'failed'; id: number; message: string };

export interface CsvFilesOptions {
  header: boolean;
  delimiter?: string;
  /** Filled in only when the files were profiled here (not on a quote fallback). */
  stats?: ReadStats;
  /** Threads to use, this one included. Default: env VIGIL_PROFILE_THREADS, else the available parallelism. */
  threads?: number;
  /** Smaller inputs take the exact single-threaded pass. Default 32 MiB. */
  minParallelBytes?: number;
  /**
   * Target bytes per range. Default: two ranges per thread per 512 MiB of input. Smaller ranges balance threads
   * better when other work takes a core away, but cost more: each starts fresh sketches and tables and is
   * serialized and merged (on the 124 MB benchmark file with 2 threads on an idle machine, 8 ranges took
   * 20–25 % longer than 2).
   */
  rangeBytes?: number;
  onBytes?(n: number): void;
}

const MiB = 1 << 20;

export function profileThreads(): number {
  const env = Number(process.env.VIGIL_PROFILE_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : availableParallelism();
}

/** The profile of all rows of the files, in order; undefined when a double quote means the row reader must read them. */
export async function profileCsvFiles(paths: readonly string[], opts: CsvFilesOptions): Promise<DatasetProfile | undefined> {
  const delimiter = opts.delimiter ?? ',';
  const threads = Math.max(1, Math.floor(opts.threads ?? profileThreads()));
  const stats = emptyStats();
  const jobs: RangeJob[] = [];
  let total = 0;
  for (const path of paths) {
    const layout = await csvLayout(path, opts.header, delimiter);
    if (layout === undefined) return undefined;
    total += layout.size - layout.dataStart;
    jobs.push({ id: jobs.length, path, start: layout.dataStart, end: layout.size, names: layout.names, delimiter });
  }
  const profile =
    threads === 1 || total < (opts.minParallelBytes ?? 32 * MiB)
      ? await singleThreaded(jobs, stats, opts.onBytes)
      : await multiThreaded(await splitJobs(jobs, opts.rangeBytes ?? total / (2 * threads * Math.max(1, Math.round(total / (512 * MiB))))), threads, stats, opts.onBytes);
  if (profile === undefined) return undefined;
  if (opts.stats) addStats(opts.stats, stats);
  return profile;
}

/** One profile fed range after range: identical to reading the files with the row reader. */
async function singleThreaded(jobs: RangeJob[], stats: ReadStats, onBytes?: (n: number) => void): Promise<DatasetProfile | undefined> {
  const profile = DatasetProfile.empty();
  for (const job of jobs) if (!(await profileCsvRange(job.path, job, profile, stats, onBytes))) return undefined;
  return profile;
}

async function splitJobs(files: RangeJob[], rangeBytes: number): Promise<RangeJob[]> {
  const out: RangeJob[] = [];
  for (const f of files) {
    const parts = Math.max(1, Math.round((f.end - f.start) / rangeBytes));
    const layout = { names: f.names, dataStart: f.start, size: f.end };
    for (const [start, end] of parts === 1 ? [[f.start, f.end] as [number, number]] : await lineAlignedRanges(f.path, layout, parts)) {
      out.push({ ...f, id: out.length, start, end });
    }
  }
  return out;
}

async function multiThreaded(jobs: RangeJob[], threads: number, stats: ReadStats, onBytes?: (n: number) => void): Promise<DatasetProfile | undefined> {
  // Range profiles are merged in range order as soon as their predecessors are in, so at most a few wait in memory.
  const done: (DatasetProfile | undefined)[] = new Array<DatasetProfile | undefined>(jobs.length);
  let merged = DatasetProfile.empty();
  let mergedUpTo = 0;
  const workers = Array.from({ length: Math.min(threads - 1, jobs.length - 1) }, () => new RangeWorker(onBytes));
  let next = 0;
  let quoted = false;
  let failed = false;
  const drain = async (run: (job: RangeJob) => Promise<{ profile: DatasetProfile | undefined; stats: ReadStats }>) => {
    while (!quoted && !failed && next < jobs.length) {
      const job = jobs[next++];
      // One failure ends the run: the other threads stop taking ranges.
      const r = await run(job).catch((err: unknown) => {
        failed = true;
        throw err;
      });
      addStats(stats, r.stats);
      if (r.profile === undefined) {
        quoted = true;
        return;
      }
      done[job.id] = r.profile;
      for (let p = done[mergedUpTo]; p !== undefined && mergedUpTo < jobs.length; p = done[mergedUpTo]) {
        merged = merged.merge(p);
        done[mergedUpTo++] = undefined;
      }
    }
  };
  try {
    // This thread takes ranges too, between servicing the workers' messages.
    const own = async (job: RangeJob) => {
      const profile = DatasetProfile.empty();
      const st = emptyStats();
      const ok = await profileCsvRange(job.path, job, profile, st, onBytes);
      return { profile: ok ? profile : undefined, stats: st };
    };
    await Promise.all([drain(own), ...workers.map((w) => drain((job) => w.run(job)))]);
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
  return quoted ? undefined : merged;
}

function addStats(into: ReadStats, from: ReadStats): void {
  into.rows += from.rows;
  into.shortRows += from.shortRows;
  into.longRows += from.longRows;
  into.invalidUtf8Lines += from.invalidUtf8Lines;
}

/**
 * The worker: compiled JS next to this file, or, when running from sources (vitest, tsx), the .ts loaded through
 * tsx's loader, registered inside the worker (loader hooks are per thread).
 */
function spawnWorker(): Worker {
  const js = new URL('./parallel-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { execArgv: [] });
  const ts = new URL('./parallel-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(boot, { eval: true, execArgv: [] });
}

/** One worker thread running one range at a time. */
class RangeWorker {
  private readonly worker: Worker;
  private pending: { resolve(r: { profile: DatasetProfile | undefined; stats: ReadStats }): void; reject(e: Error): void } | undefined;

  constructor(onBytes?: (n: number) => void) {
    this.worker = spawnWorker();
    this.worker.on('message', (m: WorkerReply) => {
      if (m.type === 'progress') return onBytes?.(m.bytes);
      const p = this.pending;
      this.pending = undefined;
      if (m.type === 'failed') p?.reject(new Error(m.message));
      else p?.resolve({ profile: m.profile ? DatasetProfile.deserialize(m.profile) : undefined, stats: m.stats });
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`profiling worker exited (code ${code})`)));
  }

  run(job: RangeJob): Promise<{ profile: DatasetProfile | undefined; stats: ReadStats }> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(job);
    });
  }

  private fail(err: Error): void {
    this.pending?.reject(err);
    this.pending = undefined;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
