/**
 * Most features (CSV columns, flattened JSON keys) one dataset profile may have. Every feature costs a few
 * kilobytes of sketches however few rows it has, so a file of a few rows with 100,000 columns would take most of a
 * gigabyte and seconds of CPU: such input is refused (a processing job fails with the message as FailureReason,
 * `vigil baseline/analyze` exit 1) rather than profiled.
 */
export const MAX_DATASET_FEATURES = 10_000;

/** The dataset has more features than MAX_DATASET_FEATURES. */
export class TooManyFeaturesError extends Error {
  constructor() {
    super(`the dataset has more than ${MAX_DATASET_FEATURES} columns; Model Monitor profiles at most ${MAX_DATASET_FEATURES} features (CSV columns or flattened JSON keys) per dataset`);
    this.name = 'TooManyFeaturesError';
  }
}

/** Throws TooManyFeaturesError when a dataset of `n` features is over the cap. */
export function checkFeatureCount(n: number): void {
  if (n > MAX_DATASET_FEATURES) throw new TooManyFeaturesError();
}
