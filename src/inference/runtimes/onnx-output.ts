import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Media } from './media.js';
import { PayloadError } from './onnx-input.js';

/**
 * Model outputs → response bytes. A plan chosen once at load names the score tensor (float: a score, or class
 * probabilities) and the label tensor (int/string, as skl2onnx classifiers emit); only those are fetched, which also
 * keeps ZipMap's sequence-of-map output (unsupported by onnxruntime-node) out of session.run.
 */

export interface OutputPlan {
  score?: string;
  label?: string;
  /** The outputs to fetch, passed to session.run so non-tensor outputs are never materialised. */
  fetch: string[];
}

const FLOATS = new Set(['float32', 'float64']);
const LABELS = new Set(['int64', 'int32', 'string']);

export function planOutputs(outputs: readonly InferenceSession.ValueMetadata[]): OutputPlan {
  const tensors = outputs.filter((m): m is InferenceSession.TensorValueMetadata => m.isTensor);
  const floats = tensors.filter((m) => FLOATS.has(m.type));
  // skl2onnx names its probability output `probabilities`/`output_probability`; prefer it over e.g. raw scores.
  const score = floats.find((m) => /prob/i.test(m.name)) ?? floats[0];
  const label = tensors.find((m) => LABELS.has(m.type));
  if (!score && !label) {
    const nonTensor = outputs.length - tensors.length;
    throw new Error(nonTensor > 0
      ? 'the model has no float or integer/string tensor output: its outputs are sequences or maps (e.g. a ZipMap), ' +
        'which onnxruntime-node cannot return; export the classifier without ZipMap (skl2onnx: options={"zipmap": False})'
      : 'the model has no float, integer or string tensor output that Vigil can format');
  }
  return { score: score?.name, label: label?.name, fetch: [score?.name, label?.name].filter((n): n is string => n !== undefined) };
}

type Labels = BigInt64Array | Int32Array | string[] | Float32Array;

function shapeError(name: string, dims: readonly number[], expected: string): PayloadError {
  return new PayloadError(`the model's output '${name}' has shape [${dims.join(', ')}]; Vigil can format ${expected}`, 500);
}

/** The width K of a score tensor [N], [N,1] or [N,K]. */
function widthOf(name: string, t: Tensor, rows: number): number {
  const d = t.dims;
  if (d[0] === rows && d.length === 1) return 1;
  if (d[0] === rows && d.length === 2) return d[1];
  throw shapeError(name, d, `[${rows}], [${rows}, 1] or [${rows}, K] for ${rows} row(s)`);
}

function labelsOf(name: string, t: Tensor, rows: number): Labels {
  const d = t.dims;
  if (d[0] !== rows || d.length > 2 || (d.length === 2 && d[1] !== 1)) throw shapeError(name, d, `[${rows}] or [${rows}, 1] labels`);
  return t.data as Labels;
}

/** Non-finite values cannot be written in JSON; null is the conventional stand-in. */
const jsonNum = (v: number): string => (Number.isFinite(v) ? String(v) : 'null');

function jsonLabel(labels: Labels, r: number): string {
  const v = labels[r];
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function csvLabel(labels: Labels, r: number): string {
  const v = String(labels[r]);
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function argmax(p: ArrayLike<number>, at: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (p[at + c] > p[at + best]) best = c;
  return best;
}

function formatCsv(scores: ArrayLike<number> | undefined, k: number, labels: Labels | undefined, rows: number): string {
  let out = '';
  for (let r = 0; r < rows; r++) {
    if (scores === undefined) out += csvLabel(labels!, r);
    else if (k === 1) out += String(scores[r]);
    else if (k === 2) out += String(scores[r * 2 + 1]); // binary classifier: probability of the positive class
    else {
      const at = r * k;
      out += String(scores[at]);
      for (let c = 1; c < k; c++) out += ',' + String(scores[at + c]);
    }
    out += '\n';
  }
  return out;
}

function formatJson(scores: ArrayLike<number> | undefined, k: number, labels: Labels | undefined, rows: number): string {
  let out = '{"predictions":[';
  for (let r = 0; r < rows; r++) {
    if (r > 0) out += ',';
    if (scores === undefined) {
      out += '{"label":' + jsonLabel(labels!, r) + '}';
    } else if (k === 1) {
      out += '{"score":' + jsonNum(scores[r]) + (labels ? ',"label":' + jsonLabel(labels, r) : '') + '}';
    } else {
      const at = r * k;
      const best = argmax(scores, at, k);
      // Binary: the score is P(positive class), as SageMaker's built-in classifiers report it; multi-class: the
      // probability of the predicted class.
      const score = k === 2 ? scores[at + 1] : scores[at + best];
      out += '{"score":' + jsonNum(score) + ',"label":' + (labels ? jsonLabel(labels, r) : String(best)) + ',"probabilities":[';
      for (let c = 0; c < k; c++) out += (c > 0 ? ',' : '') + jsonNum(scores[at + c]);
      out += ']}';
    }
  }
  return out + ']}';
}

export function formatOutputs(plan: OutputPlan, results: InferenceSession.OnnxValueMapType, rows: number, media: Media): string {
  let scores: ArrayLike<number> | undefined;
  let k = 0;
  let labels: Labels | undefined;
  if (plan.score !== undefined) {
    const t = results[plan.score] as Tensor;
    k = widthOf(plan.score, t, rows);
    scores = t.data as ArrayLike<number>;
  }
  if (plan.label !== undefined) labels = labelsOf(plan.label, results[plan.label] as Tensor, rows);
  return media === 'csv' ? formatCsv(scores, k, labels, rows) : formatJson(scores, k, labels, rows);
}
