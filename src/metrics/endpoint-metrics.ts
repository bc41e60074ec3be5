import type { DDSketch } from '@datadog/sketches-js';
import type { Logger } from 'pino';
import type { Clock } from '../server/deps.js';
import { PrometheusExporter, type EndpointSeries, type PrometheusSources } from './prometheus.js';
import { encodeSketch, newSketch } from './sketch.js';
import type { EndpointDims, InvocationSample, MetricPoint, MetricStore } from './types.js';

export const SAGEMAKER_NAMESPACE = 'AWS/SageMaker';
const MINUTE_MS = 60_000;
/** Points kept for a retry while the database is unreachable (about an hour of 15 busy variants). */
const MAX_RETRY_POINTS = 100_000;

export interface EndpointMetricsOptions extends PrometheusSources {
  store: MetricStore;
  clock: Clock;
  log: Logger;
  /** How often partial aggregates are written (default 10 s); alarms see a minute at most this late. */
  flushIntervalMs?: number;
  /** Share an exporter (and its registry) with other metric sources; one is made otherwise. */
  exporter?: PrometheusExporter;
}

/** Running statistics of one metric over one minute. */
class Stat {
  sum = 0;
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  constructor(readonly sketch?: DDSketch) {}

  add(v: number): void {
    this.sum += v;
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.sketch?.accept(v);
  }
}

/** The six SageMaker metrics of one variant over one minute. */
class Minute {
  readonly invocations = new Stat();
  readonly perInstance = new Stat();
  readonly errors4xx = new Stat();
  readonly errors5xx = new Stat();
  readonly modelLatency = new Stat(newSketch());
  readonly overheadLatency = new Stat(newSketch());
  constructor(readonly start: number) {}
}

interface Series {
  dims: EndpointDims;
  prom: EndpointSeries;
  current?: Minute;
  /** Minutes that ended since the last flush (normally none or one). */
  closed: Minute[];
}

const METRICS: { name: string; unit: string; pick: (m: Minute) => Stat }[] = [
  { name: 'Invocations', unit: 'None', pick: (m) => m.invocations },
  { name: 'InvocationsPerInstance', unit: 'None', pick: (m) => m.perInstance },
  { name: 'Invocation4XXErrors', unit: 'None', pick: (m) => m.errors4xx },
  { name: 'Invocation5XXErrors', unit: 'None', pick: (m) => m.errors5xx },
  { name: 'ModelLatency', unit: 'Microseconds', pick: (m) => m.modelLatency },
  { name: 'OverheadLatency', unit: 'Microseconds', pick: (m) => m.overheadLatency },
];

/**
 * SageMaker's endpoint invocation metrics (spec §4.5, namespace AWS/SageMaker, one-minute periods) for
 * CloudWatch, plus the same traffic as Prometheus series. record() runs on the InvokeEndpoint path: a map lookup
 * and a few additions, no I/O. Every flush writes the minutes' partial aggregates since the previous flush; the
 * store merges partials from flushes and replicas, so nothing is read back or locked. Each minute is written under
 * {EndpointName, VariantName} and under {EndpointConfigName, EndpointName, VariantName} (the per-fleet dimension
 * set deployment guardrails alarm on).
 */
export class EndpointMetrics {
  readonly #store: MetricStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #exporter: PrometheusExporter;
  readonly #series = new Map<string, Series>();
  readonly #timer: NodeJS.Timeout;
  #retry: MetricPoint[] = [];
  #flushing: Promise<void> = Promise.resolve();

  constructor(opts: EndpointMetricsOptions) {
    this.#store = opts.store;
    this.#clock = opts.clock;
    this.#log = opts.log;
    this.#exporter = opts.exporter ?? new PrometheusExporter({ captureStats: opts.captureStats, requestStats: opts.requestStats });
    this.#timer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 10_000);
    this.#timer.unref();
  }

  get exporter(): PrometheusExporter {
    return this.#exporter;
  }

  /** Synchronous, O(1): never throws into the request path. */
  record(d: EndpointDims, s: InvocationSample): void {
    try {
      const key = `${d.accountId}\n${d.region}\n${d.endpointName}\n${d.variantName}\n${d.configName}`;
      let series = this.#series.get(key);
      if (!series) {
        series = { dims: { ...d }, prom: this.#exporter.series(d.accountId, d.region, d.endpointName, d.variantName), closed: [] };
        this.#series.set(key, series);
      }
      const start = Math.floor(this.#clock.now().getTime() / MINUTE_MS) * MINUTE_MS;
      let m = series.current;
      if (!m || m.start !== start) {
        if (m) series.closed.push(m);
        m = new Minute(start);
        series.current = m;
      }
      const is4xx = s.status >= 400 && s.status < 500;
      const is5xx = s.status >= 500;
      m.invocations.add(1);
      m.perInstance.add(1 / Math.max(1, s.instanceCount));
      m.errors4xx.add(is4xx ? 1 : 0);
      m.errors5xx.add(is5xx ? 1 : 0);
      m.overheadLatency.add(s.overheadLatencyUs);
      if (s.modelLatencyUs !== undefined) m.modelLatency.add(s.modelLatencyUs);

      const p = series.prom;
      p.invocations.inc();
      if (is4xx) p.errors4xx.inc();
      if (is5xx) p.errors5xx.inc();
      p.overheadLatency.observe(s.overheadLatencyUs / 1e6);
      if (s.modelLatencyUs !== undefined) p.modelLatency.observe(s.modelLatencyUs / 1e6);
    } catch (err) {
      this.#log.warn({ err }, 'could not record an endpoint metric');
    }
  }

  /** Writes every partial aggregate gathered since the last flush; concurrent calls run one after another. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flushOnce());
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  prometheus(): Promise<string> {
    return this.#exporter.render();
  }

  async #flushOnce(): Promise<void> {
    const points = this.#retry;
    this.#retry = [];
    // Series stay in the map when idle: their Prometheus children hold cumulative counters.
    for (const series of this.#series.values()) {
      const minutes = series.current ? [...series.closed, series.current] : series.closed;
      series.closed = [];
      series.current = undefined;
      for (const m of minutes) points.push(...toPoints(series.dims, m));
    }
    if (points.length === 0) return;
    try {
      await this.#store.insert(points);
    } catch (err) {
      // Flushes are serialised, so nothing else has refilled #retry meanwhile; the oldest go first when over the bound.
      this.#retry = points.length > MAX_RETRY_POINTS ? points.slice(-MAX_RETRY_POINTS) : points;
      this.#log.warn({ err, points: points.length, kept: this.#retry.length }, 'could not write endpoint metrics; will retry');
    }
  }
}

function toPoints(d: EndpointDims, m: Minute): MetricPoint[] {
  const byVariant = { EndpointName: d.endpointName, VariantName: d.variantName };
  const byConfig = { EndpointConfigName: d.configName, EndpointName: d.endpointName, VariantName: d.variantName };
  const out: MetricPoint[] = [];
  for (const metric of METRICS) {
    const s = metric.pick(m);
    if (s.count === 0) continue;
    const sketch = s.sketch ? encodeSketch(s.sketch) : undefined;
    for (const dimensions of [byVariant, byConfig]) {
      out.push({
        accountId: d.accountId, region: d.region, namespace: SAGEMAKER_NAMESPACE, metricName: metric.name, dimensions,
        periodStart: m.start, periodSeconds: 60, sum: s.sum, count: s.count, min: s.min, max: s.max, sketch, unit: metric.unit,
      });
    }
  }
  return out;
}
