/** Test helpers for the live profiler (imported by tests only). */
import type { Logger } from 'pino';
import { vi } from 'vitest';
import type { CaptureSettings, InvokeRequest, LiveEndpoint, LiveVariant } from '../../inference/types.js';
import { mulberry32, standardNormal } from '../../util/prng.js';

export const T0 = Date.parse('2024-05-01T10:00:00Z');
export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

export function silentLog(): Logger & { warn: ReturnType<typeof vi.fn> } {
  return { warn: vi.fn(), info: vi.fn(), error: vi.fn(), debug: vi.fn() } as unknown as Logger & { warn: ReturnType<typeof vi.fn> };
}

export function clockAt(ms: number) {
  let t = ms;
  return { now: () => new Date(t), set: (x: number) => { t = x; }, advance: (d: number) => { t += d; }, get ms() { return t; } };
}

export function captureSettings(over: Partial<CaptureSettings> = {}): CaptureSettings {
  return {
    enabled: true, samplingPercentage: 10, destinationS3Uri: 's3://bucket/capture', captureInput: true, captureOutput: true,
    csvContentTypes: ['text/csv'], jsonContentTypes: ['application/json'], ...over,
  };
}

export function variant(name = 'AllTraffic'): LiveVariant {
  const runtime = { kind: 'onnx', invoke: () => Promise.reject(new Error('unused')), close: () => Promise.resolve() };
  return { name, modelName: 'm', executionRoleArn: 'arn:aws:iam::111122223333:role/r', weight: 1, instanceCount: 1, runtime };
}

export function endpoint(variants: LiveVariant[] = [variant()], capture: CaptureSettings | undefined = captureSettings(), name = 'fraud'): LiveEndpoint {
  return {
    accountId: ACCOUNT, region: REGION, name, arn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${name}`, configName: 'cfg',
    variants, capture,
  };
}

export const csv = (body: string, contentType = 'text/csv'): InvokeRequest => ({ body: Buffer.from(body), contentType });
export const json = (v: unknown, contentType = 'application/json'): InvokeRequest => ({ body: Buffer.from(JSON.stringify(v)), contentType });

/** Deterministic PRNG (mulberry32) and a standard normal from it. */
export function rng(seed: number) {
  const uniform = mulberry32(seed);
  return { uniform, normal: () => standardNormal(uniform) };
}
