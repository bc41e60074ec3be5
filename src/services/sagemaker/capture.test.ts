import { describe, expect, it } from 'vitest';
import { captureSettings, captureSummary, checkCaptureConfig } from './capture.js';

describe('DataCaptureConfig', () => {
  const base = { InitialSamplingPercentage: 20, DestinationS3Uri: 's3://bucket/prefix//', CaptureOptions: [{ CaptureMode: 'InputAndOutput' as const }] };

  it('resolves to capture settings: enabled by default, trailing slashes dropped, InputAndOutput captures both', () => {
    expect(captureSettings(base)).toEqual({
      enabled: true, samplingPercentage: 20, destinationS3Uri: 's3://bucket/prefix', captureInput: true, captureOutput: true,
      csvContentTypes: [], jsonContentTypes: [],
    });
    const s = captureSettings({ ...base, EnableCapture: false, KmsKeyId: 'alias/cap', CaptureOptions: [{ CaptureMode: 'Output' }],
      CaptureContentTypeHeader: { JsonContentTypes: ['application/json'] } });
    expect(s).toMatchObject({ enabled: false, kmsKeyId: 'alias/cap', captureInput: false, captureOutput: true, jsonContentTypes: ['application/json'] });
    expect(captureSettings(undefined)).toBeUndefined();
  });

  it('summarizes as DescribeEndpoint does', () => {
    expect(captureSummary(base)).toEqual({ EnableCapture: true, CaptureStatus: 'Started', CurrentSamplingPercentage: 20, DestinationS3Uri: 's3://bucket/prefix//' });
    expect(captureSummary({ ...base, EnableCapture: false })?.CaptureStatus).toBe('Stopped');
  });

  it('rejects bad modes, sampling and destinations', () => {
    expect(() => checkCaptureConfig({ ...base, CaptureOptions: [{ CaptureMode: 'Both' as never }] })).toThrow(/not one of Input, Output, InputAndOutput/);
    expect(() => checkCaptureConfig({ ...base, CaptureOptions: [] })).toThrow(/at least one CaptureMode/);
    expect(() => checkCaptureConfig({ ...base, InitialSamplingPercentage: 2.5 })).toThrow(/integer from 0 to 100/);
    expect(() => checkCaptureConfig({ ...base, DestinationS3Uri: 's3://A_B/x' })).toThrow(/valid S3 bucket/);
    expect(() => checkCaptureConfig(base)).not.toThrow();
  });
});
