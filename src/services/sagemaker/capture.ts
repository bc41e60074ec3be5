import type { CaptureSettings } from '../../inference/types.js';
import { smErrors } from './errors.js';
import type { DataCaptureConfig, DataCaptureConfigSummary } from './model.js';

/**
 * DataCaptureConfig of CreateEndpointConfig (sagemaker-monitor.md §1.1): checked when the config is created, resolved
 * to CaptureSettings when an endpoint deploys it, summarized by DescribeEndpoint.
 */
const MODES = new Set(['Input', 'Output', 'InputAndOutput']);
/** AWS's pattern for CsvContentTypes / JsonContentTypes entries. */
const CONTENT_TYPE = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*\/[a-zA-Z0-9](-*[a-zA-Z0-9.])*$/;
const MAX_CONTENT_TYPES = 10;

const bad = (message: string) => smErrors.validation(`DataCaptureConfig: ${message}`);

export function checkCaptureConfig(c: DataCaptureConfig): void {
  const p = c.InitialSamplingPercentage;
  if (!Number.isInteger(p) || p < 0 || p > 100) throw bad(`InitialSamplingPercentage must be an integer from 0 to 100, got ${p}.`);
  if (!c.CaptureOptions?.length) throw bad('CaptureOptions must list at least one CaptureMode (Input, Output or InputAndOutput).');
  const seen = new Set<string>();
  for (const o of c.CaptureOptions) {
    if (!MODES.has(o.CaptureMode)) throw bad(`CaptureMode "${o.CaptureMode}" is not one of Input, Output, InputAndOutput.`);
    if (seen.has(o.CaptureMode)) throw bad(`CaptureMode "${o.CaptureMode}" is listed more than once.`);
    seen.add(o.CaptureMode);
  }
  checkDestination(c.DestinationS3Uri);
  for (const field of ['CsvContentTypes', 'JsonContentTypes'] as const) {
    const list = c.CaptureContentTypeHeader?.[field];
    if (list === undefined) continue;
    if (list.length < 1 || list.length > MAX_CONTENT_TYPES) throw bad(`CaptureContentTypeHeader.${field} must list 1 to ${MAX_CONTENT_TYPES} content types.`);
    const wrong = list.find((t) => t.length > 256 || !CONTENT_TYPE.test(t));
    if (wrong !== undefined) throw bad(`CaptureContentTypeHeader.${field} entry "${wrong}" is not a valid content type (type/subtype).`);
  }
}

/** Captured data goes to S3 through the gateway, so the destination must name a bucket in `s3://bucket/prefix` form. */
function checkDestination(uri: string): void {
  const m = /^s3:\/\/([^/]+)(\/.*)?$/.exec(uri ?? '');
  if (!m) throw bad(`DestinationS3Uri "${uri}" must be an S3 URI of the form s3://bucket/prefix.`);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(m[1])) throw bad(`DestinationS3Uri "${uri}" does not name a valid S3 bucket.`);
}

/** What the capture path needs at request time. EnableCapture defaults to true; the destination loses trailing slashes. */
export function captureSettings(c: DataCaptureConfig | undefined): CaptureSettings | undefined {
  if (!c) return undefined;
  const modes = new Set(c.CaptureOptions.map((o) => o.CaptureMode));
  return {
    enabled: c.EnableCapture ?? true,
    samplingPercentage: c.InitialSamplingPercentage,
    destinationS3Uri: c.DestinationS3Uri.replace(/\/+$/, ''),
    ...(c.KmsKeyId ? { kmsKeyId: c.KmsKeyId } : {}),
    captureInput: modes.has('Input') || modes.has('InputAndOutput'),
    captureOutput: modes.has('Output') || modes.has('InputAndOutput'),
    csvContentTypes: c.CaptureContentTypeHeader?.CsvContentTypes ?? [],
    jsonContentTypes: c.CaptureContentTypeHeader?.JsonContentTypes ?? [],
  };
}

/** DescribeEndpoint's DataCaptureConfig. KmsKeyId is left out when none was configured (capture then uses the managed key). */
export function captureSummary(c: DataCaptureConfig | undefined): DataCaptureConfigSummary | undefined {
  if (!c) return undefined;
  const enabled = c.EnableCapture ?? true;
  const summary = {
    EnableCapture: enabled,
    CaptureStatus: enabled ? 'Started' : 'Stopped',
    CurrentSamplingPercentage: c.InitialSamplingPercentage,
    DestinationS3Uri: c.DestinationS3Uri,
    ...(c.KmsKeyId ? { KmsKeyId: c.KmsKeyId } : {}),
  };
  return summary as DataCaptureConfigSummary;
}
