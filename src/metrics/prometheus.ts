import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OperationStats } from '../gateway/metrics.js';

/** Seconds; spans a sub-millisecond ONNX call to a minute-long container timeout. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const ENDPOINT_LABELS = ['account', 'region', 'endpoint', 'variant'] as const;

export interface CaptureCounters {
  captured: number;
  dropped: number;
  written: number;
  failedWrites: number;
  bufferedBytes: number;
}

export interface PrometheusSources {
  /** Data capture's counters (CaptureWriter.stats), read at scrape time. */
  captureStats?: () => CaptureCounters;
  /** The gateway's per-operation counters (RequestMetrics.snapshot), read at scrape time. */
  requestStats?: () => Record<string, OperationStats>;
}

/** One endpoint variant's children, resolved once so the request path does no label hashing. */
export interface EndpointSeries {
  invocations: { inc(): void };
  errors4xx: { inc(): void };
  errors5xx: { inc(): void };
  modelLatency: { observe(v: number): void };
  overheadLatency: { observe(v: number): void };
}

/**
 * Vigil's Prometheus exposition (`GET /_vigil/metrics`), on a private registry so nothing else in the process
 * (libraries registering on prom-client's global one) leaks into it. Endpoint series are updated on the request
 * path through pre-resolved children; capture and gateway counters are read from their owners when scraped.
 */
export class PrometheusExporter {
  readonly registry = new Registry();
  readonly #invocations: Counter<(typeof ENDPOINT_LABELS)[number]>;
  readonly #errors: Counter<(typeof ENDPOINT_LABELS)[number] | 'class'>;
  readonly #model: Histogram<(typeof ENDPOINT_LABELS)[number]>;
  readonly #overhead: Histogram<(typeof ENDPOINT_LABELS)[number]>;

  constructor(sources: PrometheusSources = {}) {
    const registers = [this.registry];
    this.#invocations = new Counter({ name: 'vigil_sagemaker_invocations_total', help: 'InvokeEndpoint requests per endpoint variant', labelNames: ENDPOINT_LABELS, registers });
    this.#errors = new Counter({
      name: 'vigil_sagemaker_invocation_errors_total', help: 'InvokeEndpoint requests answered 4xx or 5xx (Invocation4XXErrors / Invocation5XXErrors)',
      labelNames: [...ENDPOINT_LABELS, 'class'], registers,
    });
    this.#model = new Histogram({
      name: 'vigil_sagemaker_model_latency_seconds', help: 'Time the model took (ModelLatency)', labelNames: ENDPOINT_LABELS, buckets: LATENCY_BUCKETS, registers,
    });
    this.#overhead = new Histogram({
      name: 'vigil_sagemaker_overhead_latency_seconds', help: 'Request time outside the model (OverheadLatency)', labelNames: ENDPOINT_LABELS, buckets: LATENCY_BUCKETS, registers,
    });
    if (sources.captureStats) captureMetrics(this.registry, sources.captureStats);
    if (sources.requestStats) requestMetrics(this.registry, sources.requestStats);
  }

  series(account: string, region: string, endpoint: string, variant: string): EndpointSeries {
    const labels = { account, region, endpoint, variant };
    return {
      invocations: this.#invocations.labels(labels),
      errors4xx: this.#errors.labels({ ...labels, class: '4xx' }),
      errors5xx: this.#errors.labels({ ...labels, class: '5xx' }),
      modelLatency: this.#model.labels(labels),
      overheadLatency: this.#overhead.labels(labels),
    };
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Counters whose value lives elsewhere: set from the source on each scrape. */
function captureMetrics(registry: Registry, stats: () => CaptureCounters): void {
  const registers = [registry];
  const counter = (name: string, help: string, pick: (s: CaptureCounters) => number) =>
    new Counter({ name, help, registers, collect() { this.reset(); this.inc(pick(stats())); } });
  counter('vigil_capture_records_total', 'Invocations sampled and buffered by data capture', (s) => s.captured);
  counter('vigil_capture_dropped_total', 'Sampled records dropped (buffer full, bad destination, shutting down)', (s) => s.dropped);
  counter('vigil_capture_written_total', 'Captured records written to S3', (s) => s.written);
  counter('vigil_capture_failed_writes_total', 'Capture PutObject attempts that failed (the batch is kept and retried)', (s) => s.failedWrites);
  new Gauge({ name: 'vigil_capture_buffered_bytes', help: 'Bytes of captured records waiting for S3', registers, collect() { this.set(stats().bufferedBytes); } });
}

function requestMetrics(registry: Registry, snapshot: () => Record<string, OperationStats>): void {
  const registers = [registry];
  let current: Record<string, OperationStats> = {};
  const each = (fn: (labels: { service: string; operation: string }, s: OperationStats) => void) => {
    for (const [key, s] of Object.entries(current)) {
      const colon = key.indexOf(':');
      fn({ service: key.slice(0, colon), operation: key.slice(colon + 1) }, s);
    }
  };
  // The first collector to run takes the snapshot, so the four families agree with each other.
  new Counter({
    name: 'vigil_requests_total', help: 'API requests per service operation', labelNames: ['service', 'operation'], registers,
    collect() { current = snapshot(); this.reset(); each((l, s) => this.inc(l, s.count)); },
  });
  new Counter({
    name: 'vigil_request_errors_total', help: 'API requests answered with an error', labelNames: ['service', 'operation', 'class'], registers,
    collect() {
      this.reset();
      each((l, s) => {
        if (s.clientErrors) this.inc({ ...l, class: '4xx' }, s.clientErrors);
        if (s.serverErrors) this.inc({ ...l, class: '5xx' }, s.serverErrors);
      });
    },
  });
  new Counter({
    name: 'vigil_request_duration_seconds_total', help: 'Summed API request time', labelNames: ['service', 'operation'], registers,
    collect() { this.reset(); each((l, s) => this.inc(l, s.totalMs / 1000)); },
  });
  new Gauge({
    name: 'vigil_request_duration_max_seconds', help: 'Longest API request since start', labelNames: ['service', 'operation'], registers,
    collect() { this.reset(); each((l, s) => this.set(l, s.maxMs / 1000)); },
  });
}
