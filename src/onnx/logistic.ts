import { encodeOnnxModel, type OnnxGraphSpec } from './model-builder.js';

export interface LogisticRegression {
  weights: number[];
  bias: number;
  /** Graph name and the model's self-description (producer, doc string, metadata_props). */
  name?: string;
  extra?: Pick<OnnxGraphSpec, 'producerName' | 'producerVersion' | 'docString' | 'metadata'>;
}

/** Input and output names of the graph: `X` float [N, F] → `probability` float [N, 1]. */
export const LOGISTIC_INPUT = 'X';
export const LOGISTIC_OUTPUT = 'probability';

/**
 * A logistic regression as ONNX (MatMul + Add + Sigmoid): the shape of the demo's fraud model, and the model that
 * tests and benchmarks serve.
 */
export function logisticRegressionOnnx(m: LogisticRegression): Uint8Array {
  const f = m.weights.length;
  return encodeOnnxModel({
    name: m.name ?? 'logistic_regression',
    nodes: [
      { opType: 'MatMul', inputs: [LOGISTIC_INPUT, 'W'], outputs: ['logit_raw'], name: 'matmul' },
      { opType: 'Add', inputs: ['logit_raw', 'B'], outputs: ['logit'], name: 'add_bias' },
      { opType: 'Sigmoid', inputs: ['logit'], outputs: [LOGISTIC_OUTPUT], name: 'sigmoid' },
    ],
    initializers: [
      { name: 'W', elemType: 'float', dims: [f, 1], values: m.weights },
      { name: 'B', elemType: 'float', dims: [1], values: [m.bias] },
    ],
    inputs: [{ name: LOGISTIC_INPUT, elemType: 'float', shape: ['N', f] }],
    outputs: [{ name: LOGISTIC_OUTPUT, elemType: 'float', shape: ['N', 1] }],
    ...m.extra,
  });
}
