import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ROLE, deployEcho, expectError, smHarness } from './testing.js';

describe('List operations', () => {
  withEachBackend((_name, open) => {
    it('ListEndpoints filters, sorts and pages as AWS does', async () => {
      const h = await smHarness(await open());
      h.runtimes.failing.set('broken', 'no');
      const t0 = h.clock.now();
      for (const name of ['beta', 'Alpha', 'gamma']) {
        h.clock.advance(60);
        await deployEcho(h, name, { image: name === 'gamma' ? 'broken' : undefined });
        await h.waitFor(name, ['InService', 'Failed']);
      }
      const names = async (input: Record<string, unknown>) => (await h.call('ListEndpoints', input)).Endpoints.map((e: { EndpointName: string }) => e.EndpointName);
      expect(await names({})).toEqual(['gamma', 'Alpha', 'beta']);
      expect(await names({ SortBy: 'Name', SortOrder: 'Ascending' })).toEqual(['Alpha', 'beta', 'gamma']);
      expect(await names({ SortBy: 'Status', SortOrder: 'Ascending' })).toEqual(['gamma', 'Alpha', 'beta']);
      expect(await names({ StatusEquals: 'InService', SortBy: 'Name' })).toEqual(['beta', 'Alpha']);
      expect(await names({ NameContains: 'ALP' })).toEqual(['Alpha']);
      expect(await names({ CreationTimeAfter: new Date(t0.getTime() + 90_000), CreationTimeBefore: new Date(t0.getTime() + 150_000) })).toEqual(['Alpha']);
      expect(await names({ LastModifiedTimeBefore: new Date(t0.getTime() + 90_000) })).toEqual(['beta']);

      const first = await h.call('ListEndpoints', { SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 2 });
      expect(first.Endpoints.map((e: { EndpointName: string }) => e.EndpointName)).toEqual(['Alpha', 'beta']);
      expect(first.Endpoints[0]).toMatchObject({ EndpointStatus: 'InService', CreationTime: expect.any(Date), LastModifiedTime: expect.any(Date) });
      const second = await h.call('ListEndpoints', { SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 2, NextToken: first.NextToken });
      expect(second.Endpoints.map((e: { EndpointName: string }) => e.EndpointName)).toEqual(['gamma']);
      expect(second.NextToken).toBeUndefined();
      await expectError(h.call('ListEndpoints', { SortBy: 'CreationTime', NextToken: first.NextToken }), 'ValidationException', /pagination token/);
      await expectError(h.call('ListEndpoints', { MaxResults: 101 }), 'ValidationException', /maxResults|MaxResults/);
    });

    it('ListModels and ListEndpointConfigs page and filter by name and creation time', async () => {
      const h = await smHarness(await open());
      for (let n = 0; n < 12; n++) {
        h.clock.advance(1);
        await h.call('CreateModel', { ModelName: `m-${String(n).padStart(2, '0')}`, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'x' } });
      }
      const page1 = await h.call('ListModels', {});
      expect(page1.Models).toHaveLength(10);
      expect(page1.Models[0].ModelName).toBe('m-11');
      const page2 = await h.call('ListModels', { NextToken: page1.NextToken });
      expect(page2.Models.map((m: { ModelName: string }) => m.ModelName)).toEqual(['m-01', 'm-00']);
      expect((await h.call('ListModels', { NameContains: '-1', SortBy: 'Name', SortOrder: 'Ascending' })).Models.map((m: { ModelName: string }) => m.ModelName))
        .toEqual(['m-10', 'm-11']);
      await h.call('CreateEndpointConfig', { EndpointConfigName: 'cfg-a', ProductionVariants: [{ VariantName: 'v', ModelName: 'm-00', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }] });
      const configs = await h.call('ListEndpointConfigs', { NameContains: 'cfg' });
      expect(configs.EndpointConfigs).toEqual([{ EndpointConfigName: 'cfg-a', EndpointConfigArn: expect.stringMatching(/endpoint-config\/cfg-a$/), CreationTime: expect.any(Date) }]);
      // Other regions have their own resources.
      expect((await h.call('ListModels', {}, undefined, { region: 'eu-west-1' })).Models).toEqual([]);
    });
  });
});
