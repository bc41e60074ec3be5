import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ACCOUNT, REGION, deployEcho, smHarness } from './testing.js';

async function until(check: () => boolean): Promise<void> {
  for (let n = 0; n < 400 && !check(); n++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('condition not reached');
}

describe('SageMaker replicas and restarts', () => {
  withEachBackend((name, open, backend) => {
    it('restore() serves every InService endpoint again after a restart, from the snapshot', async () => {
      const loc = await backend.location();
      const h = await smHarness(await backend.openAt(loc));
      await deployEcho(h, 'ep1');
      await h.waitFor('ep1', ['InService']);
      await h.call('UpdateEndpointWeightsAndCapacities', { EndpointName: 'ep1', DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredWeight: 7 }] });
      await h.call('DeleteEndpointConfig', { EndpointConfigName: 'ep1-config' });
      await h.call('DeleteModel', { ModelName: 'ep1-model' });
      await h.sm.close();
      // The process restarts: a new service instance with an empty registry over the same database.
      const after = h.replica(await backend.openAt(loc));
      expect(after.registry.get(ACCOUNT, REGION, 'ep1')).toBeUndefined();
      await after.sm.restore([ACCOUNT]);
      const live = after.registry.get(ACCOUNT, REGION, 'ep1')!;
      expect(live.variants.map((v) => [v.name, v.weight])).toEqual([['AllTraffic', 7]]);
      expect((await live.variants[0].runtime.invoke({ body: Buffer.from('q'), contentType: 't' })).body.toString()).toBe('ep1/AllTraffic|vigil/echo|q');
      await after.sm.close();
    });

    it('restore() settles deployments a restart interrupted (single process: SQLite)', async () => {
      const h = await smHarness(await open());
      const release = h.runtimes.hold();
      await deployEcho(h, 'stuck');
      // Another instance starts while the first is still deploying: not its deployment, but not orphaned on PostgreSQL yet.
      const other = h.replica();
      await other.sm.restore([ACCOUNT]);
      const d = await h.call('DescribeEndpoint', { EndpointName: 'stuck' });
      if (name === 'sqlite') {
        expect(d).toMatchObject({ EndpointStatus: 'Failed', FailureReason: 'The deployment of endpoint configuration "stuck-config" was interrupted by a server restart.' });
      } else {
        expect(d.EndpointStatus).toBe('Creating');
      }
      release();
      await h.sm.close();
      await other.sm.close();
    });

    it('other replicas follow creates, weight changes, updates and deletes through the change bus', async () => {
      const loc = await backend.location();
      const stateA = await backend.openAt(loc);
      const h = await smHarness(stateA);
      // SQLite is one process (one change bus); PostgreSQL replicas each have their own connection and LISTEN.
      const b = h.replica(name === 'sqlite' ? stateA : await backend.openAt(loc));
      await deployEcho(h, 'shared');
      await h.waitFor('shared', ['InService']);
      await until(() => b.registry.get(ACCOUNT, REGION, 'shared') !== undefined);
      expect(b.registry.get(ACCOUNT, REGION, 'shared')!.configName).toBe('shared-config');
      expect(b.runtimes.loads).toBe(1);

      await h.call('UpdateEndpointWeightsAndCapacities', { EndpointName: 'shared', DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 3 }] });
      await until(() => b.registry.get(ACCOUNT, REGION, 'shared')!.variants[0].instanceCount === 3);
      expect(b.runtimes.loads).toBe(1); // weights only: B reused its runtime too

      await h.call('AddTags', { ResourceArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/shared`, Tags: [{ Key: 'k', Value: 'v' }] });
      await until(() => b.sm.endpointTags(ACCOUNT, REGION, 'shared')?.k === 'v');

      await h.call('CreateEndpointConfig', { EndpointConfigName: 'v2', ProductionVariants: [{ VariantName: 'New', ModelName: 'shared-model', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }] });
      await h.call('UpdateEndpoint', { EndpointName: 'shared', EndpointConfigName: 'v2' });
      await h.waitFor('shared', ['InService']);
      await until(() => b.registry.get(ACCOUNT, REGION, 'shared')?.configName === 'v2');
      expect(b.registry.get(ACCOUNT, REGION, 'shared')!.variants[0].name).toBe('New');

      await h.call('DeleteEndpoint', { EndpointName: 'shared' });
      await until(() => b.registry.get(ACCOUNT, REGION, 'shared') === undefined);
      // Replica B never wrote a status: A's record history is the only writer's.
      await h.sm.close();
      await b.sm.close();
      expect(b.runtimes.closes).toBe(b.runtimes.loads);
    });

    it('after missed notifications, a replica reconciles what it serves and what it knows of', async () => {
      const h = await smHarness(await open());
      const b = h.replica();
      await b.sm.restore([ACCOUNT]);
      await deployEcho(h, 'late');
      await h.waitFor('late', ['InService']);
      await until(() => b.registry.get(ACCOUNT, REGION, 'late') !== undefined);
      // Simulate a lost notification: remove B's copy behind its back, then signal missed changes.
      await b.registry.remove(ACCOUNT, REGION, 'late');
      await h.state.changes.publish('*', '');
      await until(() => b.registry.get(ACCOUNT, REGION, 'late') !== undefined);
      await h.sm.close();
      await b.sm.close();
    });
  });
});
