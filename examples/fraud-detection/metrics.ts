/** Hold-out metrics for a binary scorer. */

/**
 * Area under the ROC curve as the Mann–Whitney statistic: the probability that a random positive outscores a
 * random negative, ties counting one half (average ranks), so it is exact and threshold-free.
 */
export function auc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((s, i) => [s, labels[i]] as const).sort((a, b) => a[0] - b[0]);
  let positives = 0;
  let rankSumPositives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j][0] === order[i][0]) j++;
    const averageRank = (i + 1 + j) / 2; // ranks i+1..j share their mean
    for (let k = i; k < j; k++) {
      if (order[k][1] === 1) {
        positives++;
        rankSumPositives += averageRank;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface BinaryMetrics {
  rows: number;
  positiveRate: number;
  auc: number;
  /** At `threshold`; with rare fraud, compare against 1 − positiveRate (always answering "not fraud"). */
  accuracy: number;
  precision: number;
  recall: number;
  logLoss: number;
  threshold: number;
}

export function binaryMetrics(probabilities: readonly number[], labels: readonly number[], threshold = 0.5): BinaryMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let correct = 0;
  let logLoss = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(probabilities[i], 1e-15), 1 - 1e-15);
    const predicted = probabilities[i] >= threshold ? 1 : 0;
    if (predicted === labels[i]) correct++;
    if (predicted === 1 && labels[i] === 1) tp++;
    if (predicted === 1 && labels[i] === 0) fp++;
    if (predicted === 0 && labels[i] === 1) fn++;
    logLoss -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  const n = labels.length;
  return {
    rows: n,
    positiveRate: (tp + fn) / n,
    auc: auc(probabilities, labels),
    accuracy: correct / n,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: tp + fn === 0 ? 0 : tp / (tp + fn),
    logLoss: logLoss / n,
    threshold,
  };
}
