/**
 * Test fixtures for the runtime tests: ONNX models built with the project's model builder, an in-memory artifact
 * store, tar.gz packing and a silent logger. Not imported by production code.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { pino } from 'pino';
import * as tar from 'tar-stream';
import { logisticRegressionOnnx } from '../../onnx/logistic.js';
import { encodeOnnxModel, type OnnxGraphSpec } from '../../onnx/model-builder.js';
import type { ArtifactFetcher, LoadContext } from '../types.js';

export const F = 4;

/** Deterministic floats in [-2, 2), rounded to float32 so the JS reference sees what ORT sees. */
export function floats(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(Math.fround((s / 2 ** 32) * 4 - 2));
  }
  return out;
}

export const W1 = floats(F, 11);
export const B1 = Math.fround(0.25);
export const W3 = floats(F * 3, 12); // [F, 3] row-major
export const B3 = floats(3, 13);

const X = { name: 'X', elemType: 'float' as const, shape: ['N', F] as (number | string)[] };

/** Logistic regression: sigmoid(X·W + b) → `probability` [N, 1]. */
export function logregModel(): Uint8Array {
  return logisticRegressionOnnx({ weights: W1, bias: B1, name: 'logreg' });
}

/**
 * Softmax classifier over 3 classes → `probabilities` [N, 3]; with `labels`, also an ArgMax label output, as int64
 * (skl2onnx without ZipMap) or cast to string.
 */
export function softmaxModel(labels?: 'int64' | 'string', classes = 3): Uint8Array {
  const w = classes === 3 ? W3 : floats(F * classes, 14);
  const b = classes === 3 ? B3 : floats(classes, 15);
  const spec: OnnxGraphSpec = {
    name: 'softmax',
    nodes: [
      { opType: 'MatMul', inputs: ['X', 'W'], outputs: ['z0'] },
      { opType: 'Add', inputs: ['z0', 'B'], outputs: ['z'] },
      { opType: 'Softmax', inputs: ['z'], outputs: ['probabilities'], attributes: [{ name: 'axis', type: 'int', value: 1 }] },
    ],
    initializers: [
      { name: 'W', elemType: 'float', dims: [F, classes], values: w },
      { name: 'B', elemType: 'float', dims: [classes], values: b },
    ],
    inputs: [X],
    outputs: [{ name: 'probabilities', elemType: 'float', shape: ['N', classes] }],
  };
  if (labels) {
    spec.nodes.push({ opType: 'ArgMax', inputs: ['probabilities'], outputs: [labels === 'string' ? 'label_i' : 'label'],
      attributes: [{ name: 'axis', type: 'int', value: 1 }, { name: 'keepdims', type: 'int', value: 0 }] });
    if (labels === 'string') {
      spec.nodes.push({ opType: 'Cast', inputs: ['label_i'], outputs: ['label'], attributes: [{ name: 'to', type: 'int', value: 8 }] });
    }
    // Listed first, as skl2onnx does, to check the runtime picks outputs by type rather than position.
    spec.outputs.unshift({ name: 'label', elemType: labels, shape: ['N'] });
  }
  return encodeOnnxModel(spec);
}

/** Linear regression with a 1-D output: X·W → `variable` [N]. */
export function regressionModel(): Uint8Array {
  return encodeOnnxModel({
    name: 'linreg',
    nodes: [{ opType: 'MatMul', inputs: ['X', 'W'], outputs: ['variable'] }],
    initializers: [{ name: 'W', elemType: 'float', dims: [F], values: W1 }],
    inputs: [X],
    outputs: [{ name: 'variable', elemType: 'float', shape: ['N'] }],
  });
}

/** Row sums with a symbolic feature dimension [N, F]: the request decides F. */
export function rowSumModel(): Uint8Array {
  return encodeOnnxModel({
    name: 'rowsum',
    nodes: [{ opType: 'ReduceSum', inputs: ['X', 'axes'], outputs: ['sum'], attributes: [{ name: 'keepdims', type: 'int', value: 1 }] }],
    initializers: [{ name: 'axes', elemType: 'int64', dims: [1], values: [1] }],
    inputs: [{ name: 'X', elemType: 'float', shape: ['N', 'F'] }],
    outputs: [{ name: 'sum', elemType: 'float', shape: ['N', 1] }],
  });
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export function logregRef(row: number[]): number {
  let z = B1;
  for (let c = 0; c < F; c++) z += row[c] * W1[c];
  return sigmoid(z);
}

export function softmaxRef(row: number[]): number[] {
  const z = B3.map((b, k) => row.reduce((acc, x, c) => acc + x * W3[c * 3 + k], b));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export async function tarGz(files: Record<string, Buffer | Uint8Array | string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, data] of Object.entries(files)) pack.entry({ name }, Buffer.from(data as Buffer));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return promisify(gzip)(Buffer.concat(chunks));
}

export const silentLog = pino({ level: 'silent' });

export function memoryArtifacts(files: Record<string, Buffer | Uint8Array>): ArtifactFetcher {
  return {
    async fetch(url: string): Promise<Buffer> {
      const data = files[url];
      if (data === undefined) throw new Error(`NoSuchKey: ${url} does not exist`);
      return Buffer.from(data);
    },
  };
}

export function loadContext(files: Record<string, Buffer | Uint8Array>, label = 'fraud/AllTraffic'): LoadContext {
  return { label, artifacts: memoryArtifacts(files), log: silentLog };
}
