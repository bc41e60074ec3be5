import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ACCOUNT, REGION, ROLE, deployEcho, expectError, smHarness, type SmHarness } from './testing.js';

async function config(h: SmHarness, name: string, image: string, variants = ['AllTraffic']): Promise<void> {
  await h.call('CreateModel', { ModelName: `${name}-model`, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: image } });
  await h.call('CreateEndpointConfig', {
    EndpointConfigName: name,
    ProductionVariants: variants.map((v) => ({ VariantName: v, ModelName: `${name}-model`, InitialInstanceCount: 2, InstanceType: 'ml.m5.large', InitialVariantWeight: 3 })),
  });
}

describe('UpdateEndpoint and UpdateEndpointWeightsAndCapacities', () => {
  withEachBackend((_name, open) => {
    it('switches to a new config atomically; requests in flight finish on the old deployment', async () => {
      const h = await smHarness(await open());
      await deployEcho(h, 'ep');
      await h.waitFor('ep', ['InService']);
      await config(h, 'v2', 'image-v2');
      const inFlight = h.registry.acquire(ACCOUNT, REGION, 'ep')!;
      const release = h.runtimes.hold();
      const out = await h.call('UpdateEndpoint', { EndpointName: 'ep', EndpointConfigName: 'v2',
        DeploymentConfig: { BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 } } } });
      expect(out.EndpointArn).toBe(`arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/ep`);
      const updating = await h.call('DescribeEndpoint', { EndpointName: 'ep' });
      expect(updating).toMatchObject({ EndpointStatus: 'Updating', EndpointConfigName: 'ep-config', PendingDeploymentSummary: { EndpointConfigName: 'v2' } });
      await expectError(h.call('UpdateEndpoint', { EndpointName: 'ep', EndpointConfigName: 'v2' }), 'ValidationException',
        `Cannot update in-progress endpoint "arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/ep".`);
      expect(h.registry.get(ACCOUNT, REGION, 'ep')!.configName).toBe('ep-config');
      release();
      const d = await h.waitFor('ep', ['InService']);
      expect(d).toMatchObject({ EndpointConfigName: 'v2', LastDeploymentConfig: { BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE' } } } });
      expect(d.ProductionVariants[0]).toMatchObject({ CurrentWeight: 3, CurrentInstanceCount: 2, DeployedImages: [{ SpecifiedImage: 'image-v2' }] });
      expect(h.registry.get(ACCOUNT, REGION, 'ep')!.configName).toBe('v2');
      // The old deployment is still usable by its lease, and closes once released.
      expect((await inFlight.endpoint.variants[0].runtime.invoke({ body: Buffer.from('z'), contentType: 't' })).body.toString()).toBe('ep/AllTraffic|vigil/echo|z');
      expect(h.runtimes.closes).toBe(0);
      inFlight.release();
      await h.sm.close();
      expect(h.runtimes.closes).toBe(1);
    });

    it('a failed update goes back to InService on the old config with the FailureReason', async () => {
      const h = await smHarness(await open());
      await deployEcho(h, 'ep');
      await h.waitFor('ep', ['InService']);
      await config(h, 'bad', 'broken');
      h.runtimes.failing.set('broken', 'cannot start');
      await h.call('UpdateEndpoint', { EndpointName: 'ep', EndpointConfigName: 'bad' });
      await h.sm.close();
      const d = await h.call('DescribeEndpoint', { EndpointName: 'ep' });
      expect(d).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'ep-config' });
      expect(d.FailureReason).toMatch(/Production variant "AllTraffic": failed to load model "bad-model": cannot start/);
      expect(h.registry.get(ACCOUNT, REGION, 'ep')!.configName).toBe('ep-config');
      // A later successful update clears the reason.
      await config(h, 'good', 'image-good');
      await h.call('UpdateEndpoint', { EndpointName: 'ep', EndpointConfigName: 'good' });
      const ok = await h.waitFor('ep', ['InService']);
      expect(ok.FailureReason).toBeUndefined();
      expect(ok.EndpointConfigName).toBe('good');
    });

    it('changes weights and instance counts without reloading models', async () => {
      const h = await smHarness(await open());
      await config(h, 'two', 'img', ['A', 'B']);
      await h.call('CreateEndpoint', { EndpointName: 'ab', EndpointConfigName: 'two' });
      await h.waitFor('ab', ['InService']);
      const before = h.registry.get(ACCOUNT, REGION, 'ab')!;
      expect(h.runtimes.loads).toBe(2);
      await h.call('UpdateEndpointWeightsAndCapacities', { EndpointName: 'ab', DesiredWeightsAndCapacities: [{ VariantName: 'B', DesiredWeight: 0, DesiredInstanceCount: 5 }] });
      const after = h.registry.get(ACCOUNT, REGION, 'ab')!;
      expect(after).not.toBe(before);
      expect(after.variants.map((v) => [v.name, v.weight, v.instanceCount])).toEqual([['A', 3, 2], ['B', 0, 5]]);
      expect(after.variants.map((v) => v.runtime)).toEqual(before.variants.map((v) => v.runtime));
      const d = await h.call('DescribeEndpoint', { EndpointName: 'ab' });
      expect(d.ProductionVariants[1]).toMatchObject({ VariantName: 'B', CurrentWeight: 0, DesiredInstanceCount: 5 });
      await h.sm.close();
      expect([h.runtimes.loads, h.runtimes.closes]).toEqual([2, 0]);
      await expectError(h.call('UpdateEndpointWeightsAndCapacities', { EndpointName: 'ab', DesiredWeightsAndCapacities: [{ VariantName: 'C', DesiredWeight: 1 }] }),
        'ValidationException', /variant name "C" is not present/);

      // RetainAllVariantProperties keeps B's weight and count across an update; excluded properties come from the config.
      await h.call('UpdateEndpoint', { EndpointName: 'ab', EndpointConfigName: 'two', RetainAllVariantProperties: true,
        ExcludeRetainedVariantProperties: [{ VariantPropertyType: 'DesiredInstanceCount' }] });
      const kept = await h.waitFor('ab', ['InService']);
      expect(kept.ProductionVariants[1]).toMatchObject({ CurrentWeight: 0, CurrentInstanceCount: 2 });
    });
  });
});
