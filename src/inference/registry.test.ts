import { describe, expect, it } from 'vitest';
import { EndpointRegistry } from './registry.js';
import type { LiveEndpoint, ModelRuntime } from './types.js';

function runtime(): ModelRuntime & { closed: boolean } {
  const r = {
    kind: 'test', closed: false,
    invoke: async () => ({ body: Buffer.alloc(0), contentType: 'text/csv' }),
    close: async () => { r.closed = true; },
  };
  return r;
}

const deployment = (config: string, ...runtimes: ModelRuntime[]): LiveEndpoint => ({
  accountId: '123456789012', region: 'us-east-1', name: 'fraud', arn: 'arn', configName: config,
  variants: runtimes.map((rt, k) => ({ name: `V${k}`, modelName: 'm', executionRoleArn: 'r', weight: 1, instanceCount: 1, runtime: rt })),
});

describe('EndpointRegistry', () => {
  it('swaps deployments atomically; a request in flight keeps the old one until it releases', async () => {
    const reg = new EndpointRegistry();
    const oldRt = runtime();
    await reg.put(deployment('c1', oldRt));
    const lease = reg.acquire('123456789012', 'us-east-1', 'fraud')!;
    const newRt = runtime();
    const swapped = reg.put(deployment('c2', newRt));
    expect(reg.get('123456789012', 'us-east-1', 'fraud')!.configName).toBe('c2');
    expect(lease.endpoint.configName).toBe('c1');
    expect(oldRt.closed).toBe(false);
    lease.release();
    lease.release(); // idempotent
    await swapped;
    expect(oldRt.closed).toBe(true);
    expect(newRt.closed).toBe(false);
  });

  it('keeps a runtime that the successor reuses (weights update) open', async () => {
    const reg = new EndpointRegistry();
    const rt = runtime();
    await reg.put(deployment('c1', rt));
    await reg.put(deployment('c1', rt));
    expect(rt.closed).toBe(false);
  });

  it('removes endpoints and closes everything at shutdown', async () => {
    const reg = new EndpointRegistry();
    const a = runtime();
    await reg.put(deployment('c1', a));
    expect(reg.acquire('123456789012', 'us-east-1', 'other')).toBeUndefined();
    await reg.remove('123456789012', 'us-east-1', 'fraud');
    expect(a.closed).toBe(true);
    expect(reg.get('123456789012', 'us-east-1', 'fraud')).toBeUndefined();
    const b = runtime();
    await reg.put(deployment('c1', b));
    await reg.closeAll();
    expect(b.closed).toBe(true);
    expect(reg.list()).toHaveLength(0);
  });
});

describe('EndpointRegistry runtime sharing', () => {
  it('closes a runtime shared by a weights update only after every slot holding it has drained', async () => {
    const reg = new EndpointRegistry();
    const shared = runtime();
    await reg.put(deployment('c1', shared));
    const old = reg.acquire('123456789012', 'us-east-1', 'fraud')!;
    void reg.put(deployment('c1', shared)); // new weights, same runtime
    const removed = reg.remove('123456789012', 'us-east-1', 'fraud');
    await removed;
    expect(shared.closed).toBe(false); // the first slot's request is still running on it
    old.release();
    await new Promise((r) => setImmediate(r));
    expect(shared.closed).toBe(true);
  });

  it('finds endpoints whatever the case of the name', async () => {
    const reg = new EndpointRegistry();
    await reg.put({ ...deployment('c1', runtime()), name: 'Fraud' });
    const lease = reg.acquire('123456789012', 'us-east-1', 'fraud');
    expect(lease?.endpoint.name).toBe('Fraud');
    lease?.release();
    await reg.remove('123456789012', 'us-east-1', 'FRAUD');
    expect(reg.get('123456789012', 'us-east-1', 'Fraud')).toBeUndefined();
  });
});
