/**
 * One analyzer run: what the `sagemaker-model-monitor-analyzer` container does, in-process. Reads the inputs the
 * Environment names (through S3 as the job's role), suggests a baseline or checks against one, writes the output
 * files, publishes metrics, and runs the user's pre/post-processing scripts isolated.
 */
import path from 'node:path/posix';
import type { Preprocessor } from '../../../monitor/inputs/types.js';
import type { MetricStore } from '../../../metrics/types.js';
import type { Sm } from '../context.js';
import type { Analysis, Baseline, Constraints, ConstraintViolations, InputFile, MonitorCore, Row, Statistics } from './analyzer.js';
import { metricPoints } from './metric-points.js';
import { parseAnalyzerEnv, type AnalyzerEnv } from './contract.js';
import { filesAt, inputFiles, outputLocation, type LocalFile } from './files.js';
import { RoleS3 } from './s3.js';
import { ScriptRunner, type ScriptLimits } from './scripts.js';
import { storedProfile, type StoredProfile } from './stored-profile.js';
import type { ProcessingJobDoc } from './store.js';

export interface RunDeps {
  sm: Sm;
  core: MonitorCore;
  metrics: MetricStore;
  scriptLimits: ScriptLimits;
  /** A schedule execution's capture folders (or batch transform data files) as ProcessingInputs (only when it rescans them). */
  resolveCapture?: (job: ProcessingJobDoc) => Promise<ProcessingJobDoc>;
  /**
   * Lists the execution's capture hour folders as the job's role, as a rescan would (throws as it would): an execution
   * over stored profiles must not read data its role could not.
   */
  checkCaptureAccess?: (job: ProcessingJobDoc) => Promise<void>;
}

export interface RunResult {
  /** Number of violations found (undefined for a baseline run). */
  violations?: number;
  /** Log lines of the user's scripts, for ExitMessage. */
  logs: string[];
  /** What a schedule execution read: its stored profiles or a rescan of its capture files. */
  source?: string;
}

/** A run that ended by the job's own fault: FailureReason and ExitMessage. */
export class JobFailure extends Error {
  constructor(message: string, readonly exitMessage?: string) {
    super(message);
  }
}

/** Thrown when the run notices it was stopped. */
export class JobStopped extends Error {}

export async function runAnalyzer(d: RunDeps, account: string, region: string, job: ProcessingJobDoc, signal: AbortSignal): Promise<RunResult> {
  const checkpoint = (): void => {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new JobStopped('stopped');
  };
  const env = parseAnalyzerEnv(job.Environment);
  // A schedule execution whose window was profiled minute by minute skips listing and reading the captures.
  const stored = await storedProfile(d.sm, account, region, job, env);
  if (stored && job.Execution?.Capture && d.checkCaptureAccess) await d.checkCaptureAccess(job);
  if (!stored && (job.Execution?.Capture || job.Execution?.Batch) && d.resolveCapture) job = await d.resolveCapture(job);
  checkpoint();
  const principal = await d.sm.serving.roles.principalFor(job.RoleArn, account, region);
  const s3 = new RoleS3(d.sm, principal, region, job.ProcessingOutputConfig?.KmsKeyId);
  const files = await inputFiles(s3, job.ProcessingInputs ?? []);
  checkpoint();
  const dataset = stored ? [] : filesAt(files, env.datasetSource);
  if (!stored && dataset.length === 0) throw new JobFailure('Job inputs had no data', `No files found at dataset_source ${env.datasetSource}.`);
  const scripts: ScriptRunner[] = [];
  const logs: string[] = [];
  try {
    const preprocess = env.recordPreprocessorScript
      ? preprocessor(await script(s3, files, env.recordPreprocessorScript, 'record_preprocessor_script', 'preprocess_handler', d.scriptLimits, scripts), checkpoint)
      : undefined;
    const baseline = await readBaseline(d.core, s3, files, env);
    const names = baseline.statistics?.features.map((f) => f.name);
    const out = stored
      ? await analyseProfile(d, stored, baseline, names)
      : await analyse(d, d.core.rows(env.datasetFormat, openAll(s3, dataset, checkpoint), { preprocess: preprocess?.fn, names }), baseline, env);
    const scriptFailure = preprocess?.failure();
    if (scriptFailure) throw scriptFailure;
    checkpoint();
    const source = job.Execution?.Batch ? `Read ${dataset.length} batch transform data files.` : !job.Execution?.Capture ? undefined : stored
      ? `Analysed ${stored.minutes} stored per-minute profiles (${out.statistics.dataset.item_count} rows).`
      : `Rescanned ${dataset.length} capture files.`;
    if (source) d.sm.deps.log.info({ job: job.ProcessingJobName }, source);
    const written = await writeOutputs(d.core, s3, job, env, out);
    // Only a schedule's own execution publishes, under the names and time the scheduler recorded (job.Execution): a
    // plain CreateProcessingJob could otherwise put any endpoint's or schedule's name in its Environment.
    const execution = job.Execution;
    if (env.publishMetrics && out.kind === 'analysis' && execution) {
      const time = new Date(execution.ScheduledTime);
      const data = out.analysis.metrics({ endpointName: execution.Capture?.EndpointName ?? execution.EndpointName,
        scheduleName: execution.MonitoringScheduleName, timestamp: time.toISOString() });
      await d.metrics.insert(metricPoints(account, region, time, data));
    }
    if (env.postAnalyticsProcessorScript) {
      const post = await script(s3, files, env.postAnalyticsProcessorScript, 'post_analytics_processor_script', 'postprocess_handler', d.scriptLimits, scripts);
      const result = await post.call([{ ...written, environment: env.userEnv }]);
      await writeExtraFiles(s3, job, env, result);
    }
    return { violations: out.kind === 'analysis' ? out.violations.violations.length : undefined, logs, source };
  } finally {
    for (const s of scripts) logs.push(...s.logs);
    await Promise.all(scripts.map((s) => s.close()));
  }
}

type Outcome =
  | { kind: 'baseline'; statistics: Statistics; constraints: Constraints }
  | { kind: 'analysis'; statistics: Statistics; violations: ConstraintViolations; analysis: Analysis };

async function analyse(d: RunDeps, rows: AsyncIterable<Row[]>, baseline: Baseline, env: AnalyzerEnv): Promise<Outcome> {
  // The container suggests a baseline when it has none to compare with and is not a schedule's run.
  if (!baseline.constraints && !baseline.statistics && !env.scheduleName) {
    return { kind: 'baseline', ...(await d.core.suggestBaseline(rows, { categoricalDriftMethod: env.categoricalDriftMethod })) };
  }
  const analysis = await d.core.analyze(rows, baseline);
  return { kind: 'analysis', statistics: analysis.statistics, violations: analysis.violations, analysis };
}

/** A schedule's run always analyses (it never suggests a baseline), here from the stored profiles. */
async function analyseProfile(d: RunDeps, stored: StoredProfile, baseline: Baseline, names: string[] | undefined): Promise<Outcome> {
  const analysis = await d.core.analyzeProfile(stored.profile, baseline, { names });
  return { kind: 'analysis', statistics: analysis.statistics, violations: analysis.violations, analysis };
}

async function* openAll(s3: RoleS3, files: LocalFile[], checkpoint: () => void): AsyncIterable<InputFile> {
  for (const f of files) {
    checkpoint();
    yield { name: f.localPath, body: await s3.get(f) };
  }
}

function single(files: LocalFile[], localPath: string, what: string): LocalFile {
  const found = filesAt(files, localPath);
  if (found.length === 0) throw new JobFailure(`${what} ${localPath} was not found in the job's inputs.`);
  if (found.length > 1) throw new JobFailure(`${what} ${localPath} names a directory of ${found.length} files; it must name one file.`);
  return found[0];
}

async function readBaseline(core: MonitorCore, s3: RoleS3, files: LocalFile[], env: AnalyzerEnv): Promise<Baseline> {
  const out: Baseline = {};
  try {
    if (env.baselineStatistics) out.statistics = core.parseStatistics(await s3.getText(single(files, env.baselineStatistics, 'baseline_statistics')));
    if (env.baselineConstraints) out.constraints = core.parseConstraints(await s3.getText(single(files, env.baselineConstraints, 'baseline_constraints')));
  } catch (err) {
    if (err instanceof JobFailure) throw err;
    throw new JobFailure(`Could not read the baseline: ${(err as Error).message}`);
  }
  return out;
}

async function script(s3: RoleS3, files: LocalFile[], localPath: string, label: string, handler: string, limits: ScriptLimits,
  started: ScriptRunner[]): Promise<ScriptRunner> {
  const source = await s3.getText(single(files, localPath, label));
  const runner = new ScriptRunner(label, source, handler, limits);
  started.push(runner);
  return runner;
}

/**
 * The core's preprocess hook, one record at a time through the script's worker. The readers treat an exception as
 * one bad record; a failing script fails the job instead (as SageMaker's does), so the first failure is kept and
 * rethrown once the rows are consumed.
 */
function preprocessor(runner: ScriptRunner, checkpoint: () => void): { fn: Preprocessor; failure: () => Error | undefined } {
  let failure: Error | undefined;
  const fn: Preprocessor = async (record) => {
    checkpoint();
    if (failure) throw failure;
    try {
      return (await runner.call([record])) as ReturnType<Preprocessor> & object;
    } catch (err) {
      failure ??= err as Error;
      throw failure;
    }
  };
  return { fn, failure: () => failure };
}

interface Written { statistics: Statistics; constraints?: Constraints; violations?: ConstraintViolations }

async function put(s3: RoleS3, job: ProcessingJobDoc, env: AnalyzerEnv, name: string, body: string, type: string): Promise<void> {
  const loc = outputLocation(job.ProcessingOutputConfig?.Outputs ?? [], path.join(env.outputPath, name));
  if (!loc) throw new JobFailure(`output_path ${env.outputPath} is not the LocalPath of any S3 output in ProcessingOutputConfig.`);
  await s3.put(loc, body, type);
}

async function writeOutputs(core: MonitorCore, s3: RoleS3, job: ProcessingJobDoc, env: AnalyzerEnv, out: Outcome): Promise<Written> {
  await put(s3, job, env, 'statistics.json', core.formatStatistics(out.statistics), 'application/json');
  if (out.kind === 'baseline') {
    await put(s3, job, env, 'constraints.json', core.formatConstraints(out.constraints), 'application/json');
    return { statistics: out.statistics, constraints: out.constraints };
  }
  await put(s3, job, env, 'constraint_violations.json', core.formatViolations(out.violations), 'application/json');
  return { statistics: out.statistics, violations: out.violations };
}

/** A post-processor may return `{ files: { "report.txt": "…" } }`: written beside the outputs. */
async function writeExtraFiles(s3: RoleS3, job: ProcessingJobDoc, env: AnalyzerEnv, result: unknown): Promise<void> {
  const files = (result as { files?: unknown } | null)?.files;
  if (files === undefined || files === null) return;
  if (typeof files !== 'object') throw new JobFailure('post_analytics_processor_script returned files that is not an object of name → text.');
  for (const [name, body] of Object.entries(files as Record<string, unknown>)) {
    if (typeof body !== 'string' || !/^[A-Za-z0-9._-][A-Za-z0-9._/-]*$/.test(name) || name.includes('..')) {
      throw new JobFailure(`post_analytics_processor_script returned an invalid file ${JSON.stringify(name)} (names are relative paths, contents strings).`);
    }
    await put(s3, job, env, name, body, name.endsWith('.json') ? 'application/json' : 'text/plain');
  }
}
