/**
 * Trains the fraud model: logistic regression on MODEL_FEATURES (numeric fields + one-hot merchant category;
 * gender and age group are never inputs), then scores the hold-out split.
 *
 * CLI: npx tsx examples/fraud-detection/train.ts [--out examples/fraud-detection/out]
 *   reads OUT/train.csv and OUT/validation.csv, writes OUT/model.json and prints hold-out metrics.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_OUT_DIR, isMain, runMain } from './cli.js';
import { parseTransactionsCsv } from './csv.js';
import { MODEL_FEATURES, encodeFeatures, type LabelledTransaction, type Transaction } from './features.js';
import { fitLogistic, predictProbability, type LogisticModel } from './logistic.js';
import { binaryMetrics, type BinaryMetrics } from './metrics.js';

export interface FraudModel extends LogisticModel {
  /** Input column order; equals MODEL_FEATURES, stored so model.json is self-describing. */
  features: string[];
  metrics: { train: BinaryMetrics; validation: BinaryMetrics };
}

export function fraudProbability(model: LogisticModel, t: Transaction): number {
  return predictProbability(model, encodeFeatures(t));
}

export function evaluate(model: LogisticModel, rows: LabelledTransaction[]): BinaryMetrics {
  return binaryMetrics(
    rows.map((r) => fraudProbability(model, r)),
    rows.map((r) => r.is_fraud),
  );
}

export function trainFraudModel(train: LabelledTransaction[], validation: LabelledTransaction[]): FraudModel {
  const fit = fitLogistic(
    train.map(encodeFeatures),
    train.map((r) => r.is_fraud),
  );
  const model = { weights: fit.weights, bias: fit.bias };
  return { features: [...MODEL_FEATURES], ...model, metrics: { train: evaluate(model, train), validation: evaluate(model, validation) } };
}

export function formatMetrics(name: string, m: BinaryMetrics): string {
  const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;
  return (
    `${name}: ${m.rows} rows, fraud ${pct(m.positiveRate)}, AUC ${m.auc.toFixed(4)}, ` +
    `accuracy ${pct(m.accuracy)} (all-legit baseline ${pct(1 - m.positiveRate)}), precision ${pct(m.precision)}, ` +
    `recall ${pct(m.recall)} at p ≥ ${m.threshold}, log loss ${m.logLoss.toFixed(4)}`
  );
}

export function trainFromDir(outDir: string): FraudModel {
  const read = (name: string): LabelledTransaction[] => parseTransactionsCsv(readFileSync(join(outDir, name), 'utf8'));
  const model = trainFraudModel(read('train.csv'), read('validation.csv'));
  writeFileSync(join(outDir, 'model.json'), JSON.stringify(model, null, 2) + '\n');
  return model;
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const { values } = parseArgs({ options: { out: { type: 'string', default: DEFAULT_OUT_DIR } } });
    const model = trainFromDir(values.out);
    console.log(formatMetrics('train', model.metrics.train));
    console.log(formatMetrics('validation (hold-out)', model.metrics.validation));
    console.log(`wrote ${join(values.out, 'model.json')}`);
  });
}
