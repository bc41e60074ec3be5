import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import { AuthThrottle } from '../auth/throttle.js';
import { StoreCredentialResolver, createRootAccessKey } from '../auth/credentials.js';
import { MasterKey } from '../crypto/masterkey.js';
import { loadStateKey } from '../crypto/state-key.js';
import { ReplicatedCredentials } from '../auth/replicated-credentials.js';
import { AuditWriter } from '../gateway/audit-writer.js';
import { RequestMetrics } from '../gateway/metrics.js';
import { runPipeline, type PipelineDeps } from '../gateway/pipeline.js';
import { Router } from '../gateway/router.js';
import { createIamService } from '../services/iam/index.js';
import { recordAccessKeyUse } from '../services/iam/index.js';
import { createStsService } from '../services/sts/index.js';
import { createKmsService, registerKmsJobs } from '../services/kms/index.js';
import { JobRunner } from '../scheduler/runner.js';
import { createS3Service } from '../services/s3/index.js';
import { createSageMakerService, SageMakerRoleSessions, type SageMakerService } from '../services/sagemaker/index.js';
import { createSageMakerRuntimeService } from '../services/sagemaker-runtime/index.js';
import { EndpointRegistry } from '../inference/registry.js';
import { createRuntimeFactory } from '../inference/runtimes/index.js';
import { CaptureWriter } from '../capture/index.js';
import { EndpointMetrics, SqlMetricStore, type MetricsAccess } from '../metrics/index.js';
import { LiveProfiler, SqlProfileStore } from '../monitor/live/index.js';
import { createS3Vault } from '../services/s3/vault-wiring.js';
import { FsBlobStore, openBlobStore, type BlobStore } from '../state/blobs/index.js';
import type { ServiceDefinition } from '../services/types.js';
import { openState } from '../state/index.js';
import type { StateBackend } from '../state/types.js';
import { prepareDataDir, randomAccountId, updateConfigEndpoint, writeClientFiles } from '../cli/datadir.js';
import { systemClock, type Clock, type InternalCaller, type ServiceDeps } from './deps.js';
import { InternalClient } from '../gateway/internal-client.js';
import { startListener, stopListener, type ListenerSpec, type RunningListener } from './http-listener.js';
import { ensureCertificates, loadUserCertificates, tlsServerOptions } from './tls.js';

export interface VigilOptions {
  dataDir: string;
  host: string;
  port: number;
  listeners: ListenerSpec[];
  tlsSans: string[];
  tlsCert?: string;
  tlsKey?: string;
  masterKeyFile?: string;
  database?: string;
  /** file:///dir or s3://bucket/prefix for object bytes (ciphertext only); default DIR/blobs. */
  blobStore?: string;
  blobStoreEndpoint?: string;
  blobStoreRegion?: string;
  /** PostgreSQL schema to keep Vigil's tables in (default: the connection's search_path). */
  databaseSchema?: string;
  clockSkewSeconds: number;
  authBurst: number;
  authRefillPerSecond?: number;
  maxBodyBytes?: number;
  logLevel?: string;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** CreateModel may name `file://` artifacts (`--allow-file-models`). */
  allowFileModels?: boolean;
  /** CreateModel may launch `vigil/exec` model servers (`--allow-exec-models`). */
  allowExecModels?: boolean;
  /** CreateModel may name `http(s)://` model servers (`--allow-model-server-urls`). */
  allowModelServerUrls?: boolean;
  /** Who may scrape /_vigil/metrics (default loopback). */
  metricsAccess?: MetricsAccess;
  /** Data capture's group-commit interval (default 1 s) and endpoint metrics' flush interval (default 10 s). */
  captureFlushIntervalMs?: number;
  metricsFlushIntervalMs?: number;
  /** Where first-start secrets are announced (stderr by default; stdout carries only the listening line). */
  announce?: (line: string) => void;
}

export interface VigilServer {
  accountId: string;
  /** The main listener's URL, e.g. https://127.0.0.1:8443. */
  url: string;
  listeners: RunningListener[];
  state: StateBackend;
  audit: AuditWriter;
  metrics: RequestMetrics;
  deps: ServiceDeps;
  /** Background jobs (key deletion and rotation…); tests advance the clock and call `jobs.runDue()`. */
  jobs: JobRunner;
  /** The pipeline's collaborators (benchmarks time individual stages with them). */
  pipeline: PipelineDeps;
  /** The endpoints this process serves, data capture, and per-minute endpoint metrics. */
  endpoints: EndpointRegistry;
  capture: CaptureWriter;
  endpointMetrics: EndpointMetrics;
  /** Per-minute traffic profiles and the rolling FeatureDrift metric. */
  live: LiveProfiler;
  sagemaker: SageMakerService;
  /** Graceful: stop accepting, finish in-flight requests, flush audit, close state. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 16 * 1024 * 1024;

export async function startVigil(opts: VigilOptions): Promise<VigilServer> {
  const clock = opts.clock ?? systemClock;
  const log = pino({ level: opts.logLevel ?? 'info', redact: ['*.secretAccessKey', '*.SecretAccessKey', '*.sessionToken', '*.SessionToken'] }, pino.destination(2));
  const dir = await prepareDataDir(opts.dataDir, { masterKeyFile: opts.masterKeyFile, env: opts.env ?? process.env });
  const masterKey = MasterKey.fromBase64(dir.masterKeyBase64);
  const state = await openState(opts.database ? { url: opts.database, pgSchema: opts.databaseSchema } : { sqlitePath: path.join(dir.dir, 'state.db') });
  try {
    const stateKey = await loadStateKey(state.meta, masterKey, opts.database ? 'the database' : dir.dir);
    warnAboutKeyFile(dir.masterKeySource, path.join(dir.dir, 'master.key'), opts.announce, log);
    const accountId = await state.meta.setIfAbsent('account-id', randomAccountId());
    const credentials = new ReplicatedCredentials(new StoreCredentialResolver({ state, secrets: stateKey, clock }), state.changes,
      (err) => log.warn({ err }, 'could not publish a credential invalidation'));
    // Services are built before the pipeline that serves them; internal calls go through this late binding.
    const late: { client?: InternalClient } = {};
    const internal: InternalCaller = {
      call: (principal, service, operation, input, callOpts) => {
        if (!late.client) throw new Error('internal calls are not available before start-up completes');
        return late.client.call(principal, service, operation, input, callOpts);
      },
    };
    const deps: ServiceDeps = { state, secrets: stateKey, clock, credentials, log, internal };
    const blobs = await openBlobs(opts, dir.dir, opts.env ?? process.env);
    const metrics = new RequestMetrics();
    const serving = servingLayer(deps, opts, dir.dir, metrics);
    const services: ServiceDefinition[] = [
      createIamService(deps), createStsService(deps), createKmsService(deps), createS3Service(deps, createS3Vault(deps, blobs)),
      serving.sagemaker, serving.runtime,
    ];
    const jobs = new JobRunner(clock, log);
    registerKmsJobs(jobs, deps);
    // Model Monitor schedules run on the injected clock through the runner.
    serving.sagemaker.registerJobs(jobs, [accountId]);
    const audit = new AuditWriter(state.audit, log);
    const pipelineDeps: PipelineDeps = {
      router: new Router(services),
      credentials,
      throttle: new AuthThrottle({ burst: opts.authBurst, refillPerSecond: opts.authRefillPerSecond ?? 2 }),
      audit,
      metrics,
      clock,
      log,
      skewSeconds: opts.clockSkewSeconds,
      maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY,
      onAccessKeyUsed: (akid, service, region, when) => void recordAccessKeyUse(deps, akid, service, region, when).catch(
        (err: unknown) => log.warn({ err }, 'could not record access key use')),
    };
    late.client = new InternalClient(pipelineDeps, services);
    // Endpoints that were InService serve again before the first request is accepted.
    await serving.sagemaker.restore([accountId]);
    const tls = await tlsMaterial(opts, dir.dir);
    const listeners = await startAll(opts, tls, pipelineDeps, clock, {
      metricsAccess: opts.metricsAccess ?? 'loopback', renderMetrics: () => serving.metrics.prometheus(),
    });
    const url = listeners[0].url;
    const clientUrl = clientEndpoint(url);
    const caBundle = opts.tlsCert ? null : undefined;
    await firstStartCredentials(deps, accountId, dir.dir, clientUrl, caBundle, opts.announce ?? ((l) => process.stderr.write(`${l}\n`)));
    await updateConfigEndpoint(dir.dir, clientUrl, { caBundle });
    jobs.start();
    log.info({ url, accountId, listeners: listeners.map((l) => l.url) }, 'vigil started');
    return {
      accountId, url, listeners, state, audit, metrics, deps, jobs, pipeline: pipelineDeps,
      endpoints: serving.registry, capture: serving.capture, endpointMetrics: serving.metrics, live: serving.live, sagemaker: serving.sagemaker,
      async close() {
        await Promise.all(listeners.map((l) => stopListener(l)));
        // In-flight requests are done: settle deployments, stop the models, then write what capture and metrics hold.
        await serving.sagemaker.close();
        await serving.registry.closeAll();
        await serving.capture.close();
        await serving.live.close();
        await serving.metrics.close();
        await jobs.stop();
        await audit.flush();
        await state.close();
        log.flush();
      },
    };
  } catch (err) {
    await state.close();
    throw err;
  }
}

async function tlsMaterial(opts: VigilOptions, dir: string): Promise<{ certPem: string; keyPem: string; caPem?: string }> {
  if (opts.tlsCert || opts.tlsKey) {
    if (!opts.tlsCert || !opts.tlsKey) throw new Error('--tls-cert and --tls-key must be given together');
    return loadUserCertificates(opts.tlsCert, opts.tlsKey);
  }
  return ensureCertificates(path.join(dir, 'tls'), { sans: opts.tlsSans });
}

/**
 * SageMaker hosting: the control plane deploys into an in-memory registry the runtime service reads; capture and
 * metrics are fed from the request path without touching the database there.
 */
function servingLayer(deps: ServiceDeps, opts: VigilOptions, dir: string, requests: RequestMetrics) {
  const registry = new EndpointRegistry();
  const roles = new SageMakerRoleSessions(deps);
  const runtimes = createRuntimeFactory({
    log: deps.log, allowExecModels: opts.allowExecModels ?? false, allowModelServerUrls: opts.allowModelServerUrls ?? false,
    workDir: path.join(dir, 'model-servers'),
  });
  const writerId = randomUUID();
  const metricStore = new SqlMetricStore(deps.state.db, writerId);
  // Before SageMaker: schedules hand it baselines and executions read its profiles.
  const live = new LiveProfiler({ store: new SqlProfileStore(deps.state.db, writerId), metricStore, clock: deps.clock, log: deps.log });
  const sagemaker = createSageMakerService(deps, { registry, runtimes, roles, allowFileModels: opts.allowFileModels ?? false, live });
  const capture = new CaptureWriter({ internal: deps.internal, roles, clock: deps.clock, log: deps.log, flushIntervalMs: opts.captureFlushIntervalMs });
  const metrics = new EndpointMetrics({
    store: metricStore, clock: deps.clock, log: deps.log, flushIntervalMs: opts.metricsFlushIntervalMs,
    captureStats: () => capture.stats(), requestStats: () => requests.snapshot(),
  });
  const runtime = createSageMakerRuntimeService(deps, {
    registry, capture, metrics, live, endpointTags: (account, region, name) => sagemaker.endpointTags(account, region, name),
  });
  return { registry, sagemaker, runtime, capture, metrics, live };
}

async function startAll(opts: VigilOptions, tls: { certPem: string; keyPem: string; caPem?: string }, deps: PipelineDeps,
  clock: Clock, metricsEndpoint: { metricsAccess: MetricsAccess; renderMetrics: () => Promise<string> }): Promise<RunningListener[]> {
  const specs: ListenerSpec[] = [{ name: 'default', host: opts.host, port: opts.port, plaintext: false }, ...opts.listeners];
  const started: RunningListener[] = [];
  try {
    for (const spec of specs) {
      started.push(await startListener(spec, {
        tls: tlsServerOptions(tls),
        run: (ctx) => runPipeline(ctx, deps),
        now: () => clock.now(),
        ...metricsEndpoint,
      }));
    }
  } catch (err) {
    await Promise.all(started.map((l) => stopListener(l, 0)));
    throw err;
  }
  return started;
}

/** First start only: mint the root access key, write the client files, announce the key once. */
async function firstStartCredentials(deps: ServiceDeps, accountId: string, dir: string, url: string, caBundle: null | undefined,
  announce: (l: string) => void): Promise<void> {
  const marker = `root-key-created:${accountId}`;
  if (await deps.state.meta.get(marker)) return;
  const key = await createRootAccessKey(deps, accountId);
  await writeClientFiles(dir, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, endpointUrl: url, caBundle });
  await deps.state.meta.set(marker, new Date().toISOString());
  announce(`vigil: created account ${accountId}; root access key ${key.accessKeyId} written to ${path.join(dir, 'credentials')} (shown once):`);
  announce(`vigil:   aws_access_key_id = ${key.accessKeyId}`);
  announce(`vigil:   aws_secret_access_key = ${key.secretAccessKey}`);
}

/** A wildcard bind address is not something a client can connect to or that the certificate names. */
function clientEndpoint(url: string): string {
  return url.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://[::1]:');
}

/** A key file beside the data protects against a stolen database, not a stolen disk: say so. */
function warnAboutKeyFile(source: string, file: string, announce: ((l: string) => void) | undefined, log: { warn(msg: string): void }): void {
  if (source === 'generated') {
    (announce ?? ((l: string) => process.stderr.write(`${l}\n`)))(
      `vigil: generated a master key in ${file}: back it up separately from the data (without it nothing can be decrypted), ` +
      'or keep it outside the data dir with VIGIL_MASTER_KEY / --master-key-file');
  } else if (source === 'existing') {
    log.warn(`the master key is read from ${file}, next to the data it protects; prefer VIGIL_MASTER_KEY or --master-key-file in production`);
  }
}

/**
 * The object store: local disk by default (leftovers of a crash swept before serving), or an external
 * S3-compatible store whose credentials come from VIGIL_BLOB_STORE_ACCESS_KEY_ID / _SECRET_ACCESS_KEY
 * (never from the command line, where other users could read them).
 */
async function openBlobs(opts: VigilOptions, dir: string, env: NodeJS.ProcessEnv): Promise<BlobStore> {
  if (!opts.blobStore) {
    const store = new FsBlobStore(path.join(dir, 'blobs'));
    await store.sweepTemp();
    return store;
  }
  const id = env.VIGIL_BLOB_STORE_ACCESS_KEY_ID;
  const secret = env.VIGIL_BLOB_STORE_SECRET_ACCESS_KEY;
  const store = openBlobStore(opts.blobStore, {
    region: opts.blobStoreRegion ?? 'us-east-1',
    endpoint: opts.blobStoreEndpoint,
    forcePathStyle: opts.blobStoreEndpoint !== undefined,
    credentials: id && secret ? { accessKeyId: id, secretAccessKey: secret, sessionToken: env.VIGIL_BLOB_STORE_SESSION_TOKEN } : undefined,
  });
  if (store instanceof FsBlobStore) await store.sweepTemp();
  return store;
}
