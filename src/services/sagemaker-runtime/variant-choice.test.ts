import { describe, expect, it } from 'vitest';
import type { LiveEndpoint, LiveVariant, ModelRuntime } from '../../inference/types.js';
import { chooseVariant } from './variant-choice.js';

const runtime: ModelRuntime = { kind: 'test', invoke: async () => ({ body: Buffer.alloc(0), contentType: 'text/csv' }), close: async () => undefined };
const variant = (name: string, weight: number): LiveVariant => ({ name, modelName: 'm', executionRoleArn: 'r', weight, instanceCount: 1, runtime });
const endpoint = (...variants: LiveVariant[]): LiveEndpoint =>
  ({ accountId: '123456789012', region: 'us-east-1', name: 'fraud', arn: 'arn', configName: 'c', variants });

describe('chooseVariant', () => {
  it('routes by weight: shares within 4σ of the configured split', () => {
    const ep = endpoint(variant('A', 3), variant('B', 1), variant('Off', 0));
    const n = 20_000;
    let a = 0;
    for (let k = 0; k < n; k++) {
      const v = chooseVariant(ep, undefined).name;
      expect(v).not.toBe('Off');
      if (v === 'A') a++;
    }
    const sigma = Math.sqrt(n * 0.75 * 0.25);
    expect(Math.abs(a - n * 0.75)).toBeLessThan(4 * sigma);
  });

  it('honours TargetVariant, even one with weight 0', () => {
    const ep = endpoint(variant('A', 1), variant('Shadow', 0));
    expect(chooseVariant(ep, 'Shadow').name).toBe('Shadow');
  });

  it('rejects an unknown TargetVariant and an endpoint without traffic', () => {
    expect(() => chooseVariant(endpoint(variant('A', 1)), 'B')).toThrow(/Variant B not found for endpoint fraud/);
    expect(() => chooseVariant(endpoint(variant('A', 0)), undefined)).toThrow(/no production variant with a positive weight/);
  });

  it('maps the edges of the random draw onto variants with traffic', () => {
    const ep = endpoint(variant('A', 1), variant('B', 1));
    expect(chooseVariant(ep, undefined, () => 0).name).toBe('A');
    expect(chooseVariant(ep, undefined, () => 0.9999999999).name).toBe('B');
  });
});
