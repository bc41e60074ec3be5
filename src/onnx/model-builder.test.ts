import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { encodeOnnxModel, type OnnxGraphSpec } from './model-builder.js';
import { onnxModelType } from './onnx-schema.js';

/** Deterministic pseudo-random floats in [-2, 2) so failures reproduce. */
function floats(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 4 - 2;
  });
}

/** Round-trip through Float32Array so the JS reference sees exactly the weights ORT sees. */
const f32 = (xs: number[]): number[] => Array.from(new Float32Array(xs));

async function run(spec: OnnxGraphSpec, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(encodeOnnxModel(spec));
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

const N = 64;
const F = 4;

describe('encodeOnnxModel', () => {
  it('builds a logistic regression (MatMul + Add + Sigmoid) that matches a JS reference', async () => {
    const w = f32(floats(F, 1));
    const b = f32([0.25]);
    const x = f32(floats(N * F, 2));
    const out = await run(
      {
        name: 'logreg',
        nodes: [
          { opType: 'MatMul', inputs: ['X', 'W'], outputs: ['z0'] },
          { opType: 'Add', inputs: ['z0', 'B'], outputs: ['z'] },
          { opType: 'Sigmoid', inputs: ['z'], outputs: ['probability'] },
        ],
        initializers: [
          { name: 'W', elemType: 'float', dims: [F, 1], values: w },
          { name: 'B', elemType: 'float', dims: [1], values: b },
        ],
        inputs: [{ name: 'X', elemType: 'float', shape: ['N', F] }],
        outputs: [{ name: 'probability', elemType: 'float', shape: ['N', 1] }],
      },
      { X: new ort.Tensor('float32', Float32Array.from(x), [N, F]) },
    );
    const p = out.probability;
    expect(p.dims).toEqual([N, 1]);
    for (let r = 0; r < N; r++) {
      let z = b[0];
      for (let c = 0; c < F; c++) z += x[r * F + c] * w[c];
      expect(Math.abs((p.data as Float32Array)[r] - 1 / (1 + Math.exp(-z)))).toBeLessThan(1e-6);
    }
  });

  it('builds a Gemm + Softmax classifier that matches a JS reference', async () => {
    const K = 3;
    const w = f32(floats(K * F, 3)); // [K, F], used with transB = 1 as sklearn stores coefficients
    const b = f32(floats(K, 4));
    const x = f32(floats(N * F, 5));
    const out = await run(
      {
        name: 'softmax-classifier',
        nodes: [
          {
            opType: 'Gemm',
            inputs: ['X', 'W', 'B'],
            outputs: ['logits'],
            attributes: [
              { name: 'transB', type: 'int', value: 1n },
              { name: 'alpha', type: 'float', value: 1 },
            ],
          },
          { opType: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: [{ name: 'axis', type: 'int', value: -1 }] },
        ],
        initializers: [
          { name: 'W', elemType: 'float', dims: [K, F], values: w },
          { name: 'B', elemType: 'float', dims: [K], values: b },
        ],
        inputs: [{ name: 'X', elemType: 'float', shape: ['N', F] }],
        outputs: [{ name: 'probabilities', elemType: 'float', shape: ['N', K] }],
      },
      { X: new ort.Tensor('float32', Float32Array.from(x), [N, F]) },
    );
    const p = out.probabilities.data as Float32Array;
    for (let r = 0; r < N; r++) {
      const logits = Array.from({ length: K }, (_, k) => {
        let z = b[k];
        for (let c = 0; c < F; c++) z += x[r * F + c] * w[k * F + c];
        return z;
      });
      const m = Math.max(...logits);
      const e = logits.map((z) => Math.exp(z - m));
      const sum = e.reduce((a, v) => a + v, 0);
      for (let k = 0; k < K; k++) expect(Math.abs(p[r * K + k] - e[k] / sum)).toBeLessThan(1e-6);
    }
  });

  it('writes metadata_props, producer and a symbolic batch dimension that readers see', async () => {
    const bytes = encodeOnnxModel({
      name: 'identity',
      nodes: [{ opType: 'Identity', inputs: ['X'], outputs: ['Y'], name: 'id0' }],
      inputs: [{ name: 'X', elemType: 'float', shape: ['N', 2] }],
      outputs: [{ name: 'Y', elemType: 'float', shape: ['N', 2] }],
      producerName: 'vigil',
      producerVersion: '0.1.0',
      docString: 'identity for tests',
      metadata: { feature_order: 'a,b', framework: 'vigil-ts' },
    });
    const session = await ort.InferenceSession.create(bytes);
    const meta = session.inputMetadata[0];
    expect(meta.isTensor && meta.shape).toEqual(['N', 2]);
    await session.release();

    // onnxruntime-node does not expose custom metadata, so read it back with the schema itself.
    const decoded = onnxModelType().toObject(onnxModelType().decode(bytes), { longs: Number }) as {
      ir_version: number;
      producer_name: string;
      opset_import: { domain?: string; version: number }[];
      metadata_props: { key: string; value: string }[];
    };
    expect(decoded.ir_version).toBe(8);
    expect(decoded.producer_name).toBe('vigil');
    // protobufjs leaves an empty domain off the wire; readers default it to '' (= ai.onnx) either way.
    expect(decoded.opset_import.map((o) => [o.domain ?? '', o.version])).toEqual([['', 17]]);
    expect(decoded.metadata_props).toEqual([
      { key: 'feature_order', value: 'a,b' },
      { key: 'framework', value: 'vigil-ts' },
    ]);
  });

  it('encodes negative int64 initializers (bigint and number)', async () => {
    const out = await run(
      {
        name: 'reshape',
        nodes: [{ opType: 'Reshape', inputs: ['X', 'shape'], outputs: ['Y'] }],
        initializers: [{ name: 'shape', elemType: 'int64', dims: [2], values: [-1n, 2n] }],
        inputs: [{ name: 'X', elemType: 'float', shape: [2, 3] }],
        outputs: [{ name: 'Y', elemType: 'float', shape: [3, 2] }],
      },
      { X: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]) },
    );
    expect(out.Y.dims).toEqual([3, 2]);
    expect(Array.from(out.Y.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('builds an ai.onnx.ml TreeEnsembleClassifier (binary, skl2onnx weight convention)', async () => {
    // One stump: x0 <= 0.5 → leaf 1 (p(fraud) = 0.2), else leaf 2 (p = 0.9). Binary trees carry only the
    // positive-class score, on class_ids 0; ORT then returns [1 - p, p] and the right label.
    const out = await run(
      {
        name: 'stump',
        opsets: { '': 17, 'ai.onnx.ml': 3 },
        nodes: [
          {
            opType: 'TreeEnsembleClassifier',
            domain: 'ai.onnx.ml',
            inputs: ['X'],
            outputs: ['label', 'probabilities'],
            attributes: [
              { name: 'nodes_treeids', type: 'ints', value: [0, 0, 0] },
              { name: 'nodes_nodeids', type: 'ints', value: [0, 1, 2] },
              { name: 'nodes_featureids', type: 'ints', value: [0, 0, 0] },
              { name: 'nodes_modes', type: 'strings', value: ['BRANCH_LEQ', 'LEAF', 'LEAF'] },
              { name: 'nodes_values', type: 'floats', value: [0.5, 0, 0] },
              { name: 'nodes_truenodeids', type: 'ints', value: [1, 0, 0] },
              { name: 'nodes_falsenodeids', type: 'ints', value: [2, 0, 0] },
              { name: 'class_treeids', type: 'ints', value: [0, 0] },
              { name: 'class_nodeids', type: 'ints', value: [1, 2] },
              { name: 'class_ids', type: 'ints', value: [0, 0] },
              { name: 'class_weights', type: 'floats', value: [0.2, 0.9] },
              { name: 'classlabels_int64s', type: 'ints', value: [0, 1] },
              { name: 'post_transform', type: 'string', value: 'NONE' },
            ],
          },
        ],
        inputs: [{ name: 'X', elemType: 'float', shape: ['N', 1] }],
        outputs: [
          { name: 'label', elemType: 'int64', shape: ['N'] },
          { name: 'probabilities', elemType: 'float', shape: ['N', 2] },
        ],
      },
      { X: new ort.Tensor('float32', Float32Array.from([0.1, 0.7, 0.3, 2]), [4, 1]) },
    );
    expect(Array.from(out.label.data as BigInt64Array)).toEqual([0n, 1n, 0n, 1n]);
    const p = Array.from(out.probabilities.data as Float32Array);
    const expected = [0.8, 0.2, 0.1, 0.9, 0.8, 0.2, 0.1, 0.9];
    p.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-6));
  });

  it('rejects tensors whose value count does not match their dims', () => {
    expect(() =>
      encodeOnnxModel({
        name: 'bad',
        nodes: [],
        initializers: [{ name: 'W', elemType: 'float', dims: [2, 2], values: [1, 2, 3] }],
        inputs: [],
        outputs: [],
      }),
    ).toThrow(/3 values for dims \[2,2\]/);
    expect(() =>
      encodeOnnxModel({
        name: 'bad',
        nodes: [],
        initializers: [{ name: 'S', elemType: 'int64', dims: [1], values: [1.5] }],
        inputs: [],
        outputs: [],
      }),
    ).toThrow(/not a safe integer/);
  });
});
