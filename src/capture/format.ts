import { randomUUID } from 'node:crypto';
import type { CaptureSettings, InvokeRequest, InvokeResult } from '../inference/types.js';

/** What InvokeEndpoint knows about one request beyond its bytes. */
export interface CaptureMeta {
  /** Given by tests; otherwise a UUID is drawn only for a record that is actually sampled (not per request). */
  eventId?: string;
  inferenceTime: Date;
  /** InvokeEndpoint's InferenceId, when the caller gave one (the ground-truth merge joins on it). */
  inferenceId?: string;
  /** The request's X-Amzn-SageMaker-Custom-Attributes, when given (Model Monitor's record reads it). */
  customAttributes?: string;
}

export type CaptureEncoding = 'CSV' | 'JSON' | 'BASE64';

/**
 * The parts of CaptureSettings the hot path consults per record, precomputed once per deployment: content
 * types lower-cased into sets so choosing an encoding is a lookup, not a scan of the configured lists.
 */
export interface CaptureFormat {
  captureInput: boolean;
  captureOutput: boolean;
  csv: ReadonlySet<string>;
  json: ReadonlySet<string>;
}

export function captureFormat(s: CaptureSettings): CaptureFormat {
  const lower = (xs: string[]) => new Set(xs.map((x) => x.trim().toLowerCase()));
  return { captureInput: s.captureInput, captureOutput: s.captureOutput, csv: lower(s.csvContentTypes), json: lower(s.jsonContentTypes) };
}

/**
 * CSV or JSON when the media type (parameters stripped, case-insensitive) is configured as such, else BASE64:
 * "If no headers are specified SageMaker AI will by default base64 encode when capturing the data."
 */
export function encodingFor(contentType: string, f: CaptureFormat): CaptureEncoding {
  const semi = contentType.indexOf(';');
  const media = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (f.csv.has(media)) return 'CSV';
  if (f.json.has(media)) return 'JSON';
  return 'BASE64';
}

let cachedSecond = Number.NaN;
let cachedText = '';

/**
 * `YYYY-MM-DDTHH:MM:SSZ`: UTC, second precision, as Model Monitor's records carry it. Consecutive records mostly
 * share a second, and toISOString is a fifth of a record's formatting cost: the last result is reused.
 */
export function inferenceTimeText(t: Date): string {
  const second = Math.floor(t.getTime() / 1000);
  if (second !== cachedSecond) {
    cachedText = `${t.toISOString().slice(0, 19)}Z`;
    cachedSecond = second;
  }
  return cachedText;
}

interface Payload {
  observedContentType: string;
  mode: 'INPUT' | 'OUTPUT';
  data: string;
  encoding: CaptureEncoding;
}

function payload(mode: 'INPUT' | 'OUTPUT', contentType: string, body: Buffer, f: CaptureFormat): Payload {
  const encoding = encodingFor(contentType, f);
  // CSV and JSON are carried as text (the raw body as a string); anything else as base64 of the bytes.
  const data = encoding === 'BASE64' ? body.toString('base64') : body.toString('utf8');
  return { observedContentType: contentType, mode, data, encoding };
}

/**
 * One captured record as one JSON line (spec §1.3), members in the order SageMaker writes them. Returns
 * undefined when the configured modes leave nothing to capture (Output only, and the invocation failed).
 * A failed invocation (`res` undefined) is captured as input only: there is no model output to record.
 */
export function formatRecord(f: CaptureFormat, req: InvokeRequest, res: InvokeResult | undefined, meta: CaptureMeta): string | undefined {
  const captureData: { endpointInput?: Payload; endpointOutput?: Payload } = {};
  if (f.captureInput) captureData.endpointInput = payload('INPUT', req.contentType, req.body, f);
  if (f.captureOutput && res) captureData.endpointOutput = payload('OUTPUT', res.contentType, res.body, f);
  if (!captureData.endpointInput && !captureData.endpointOutput) return undefined;
  // Built member by member so the optional ones sit where SageMaker puts them (eventId, inferenceId, inferenceTime).
  const eventMetadata: Record<string, string> = { eventId: meta.eventId ?? randomUUID() };
  if (meta.inferenceId !== undefined) eventMetadata.inferenceId = meta.inferenceId;
  eventMetadata.inferenceTime = inferenceTimeText(meta.inferenceTime);
  if (meta.customAttributes !== undefined) eventMetadata.customAttributes = meta.customAttributes;
  return JSON.stringify({ captureData, eventMetadata, eventVersion: '0' });
}
