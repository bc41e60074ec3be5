/**
 * A small ONNX model writer: turns a plain graph description into ModelProto bytes that onnxruntime loads.
 * It exists so examples, tests and `vigil demo` can build real models in TypeScript, with no Python and no
 * vendored .proto file. It does not check graph semantics (op arity, type inference) — onnxruntime does that
 * when the session is created, with better messages than we could write.
 */
import { OnnxAttributeType, OnnxDataType, onnxModelType } from './onnx-schema.js';

export type OnnxElemType = 'float' | 'int64' | 'string' | 'double' | 'int32';

export interface OnnxTensor {
  name: string;
  elemType: OnnxElemType;
  dims: number[];
  values: number[] | bigint[] | string[];
}

export type OnnxAttribute =
  | { name: string; type: 'float'; value: number }
  | { name: string; type: 'int'; value: number | bigint }
  | { name: string; type: 'string'; value: string }
  | { name: string; type: 'floats'; value: number[] }
  | { name: string; type: 'ints'; value: (number | bigint)[] }
  | { name: string; type: 'strings'; value: string[] }
  | { name: string; type: 'tensor'; value: OnnxTensor };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attributes?: OnnxAttribute[];
}

export interface OnnxValueInfo {
  name: string;
  elemType: OnnxElemType;
  /** A number is a fixed dimension; a string is a symbolic one such as 'N' (batch). */
  shape: (number | string)[];
}

export interface OnnxGraphSpec {
  name: string;
  nodes: OnnxNode[];
  initializers?: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Operator set per domain ('' = ai.onnx) → version; default { '': 17 }. */
  opsets?: Record<string, number>;
  /** ONNX IR version; default 8 (what onnx 1.12 / opset 17 writes). */
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** Free-form key/value pairs stored as ModelProto.metadata_props. */
  metadata?: Record<string, string>;
}

const DEFAULT_OPSETS: Record<string, number> = { '': 17 };
const DEFAULT_IR_VERSION = 8;

const utf8 = new TextEncoder();

/** protobufjs' int64 writer takes numbers (≤ 2^53) or Long-like {low, high}; a bigint becomes the latter. */
interface LongLike { low: number; high: number; unsigned: boolean }
type Int64 = number | LongLike;

function toInt64(value: number | bigint, what: string): Int64 {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${what}: ${value} is not a safe integer`);
    return value;
  }
  if (value < -(2n ** 63n) || value >= 2n ** 63n) throw new RangeError(`${what}: ${value} does not fit in int64`);
  const bits = BigInt.asUintN(64, value);
  return { low: Number(bits & 0xffffffffn) | 0, high: Number(bits >> 32n) | 0, unsigned: false };
}

function toInt32(value: number | bigint, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw new RangeError(`${what}: ${value} is not an int32`);
  return n;
}

function toNumber(value: number | bigint | string, what: string): number {
  if (typeof value === 'string') throw new TypeError(`${what}: string value in a numeric tensor`);
  return Number(value);
}

function encodeTensor(t: OnnxTensor): Record<string, unknown> {
  const expected = t.dims.reduce((a, d) => a * d, 1);
  if (t.values.length !== expected) {
    throw new RangeError(`tensor '${t.name}': ${t.values.length} values for dims [${t.dims.join(',')}] (expected ${expected})`);
  }
  const what = `tensor '${t.name}'`;
  const values = t.values as (number | bigint | string)[];
  const out: Record<string, unknown> = { name: t.name, dims: t.dims.map((d) => toInt64(d, `${what} dims`)) };
  switch (t.elemType) {
    case 'float':
      return { ...out, data_type: OnnxDataType.FLOAT, float_data: values.map((v) => toNumber(v, what)) };
    case 'double':
      return { ...out, data_type: OnnxDataType.DOUBLE, double_data: values.map((v) => toNumber(v, what)) };
    case 'int32':
      return { ...out, data_type: OnnxDataType.INT32, int32_data: values.map((v) => toInt32(toNumber(v, what), what)) };
    case 'int64':
      return { ...out, data_type: OnnxDataType.INT64, int64_data: values.map((v) => toInt64(typeof v === 'bigint' ? v : toNumber(v, what), what)) };
    case 'string':
      return {
        ...out,
        data_type: OnnxDataType.STRING,
        string_data: values.map((v) => {
          if (typeof v !== 'string') throw new TypeError(`${what}: non-string value in a string tensor`);
          return utf8.encode(v);
        }),
      };
  }
}

function encodeAttribute(a: OnnxAttribute): Record<string, unknown> {
  const what = `attribute '${a.name}'`;
  switch (a.type) {
    case 'float':
      return { name: a.name, type: OnnxAttributeType.FLOAT, f: a.value };
    case 'int':
      return { name: a.name, type: OnnxAttributeType.INT, i: toInt64(a.value, what) };
    case 'string':
      return { name: a.name, type: OnnxAttributeType.STRING, s: utf8.encode(a.value) };
    case 'floats':
      return { name: a.name, type: OnnxAttributeType.FLOATS, floats: a.value };
    case 'ints':
      return { name: a.name, type: OnnxAttributeType.INTS, ints: a.value.map((v) => toInt64(v, what)) };
    case 'strings':
      return { name: a.name, type: OnnxAttributeType.STRINGS, strings: a.value.map((s) => utf8.encode(s)) };
    case 'tensor':
      return { name: a.name, type: OnnxAttributeType.TENSOR, t: encodeTensor(a.value) };
  }
}

const ELEM_TYPE: Record<OnnxElemType, number> = {
  float: OnnxDataType.FLOAT,
  int64: OnnxDataType.INT64,
  string: OnnxDataType.STRING,
  double: OnnxDataType.DOUBLE,
  int32: OnnxDataType.INT32,
};

function encodeValueInfo(v: OnnxValueInfo): Record<string, unknown> {
  const dim = v.shape.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: toInt64(d, `'${v.name}' shape`) }));
  return { name: v.name, type: { tensor_type: { elem_type: ELEM_TYPE[v.elemType], shape: { dim } } } };
}

function encodeNode(n: OnnxNode): Record<string, unknown> {
  const node: Record<string, unknown> = {
    input: n.inputs,
    output: n.outputs,
    op_type: n.opType,
    attribute: (n.attributes ?? []).map(encodeAttribute),
  };
  if (n.name !== undefined) node.name = n.name;
  // An empty domain means ai.onnx; writing it explicitly is legal but omitting it matches what exporters emit.
  if (n.domain) node.domain = n.domain;
  return node;
}

/** Encode a graph description as ONNX ModelProto bytes. Throws on values that cannot be represented. */
export function encodeOnnxModel(spec: OnnxGraphSpec): Uint8Array {
  const opsets = spec.opsets ?? DEFAULT_OPSETS;
  const model: Record<string, unknown> = {
    ir_version: toInt64(spec.irVersion ?? DEFAULT_IR_VERSION, 'irVersion'),
    opset_import: Object.entries(opsets).map(([domain, version]) => ({ domain, version: toInt64(version, `opset '${domain}'`) })),
    graph: {
      name: spec.name,
      node: spec.nodes.map(encodeNode),
      initializer: (spec.initializers ?? []).map(encodeTensor),
      input: spec.inputs.map(encodeValueInfo),
      output: spec.outputs.map(encodeValueInfo),
    },
    metadata_props: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  if (spec.producerName !== undefined) model.producer_name = spec.producerName;
  if (spec.producerVersion !== undefined) model.producer_version = spec.producerVersion;
  if (spec.docString !== undefined) model.doc_string = spec.docString;

  const type = onnxModelType();
  // verify() catches a wrong-typed field here, rather than as a silent mis-encoding or an ORT parse failure.
  const problem = type.verify(model);
  if (problem) throw new TypeError(`ONNX model '${spec.name}': ${problem}`);
  return type.encode(model).finish();
}
