export { CaptureWriter, type CaptureMeta, type CaptureStats, type CaptureWriterOptions } from './writer.js';
export { formatRecord, encodingFor, inferenceTimeText, captureFormat, type CaptureEncoding, type CaptureFormat } from './format.js';
export { parseDestination, captureObjectKey, type CaptureDestination } from './destination.js';
