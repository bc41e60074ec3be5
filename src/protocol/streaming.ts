/**
 * Which operations stream their payload. The gateway must know before reading the body: a streaming input
 * (S3 PutObject, UploadPart) is handed to the service as `req.stream` and never buffered; a streaming output
 * (GetObject) is piped from a Readable.
 */
import type { BlobShape, Member, OperationModel, ServiceModel } from './schema.js';

/** The payload member of an input/output structure when it is a streaming blob. */
export function streamingPayload(model: ServiceModel, shapeName: string | undefined): { name: string; member: Member } | undefined {
  const shape = shapeName ? model.shapes[shapeName] : undefined;
  if (shape?.type !== 'structure' || !shape.payload) return undefined;
  const member = shape.members[shape.payload];
  const target = member ? model.shapes[member.shape] : undefined;
  return target?.type === 'blob' && (target as BlobShape).streaming ? { name: shape.payload, member } : undefined;
}

export function isStreamingInput(model: ServiceModel, op: OperationModel): boolean {
  return streamingPayload(model, op.input?.shape) !== undefined;
}

export function isStreamingOutput(model: ServiceModel, op: OperationModel): boolean {
  return streamingPayload(model, op.output?.shape) !== undefined;
}
