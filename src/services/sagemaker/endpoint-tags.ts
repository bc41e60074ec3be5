import type { EndpointRegistry } from '../../inference/registry.js';

/**
 * Tags of the endpoints a registry serves, kept in memory for sagemaker:ResourceTag/* and aws:ResourceTag/* on
 * InvokeEndpoint (the request path never reads the database). Filled when a deployment is installed and refreshed on
 * every endpoint change notification, so tag changes made on any replica reach every replica.
 */
const indexes = new WeakMap<EndpointRegistry, Map<string, Record<string, string>>>();

const keyOf = (accountId: string, region: string, name: string): string => `${accountId}/${region}/${name.toLowerCase()}`;

export function tagIndex(registry: EndpointRegistry): Map<string, Record<string, string>> {
  let index = indexes.get(registry);
  if (!index) {
    index = new Map();
    indexes.set(registry, index);
  }
  return index;
}

export function setEndpointTags(registry: EndpointRegistry, accountId: string, region: string, name: string,
  tags: { Key: string; Value: string }[] | undefined): void {
  const index = tagIndex(registry);
  if (tags === undefined) index.delete(keyOf(accountId, region, name));
  else index.set(keyOf(accountId, region, name), Object.fromEntries(tags.map((t) => [t.Key, t.Value])));
}

/** The tags of an endpoint served through `registry` (names compared case-insensitively), or undefined. */
export function endpointTags(registry: EndpointRegistry, accountId: string, region: string, name: string): Record<string, string> | undefined {
  return indexes.get(registry)?.get(keyOf(accountId, region, name));
}
