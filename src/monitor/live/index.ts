/** Near-real-time drift: per-minute profiles from the request path, rolling drift metrics. See docs/near-real-time-drift.md. */
import type { InvokeRequest, LiveEndpoint, LiveVariant } from '../../inference/types.js';

export { LiveProfiler, DEFAULT_WINDOW_MINUTES, DEFAULT_RETENTION_DAYS, DEFAULT_MAX_FEATURES, type LiveProfilerOptions, type LiveProfilerStats, type ProfileStore } from './profiler.js';
export { SqlProfileStore, mergePartials, MINUTE_MS, type MergedProfile, type ProfileKey, type ProfilePartial, type StoredPartial } from './store.js';
export { LIVE_DRIFT_NAMESPACE, FEATURE_DRIFT, FEATURE_DRIFT_PSI, WINDOW_ROWS } from './publish.js';
export { requestRows } from './parse.js';
export { positionalNames, type LiveBaseline, type FeatureDrift } from './drift.js';

/** What InvokeEndpoint needs of the profiler (InvokeDeps.live): synchronous, memory only. */
export interface LiveProfileSink {
  record(ep: LiveEndpoint, variant: LiveVariant, req: InvokeRequest, at: Date): void;
}
