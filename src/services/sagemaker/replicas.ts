import { MISSED_CHANGES } from '../../state/changes.js';
import { messageOf } from './artifacts.js';
import { parseSagemakerArn } from './arns.js';
import { endpointKey, ENDPOINT_TOPIC, idsOf, type Deployer } from './deployer.js';
import { setEndpointTags } from './endpoint-tags.js';
import { loadDeployment } from './loader.js';
import { allRecords, changeEndpoint, findResource } from './records.js';
import type { EndpointDoc } from './store.js';

/** A create or update older than this, not running in this process, was lost with the replica that ran it. */
const ORPHAN_AFTER_MS = 10 * 60_000;

/**
 * Keeps this process's registry in step with the endpoint records, whoever changed them: at start (restore), and on
 * every change notification from any replica (this one included, where it finds nothing to do). A replica that did
 * not handle the API call only loads and serves; it never writes an endpoint's status.
 */
export class Replicas {
  readonly #accounts = new Set<string>();
  readonly #unsubscribe: (() => void)[] = [];

  constructor(private readonly d: Deployer) {
    const changes = d.sm.deps.state.changes;
    this.#unsubscribe.push(
      changes.subscribe(ENDPOINT_TOPIC, (payload) => this.#onChange(payload)),
      changes.subscribe(MISSED_CHANGES, () => this.#onMissed()),
    );
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  /** Serves again every deployed endpoint of these accounts, in every region (process start). */
  async restore(accountIds: string[]): Promise<void> {
    for (const account of accountIds) this.#accounts.add(account);
    await Promise.all(accountIds.map((account) => this.#restoreAccount(account, true)));
  }

  async #restoreAccount(account: string, atStart: boolean): Promise<void> {
    const docs = await allRecords<EndpointDoc>(this.d.sm, account, 'endpoint');
    await Promise.all(docs.map(async (doc) => {
      const region = parseSagemakerArn(doc.EndpointArn)?.region;
      if (!region) return;
      if (atStart && this.#orphaned(doc)) await this.#settleOrphan(account, region, doc);
      if (doc.Deployment) await this.reconcile(account, region, doc.EndpointName);
    }));
  }

  /**
   * Loads what the record says this endpoint serves, unless this process serves that revision already; stops
   * serving it when the record is gone or has no deployment.
   */
  reconcile(account: string, region: string, name: string): Promise<void> {
    const d = this.d;
    return d.queue.run(endpointKey(account, region, name), async () => {
      const doc = await findResource(d.sm, account, region, 'endpoint', name);
      if (!doc?.Deployment) {
        if (d.installed.has(endpointKey(account, region, name)) || d.sm.serving.registry.get(account, region, name)) d.uninstall(account, region, name);
        return;
      }
      const { registry } = d.sm.serving;
      setEndpointTags(registry, account, region, doc.EndpointName, doc.Tags);
      const snap = doc.Deployment;
      if (d.installed.get(endpointKey(account, region, name))?.revision === snap.Revision && registry.get(account, region, doc.EndpointName)) return;
      try {
        const live = await loadDeployment(d.sm, idsOf(account, region, doc), snap, d.reusable(account, region, doc.EndpointName, snap));
        // If the record moved on while loading, the notification of that change is queued behind us and corrects it.
        d.install(live, snap, doc.Tags);
      } catch (err) {
        d.sm.deps.log.warn({ endpoint: doc.EndpointArn, reason: messageOf(err) }, 'sagemaker: could not load the deployed endpoint on this replica');
      }
    });
  }

  #onChange(payload: string): void {
    const [account, region, ...rest] = payload.split('/');
    if (!account || !region || rest.length !== 1) return;
    this.#accounts.add(account);
    this.d.track(this.reconcile(account, region, rest[0]), `reconciling ${payload}`);
  }

  /** Notifications may have been lost: check every endpoint this process serves or could serve. */
  #onMissed(): void {
    for (const key of this.d.installed.keys()) {
      const [account, region, name] = key.split('/');
      this.d.track(this.reconcile(account, region, name), `reconciling ${key}`);
    }
    for (const account of this.#accounts) this.d.track(this.#restoreAccount(account, false), `reconciling account ${account}`);
  }

  #orphaned(doc: EndpointDoc): boolean {
    const op = doc.Operation;
    if (!op || this.d.running.has(op.Id)) return false;
    // The embedded SQLite backend means one process: a deployment it is not running now was lost in a restart.
    if (this.d.sm.deps.state.db.dialect === 'sqlite') return true;
    return this.d.sm.now().getTime() - Date.parse(op.StartTime) > ORPHAN_AFTER_MS;
  }

  async #settleOrphan(account: string, region: string, doc: EndpointDoc): Promise<void> {
    const opId = doc.Operation!.Id;
    const config = doc.Operation!.EndpointConfigName;
    const settled = await changeEndpoint(this.d.sm, account, region, doc.EndpointName, (d) => {
      if (d.Operation?.Id !== opId) return undefined;
      const reason = `The deployment of endpoint configuration "${config}" was interrupted by a server restart.`;
      const status = d.Deployment ? 'InService' : 'Failed';
      return { ...d, EndpointStatus: status, FailureReason: reason, Operation: undefined, LastModifiedTime: this.d.sm.now().toISOString() };
    });
    if (settled) Object.assign(doc, settled);
  }
}
