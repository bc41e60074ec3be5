/**
 * Exports the trained model as ONNX (via src/onnx/model-builder.ts) and packs it as a SageMaker artifact.
 *
 * Graph:  X float[N, 15] ──MatMul(W float[15, 1])──Add(B float[1])──Sigmoid──▶ probability float[N, 1]
 * X's columns are MODEL_FEATURES in order (see features.ts / README); the caller applies the one-hot, which
 * keeps the graph to standard ai.onnx ops and the invoke payload a plain numeric CSV row. The weights are already
 * in raw-feature space (standardisation folded in at training), so no scaler node is needed.
 *
 * CLI: npx tsx examples/fraud-detection/export-onnx.ts [--out examples/fraud-detection/out]
 *   reads OUT/model.json, writes OUT/model.onnx and OUT/model.tar.gz (containing model.onnx).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LOGISTIC_INPUT, LOGISTIC_OUTPUT, logisticRegressionOnnx } from '../../src/onnx/logistic.js';
import { createTarGz } from './artifact.js';
import { DEFAULT_OUT_DIR, isMain, runMain } from './cli.js';
import { MODEL_FEATURES } from './features.js';
import type { FraudModel } from './train.js';

export const INPUT_NAME = LOGISTIC_INPUT;
export const OUTPUT_NAME = LOGISTIC_OUTPUT;

export function fraudModelToOnnx(model: Pick<FraudModel, 'weights' | 'bias' | 'features'>): Uint8Array {
  if (model.features.join(',') !== MODEL_FEATURES.join(',')) {
    throw new Error(`model.json was trained on features [${model.features.join(', ')}], not the current MODEL_FEATURES`);
  }
  return logisticRegressionOnnx({
    weights: model.weights, bias: model.bias, name: 'fraud_logistic_regression',
    extra: {
      producerName: 'vigil-examples',
      producerVersion: '1',
      docString: 'Card fraud probability (logistic regression). Input columns: ' + MODEL_FEATURES.join(','),
      // Readable by any ONNX tool, so the artifact documents its own input contract.
      metadata: { feature_names: MODEL_FEATURES.join(','), output: 'P(is_fraud = 1)' },
    },
  });
}

export async function exportToDir(outDir: string): Promise<{ onnx: Uint8Array; tarGz: Buffer }> {
  const model = JSON.parse(readFileSync(join(outDir, 'model.json'), 'utf8')) as FraudModel;
  const onnx = fraudModelToOnnx(model);
  const tarGz = await createTarGz([{ name: 'model.onnx', data: onnx }]);
  writeFileSync(join(outDir, 'model.onnx'), onnx);
  writeFileSync(join(outDir, 'model.tar.gz'), tarGz);
  return { onnx, tarGz };
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const { values } = parseArgs({ options: { out: { type: 'string', default: DEFAULT_OUT_DIR } } });
    const { onnx, tarGz } = await exportToDir(values.out);
    console.log(`wrote ${join(values.out, 'model.onnx')} (${onnx.length} B) and model.tar.gz (${tarGz.length} B)`);
  });
}
