/** A CloudWatch dimension, spelled as the CloudWatch API spells it. */
export interface Dimension {
  Name: string;
  Value: string;
}

/** A partial aggregate of one series over one period, as one writer saw it. Rows for the same period merge. */
export interface MetricPoint {
  accountId: string;
  region: string;
  namespace: string;
  metricName: string;
  dimensions: Dimension[] | Record<string, string>;
  /** Period start, epoch milliseconds, aligned to periodSeconds. */
  periodStart: number;
  /** 60 for SageMaker's one-minute metrics. */
  periodSeconds: number;
  sum: number;
  count: number;
  min: number;
  max: number;
  /** Serialized DDSketch of the values (percentiles); absent when percentiles are not kept for the metric. */
  sketch?: string;
  unit?: string;
}

export interface MetricQuery {
  accountId: string;
  region: string;
  namespace: string;
  metricName: string;
  /** Exact dimension set (order does not matter). */
  dimensions: Dimension[] | Record<string, string>;
  /** Inclusive. */
  start: Date;
  /** Exclusive. */
  end: Date;
  /** Datapoint width: a positive multiple of 60. Datapoints are aligned to multiples of it since the epoch. */
  periodSeconds: number;
}

export interface MetricDatapoint {
  timestamp: Date;
  sum: number;
  /** CloudWatch's SampleCount. */
  count: number;
  min: number;
  max: number;
  average: number;
  unit?: string;
  /** p in [0, 100] (CloudWatch's p99 is 99); undefined when the series keeps no sketch. */
  percentile(p: number): number | undefined;
}

export interface MetricSeries {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
}

/** Metric persistence over the state database; both engines behave alike. */
export interface MetricStore {
  insert(points: MetricPoint[]): Promise<void>;
  query(q: MetricQuery): Promise<MetricDatapoint[]>;
  /** Distinct series of an account and region (ListMetrics), optionally narrowed. */
  listSeries(q: { accountId: string; region: string; namespace?: string; metricName?: string; since?: Date }): Promise<MetricSeries[]>;
}

/** The dimensions SageMaker publishes endpoint invocation metrics under (spec §4.5). */
export interface EndpointDims {
  accountId: string;
  region: string;
  endpointName: string;
  variantName: string;
  configName: string;
}

export interface InvocationSample {
  /** HTTP status sent to the caller (a model's 4xx/5xx as SageMaker classifies it). */
  status: number;
  modelLatencyUs?: number;
  overheadLatencyUs: number;
  /** Active instances of the variant: each request adds 1/instanceCount to InvocationsPerInstance. */
  instanceCount: number;
}
