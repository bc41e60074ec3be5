import { DDSketch } from '@datadog/sketches-js';

/**
 * Percentiles come from DDSketch (relative-error guarantee, fully mergeable): per-minute sketches from several
 * flushes and replicas merge into any period's percentiles. Every sketch uses the same accuracy, or they would
 * not merge.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

export function newSketch(): DDSketch {
  return new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
}

/** Protobuf (DDSketch's own wire format), base64 so one TEXT column serves both engines. */
export function encodeSketch(s: DDSketch): string {
  return Buffer.from(s.toProto()).toString('base64');
}

/** Merges a stored sketch into `into` (fromProto drops min/max/sum, which the rows keep in their own columns). */
export function mergeEncoded(into: DDSketch, encoded: string): void {
  into.merge(DDSketch.fromProto(Buffer.from(encoded, 'base64')) as DDSketch);
}
