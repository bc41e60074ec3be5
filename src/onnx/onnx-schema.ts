/**
 * The subset of the ONNX protobuf schema (onnx.proto, IR version 8) that Vigil writes, as a protobufjs JSON
 * descriptor. Field numbers and wire types follow the official schema so any ONNX reader (onnxruntime, the
 * Python `onnx` package) decodes our bytes; messages and fields we never emit (training info, functions, sparse
 * tensors, sequence/map types, external data) are simply left out — unknown-to-us is fine for a writer.
 *
 * onnx.proto is proto2: repeated scalars are unpacked unless marked `[packed = true]`, which onnx.proto does
 * only for the TensorProto data arrays. We mirror that so our encoding is byte-for-byte what protoc would emit.
 */
import protobuf from 'protobufjs';

/** TensorProto.DataType values we use (onnx.proto numbering). */
export const OnnxDataType = { FLOAT: 1, INT32: 6, INT64: 7, STRING: 8, DOUBLE: 11 } as const;

/** AttributeProto.AttributeType values we use (onnx.proto numbering). */
export const OnnxAttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

const packed = { packed: true } as const;

const descriptor: protobuf.INamespace = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          nested: {
            AttributeType: {
              values: {
                UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
                TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
              },
            },
          },
          fields: {
            name: { id: 1, type: 'string' },
            doc_string: { id: 13, type: 'string' },
            type: { id: 20, type: 'AttributeType' },
            f: { id: 2, type: 'float' },
            i: { id: 3, type: 'int64' },
            s: { id: 4, type: 'bytes' },
            t: { id: 5, type: 'TensorProto' },
            floats: { id: 7, rule: 'repeated', type: 'float' },
            ints: { id: 8, rule: 'repeated', type: 'int64' },
            strings: { id: 9, rule: 'repeated', type: 'bytes' },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { id: 1, type: 'string' },
            type: { id: 2, type: 'TypeProto' },
            doc_string: { id: 3, type: 'string' },
          },
        },
        NodeProto: {
          fields: {
            input: { id: 1, rule: 'repeated', type: 'string' },
            output: { id: 2, rule: 'repeated', type: 'string' },
            name: { id: 3, type: 'string' },
            op_type: { id: 4, type: 'string' },
            domain: { id: 7, type: 'string' },
            attribute: { id: 5, rule: 'repeated', type: 'AttributeProto' },
            doc_string: { id: 6, type: 'string' },
          },
        },
        ModelProto: {
          fields: {
            ir_version: { id: 1, type: 'int64' },
            opset_import: { id: 8, rule: 'repeated', type: 'OperatorSetIdProto' },
            producer_name: { id: 2, type: 'string' },
            producer_version: { id: 3, type: 'string' },
            domain: { id: 4, type: 'string' },
            model_version: { id: 5, type: 'int64' },
            doc_string: { id: 6, type: 'string' },
            graph: { id: 7, type: 'GraphProto' },
            metadata_props: { id: 14, rule: 'repeated', type: 'StringStringEntryProto' },
          },
        },
        StringStringEntryProto: {
          fields: {
            key: { id: 1, type: 'string' },
            value: { id: 2, type: 'string' },
          },
        },
        GraphProto: {
          fields: {
            node: { id: 1, rule: 'repeated', type: 'NodeProto' },
            name: { id: 2, type: 'string' },
            initializer: { id: 5, rule: 'repeated', type: 'TensorProto' },
            doc_string: { id: 10, type: 'string' },
            input: { id: 11, rule: 'repeated', type: 'ValueInfoProto' },
            output: { id: 12, rule: 'repeated', type: 'ValueInfoProto' },
            value_info: { id: 13, rule: 'repeated', type: 'ValueInfoProto' },
          },
        },
        TensorProto: {
          fields: {
            dims: { id: 1, rule: 'repeated', type: 'int64' },
            data_type: { id: 2, type: 'int32' }, // int32 in onnx.proto too (values from TensorProto.DataType)
            float_data: { id: 4, rule: 'repeated', type: 'float', options: packed },
            int32_data: { id: 5, rule: 'repeated', type: 'int32', options: packed },
            string_data: { id: 6, rule: 'repeated', type: 'bytes' },
            int64_data: { id: 7, rule: 'repeated', type: 'int64', options: packed },
            name: { id: 8, type: 'string' },
            doc_string: { id: 12, type: 'string' },
            raw_data: { id: 9, type: 'bytes' },
            double_data: { id: 10, rule: 'repeated', type: 'double', options: packed },
          },
        },
        TensorShapeProto: {
          fields: {
            dim: { id: 1, rule: 'repeated', type: 'Dimension' },
          },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dim_value', 'dim_param'] } },
              fields: {
                dim_value: { id: 1, type: 'int64' },
                dim_param: { id: 2, type: 'string' },
                denotation: { id: 3, type: 'string' },
              },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensor_type'] } },
          fields: {
            tensor_type: { id: 1, type: 'Tensor' },
            denotation: { id: 6, type: 'string' },
          },
          nested: {
            Tensor: {
              fields: {
                elem_type: { id: 1, type: 'int32' },
                shape: { id: 2, type: 'TensorShapeProto' },
              },
            },
          },
        },
        OperatorSetIdProto: {
          fields: {
            domain: { id: 1, type: 'string' },
            version: { id: 2, type: 'int64' },
          },
        },
      },
    },
  },
};

let modelType: protobuf.Type | undefined;

/** The resolved `onnx.ModelProto` type, built once on first use. */
export function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(descriptor).resolveAll().lookupType('onnx.ModelProto');
  return modelType;
}
