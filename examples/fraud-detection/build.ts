/**
 * The whole model build in one go: generate → train → export, into one output directory.
 *
 * CLI: npx tsx examples/fraud-detection/build.ts [--rows 50000] [--seed 42] [--out examples/fraud-detection/out]
 * Writes (all deterministic for a given --rows/--seed):
 *   train.csv, validation.csv  header + is_fraud + raw fields + gender/age_group (80/20 split)
 *   baseline.csv               header + the 15 model features of the training rows (no label): what the
 *                              endpoint receives, for a data-quality baseline
 *   row.csv, rows.csv          1 and 5 validation rows as invoke payloads (model features, no header)
 *   model.json                 weights, bias, feature order, train/hold-out metrics
 *   model.onnx, model.tar.gz   the exported model and its SageMaker-style artifact
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_OUT_DIR, isMain, numberFlag, runMain } from './cli.js';
import { toFeatureCsv } from './csv.js';
import { exportToDir } from './export-onnx.js';
import { featureCsvLine } from './features.js';
import { writeDataset } from './generate.js';
import { formatMetrics, trainFromDir } from './train.js';

export async function build(outDir: string, rows: number, seed: number): Promise<void> {
  const { train, validation } = writeDataset(outDir, { rows, seed });
  writeFileSync(join(outDir, 'baseline.csv'), toFeatureCsv(train));
  writeFileSync(join(outDir, 'row.csv'), featureCsvLine(validation[0]) + '\n');
  writeFileSync(join(outDir, 'rows.csv'), validation.slice(0, 5).map(featureCsvLine).join('\n') + '\n');
  console.log(`data: ${train.length} training / ${validation.length} validation rows (seed ${seed})`);

  const model = trainFromDir(outDir);
  console.log(formatMetrics('train', model.metrics.train));
  console.log(formatMetrics('validation (hold-out)', model.metrics.validation));

  const { onnx, tarGz } = await exportToDir(outDir);
  console.log(`model.onnx ${onnx.length} B, model.tar.gz ${tarGz.length} B → ${outDir}`);
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const { values } = parseArgs({
      options: { rows: { type: 'string', default: '50000' }, seed: { type: 'string', default: '42' }, out: { type: 'string', default: DEFAULT_OUT_DIR } },
    });
    await build(values.out, numberFlag('rows', values.rows), numberFlag('seed', values.seed));
  });
}
