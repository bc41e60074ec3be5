import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { readArtifact } from '../../src/inference/runtimes/archive.js';
import { build } from './build.js';
import { INPUT_NAME, OUTPUT_NAME, fraudModelToOnnx } from './export-onnx.js';
import { MODEL_FEATURES, encodeFeatures } from './features.js';
import { generateTransactions } from './generate.js';
import { fraudProbability, type FraudModel } from './train.js';

describe('ONNX export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-fraud-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds a model whose onnxruntime probabilities match the TypeScript model on 1000 rows', async () => {
    const log = console.log;
    console.log = () => undefined; // build() narrates; keep test output clean
    try {
      await build(dir, 5000, 42);
    } finally {
      console.log = log;
    }
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as FraudModel;
    const rows = generateTransactions({ rows: 1000, seed: 1234 });
    const x = Float32Array.from(rows.flatMap(encodeFeatures));

    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'model.onnx')));
    const out = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', x, [rows.length, MODEL_FEATURES.length]) });
    await session.release();
    const p = out[OUTPUT_NAME];
    expect(p.dims).toEqual([1000, 1]);
    let worst = 0;
    rows.forEach((r, i) => {
      worst = Math.max(worst, Math.abs((p.data as Float32Array)[i] - fraudProbability(model, r)));
    });
    expect(worst).toBeLessThan(1e-5);
  });

  it('packs model.onnx into model.tar.gz, reproducibly', async () => {
    // Read back with the archive reader Vigil's vigil/onnx runtime uses to load artifacts.
    const files = await readArtifact(readFileSync(join(dir, 'model.tar.gz')));
    expect(files.map((f) => f.path)).toEqual(['model.onnx']);
    expect(Buffer.from(files[0].data).equals(readFileSync(join(dir, 'model.onnx')))).toBe(true);
    expect(readFileSync(join(dir, 'row.csv'), 'utf8').trim().split(',')).toHaveLength(15);
    expect(readFileSync(join(dir, 'baseline.csv'), 'utf8').split('\n')[0]).toBe(MODEL_FEATURES.join(','));
  });

  it('refuses a model trained on a different feature order', () => {
    expect(() => fraudModelToOnnx({ features: ['a'], weights: [1], bias: 0 })).toThrow(/not the current MODEL_FEATURES/);
  });
});
