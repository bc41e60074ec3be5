import { randomUUID } from 'node:crypto';
import type { LiveEndpoint } from '../../inference/types.js';
import type { DesiredWeightAndCapacity } from './api.generated.js';
import { messageOf } from './artifacts.js';
import type { Sm } from './context.js';
import { setEndpointTags } from './endpoint-tags.js';
import { KeyedQueue } from './keyed-queue.js';
import { loadDeployment, type EndpointIds } from './loader.js';
import { changeEndpoint, findResource } from './records.js';
import { buildSnapshot, type Retention } from './snapshot.js';
import type { DeploymentSnapshot, EndpointConfigDoc, EndpointDoc } from './store.js';

/** Topic of endpoint deployment changes between replicas; payload `ACCOUNT/REGION/NAME`. */
export const ENDPOINT_TOPIC = 'sagemaker.endpoint';

export const endpointKey = (account: string, region: string, name: string): string => `${account}/${region}/${name.toLowerCase()}`;

/** What this process serves for an endpoint: which snapshot revision, and which load of the models. */
interface Installed { revision: string; loadId: string }

/**
 * Runs deployments in the background of the API calls that start them (CreateEndpoint and UpdateEndpoint return at
 * once) and installs their results in the registry. Only this replica, the one that handled the call, writes the
 * endpoint's status; it then announces the change so other replicas load the same snapshot (replicas.ts).
 * Everything touching one endpoint runs through one queue, so a delete or a weight change never interleaves with a
 * deployment of the same endpoint.
 */
export class Deployer {
  readonly queue = new KeyedQueue();
  readonly installed = new Map<string, Installed>();
  /** Operation ids of deployments running in this process (restore leaves them alone). */
  readonly running = new Set<string>();
  readonly #tracked = new Set<Promise<unknown>>();

  constructor(readonly sm: Sm) {}

  /** Keeps a background task so close() can wait for it; its failure is logged, never unhandled. */
  track(p: Promise<unknown>, what: string): void {
    const t = p.catch((err: unknown) => this.sm.deps.log.error({ err }, `sagemaker: ${what} failed`)).finally(() => this.#tracked.delete(t));
    this.#tracked.add(t);
  }

  async drain(): Promise<void> {
    while (this.#tracked.size) await Promise.all([...this.#tracked]);
    await this.queue.idle();
  }

  async publish(account: string, region: string, name: string): Promise<void> {
    await this.sm.deps.state.changes.publish(ENDPOINT_TOPIC, `${account}/${region}/${name}`);
  }

  /** Makes `live` the deployment this process serves; the one it replaces closes once its requests drain. */
  install(live: LiveEndpoint, snap: DeploymentSnapshot, tags: EndpointDoc['Tags']): void {
    const { registry } = this.sm.serving;
    setEndpointTags(registry, live.accountId, live.region, live.name, tags);
    this.installed.set(endpointKey(live.accountId, live.region, live.name), { revision: snap.Revision, loadId: snap.LoadId });
    this.track(registry.put(live), `retiring the previous deployment of ${live.name}`);
  }

  uninstall(account: string, region: string, name: string): void {
    const { registry } = this.sm.serving;
    const live = registry.get(account, region, name);
    this.installed.delete(endpointKey(account, region, name));
    setEndpointTags(registry, account, region, name, undefined);
    if (live) this.track(registry.remove(account, region, name), `removing ${name}`);
  }

  /** The deployment this process serves for the endpoint, when it is the snapshot's load of the models. */
  reusable(account: string, region: string, name: string, snap: DeploymentSnapshot): LiveEndpoint | undefined {
    const mine = this.installed.get(endpointKey(account, region, name));
    return mine?.loadId === snap.LoadId ? this.sm.serving.registry.get(account, region, name) : undefined;
  }

  /** CreateEndpoint's background part: Creating → InService, or Failed with the reason. */
  startCreate(account: string, region: string, doc: EndpointDoc, config: EndpointConfigDoc): void {
    const ids = idsOf(account, region, doc);
    this.#start(ids, doc.Operation!.Id, () => buildSnapshot(this.sm, account, region, config),
      (d, reason) => ({ ...d, EndpointStatus: 'Failed', FailureReason: reason }));
  }

  /** UpdateEndpoint's background part: Updating → InService on the new config, or back on the old one with the reason. */
  startUpdate(account: string, region: string, doc: EndpointDoc, config: EndpointConfigDoc, retain?: Retention): void {
    const ids = idsOf(account, region, doc);
    this.#start(ids, doc.Operation!.Id, () => buildSnapshot(this.sm, account, region, config, retain),
      (d, reason) => ({ ...d, EndpointStatus: 'InService', FailureReason: reason }));
  }

  #start(ids: EndpointIds, opId: string, build: () => Promise<DeploymentSnapshot>, failed: (d: EndpointDoc, reason: string) => EndpointDoc): void {
    this.running.add(opId);
    const task = this.queue.run(endpointKey(ids.accountId, ids.region, ids.name), () => this.#deploy(ids, opId, build, failed));
    this.track(task.finally(() => this.running.delete(opId)), `deploying ${ids.name}`);
  }

  async #deploy(ids: EndpointIds, opId: string, build: () => Promise<DeploymentSnapshot>, failed: (d: EndpointDoc, reason: string) => EndpointDoc): Promise<void> {
    const { accountId: account, region, name } = ids;
    let snap: DeploymentSnapshot;
    let live: LiveEndpoint;
    try {
      snap = await build();
      live = await loadDeployment(this.sm, ids, snap);
    } catch (err) {
      const reason = messageOf(err);
      this.sm.deps.log.warn({ endpoint: ids.arn, reason }, 'sagemaker: deployment failed');
      await changeEndpoint(this.sm, account, region, name, (d) => (d.Operation?.Id === opId
        ? { ...failed(d, reason), Operation: undefined, LastModifiedTime: this.sm.now().toISOString() } : undefined));
      return;
    }
    const current = await findResource(this.sm, account, region, 'endpoint', name);
    if (current?.Operation?.Id !== opId) {
      // Deleted while deploying: nothing to serve.
      await closeRuntimes(live);
      return;
    }
    // Serve first, then say so: a client that sees InService can invoke at once.
    this.install(live, snap, current.Tags);
    const committed = await changeEndpoint(this.sm, account, region, name, (d) => (d.Operation?.Id === opId ? {
      ...d, EndpointStatus: 'InService', EndpointConfigName: snap.EndpointConfigName, Deployment: snap,
      FailureReason: undefined, Operation: undefined, LastModifiedTime: this.sm.now().toISOString(),
    } : undefined));
    if (committed?.Deployment?.Revision !== snap.Revision) {
      // Deleted in the meantime (DeleteEndpoint's removal also queues behind us).
      this.uninstall(account, region, name);
      return;
    }
    await this.publish(account, region, name);
  }

  /**
   * UpdateEndpointWeightsAndCapacities: a new snapshot with the same models, installed with the same runtime
   * objects (nothing reloads), so it takes effect at once.
   */
  updateWeights(account: string, region: string, name: string, desired: DesiredWeightAndCapacity[]): Promise<EndpointDoc | undefined> {
    return this.queue.run(endpointKey(account, region, name), async () => {
      let snap: DeploymentSnapshot | undefined;
      const doc = await changeEndpoint(this.sm, account, region, name, (d) => {
        if (d.EndpointStatus !== 'InService' || !d.Deployment || d.Operation) return undefined;
        snap = withWeights(d.Deployment, desired);
        return { ...d, Deployment: snap, LastModifiedTime: this.sm.now().toISOString() };
      });
      if (!doc || !snap) return doc;
      const reuse = this.reusable(account, region, name, snap);
      const live = await loadDeployment(this.sm, idsOf(account, region, doc), snap, reuse);
      this.install(live, snap, doc.Tags);
      await this.publish(account, region, name);
      return doc;
    });
  }

  /** DeleteEndpoint: stops serving here (after any deployment of it under way) and tells the other replicas. */
  /** Resolves once this process no longer serves the endpoint (after any reconcile queued before it). */
  remove(account: string, region: string, name: string): Promise<void> {
    const task = this.queue.run(endpointKey(account, region, name), async () => {
      this.uninstall(account, region, name);
      await this.publish(account, region, name);
    });
    this.track(task, `removing ${name}`);
    return task.then(() => undefined, () => undefined);
  }
}

export function idsOf(account: string, region: string, doc: Pick<EndpointDoc, 'EndpointName' | 'EndpointArn'>): EndpointIds {
  return { accountId: account, region, name: doc.EndpointName, arn: doc.EndpointArn };
}

export function withWeights(snap: DeploymentSnapshot, desired: DesiredWeightAndCapacity[]): DeploymentSnapshot {
  return {
    ...snap,
    Revision: randomUUID(),
    Variants: snap.Variants.map((v) => {
      const d = desired.find((x) => x.VariantName === v.VariantName);
      return d ? { ...v, Weight: d.DesiredWeight ?? v.Weight, InstanceCount: d.DesiredInstanceCount ?? v.InstanceCount } : v;
    }),
  };
}

async function closeRuntimes(live: LiveEndpoint): Promise<void> {
  await Promise.all(live.variants.map((v) => v.runtime.close().catch(() => undefined)));
}
