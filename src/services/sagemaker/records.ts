import type { RequestContext } from '../../gateway/context.js';
import { recordId, sagemakerArn, type ResourceType } from './arns.js';
import { accountOf, type Sm } from './context.js';
import { smErrors } from './errors.js';
import { SAGEMAKER, type EndpointConfigDoc, type EndpointDoc, type ModelDoc } from './store.js';
import { listEvery } from '../../state/list-every.js';

/** How SageMaker names each resource type in its messages. */
export const NOUN: Record<ResourceType, string> = { model: 'model', 'endpoint-config': 'endpoint configuration', endpoint: 'endpoint' };

interface DocOf { model: ModelDoc; 'endpoint-config': EndpointConfigDoc; endpoint: EndpointDoc }

/** A resource of the caller's account in the request's region, or undefined. */
export async function findResource<K extends ResourceType>(sm: Sm, account: string, region: string, kind: K, name: string): Promise<DocOf[K] | undefined> {
  return (await sm.res.get<DocOf[K]>(account, SAGEMAKER, kind, recordId(region, name)))?.doc;
}

/** The resource or SageMaker's ValidationException `Could not find <noun> "<arn>".` */
export async function requireResource<K extends ResourceType>(sm: Sm, ctx: RequestContext, kind: K, name: string): Promise<DocOf[K]> {
  const account = accountOf(ctx);
  const doc = await findResource(sm, account, ctx.region, kind, name);
  if (!doc) throw smErrors.notFound(NOUN[kind], sagemakerArn(ctx.region, account, kind, name));
  return doc;
}

/** Every record of a kind in one account (optionally one region), following the store's pages. */
export async function allRecords<T>(sm: Sm, account: string, kind: ResourceType, region?: string): Promise<T[]> {
  return (await listEvery<T>(sm.res, account, SAGEMAKER, kind, { idPrefix: region ? `${region}/` : undefined })).map((r) => r.doc);
}

/**
 * Changes an endpoint record in one transaction. `change` returns the new document, or undefined to leave the record
 * as it is; the result is the document as stored afterwards (undefined when there is no record).
 */
export async function changeEndpoint(sm: Sm, account: string, region: string, name: string,
  change: (doc: EndpointDoc) => EndpointDoc | undefined): Promise<EndpointDoc | undefined> {
  const id = recordId(region, name);
  return sm.tx(async () => {
    const rec = await sm.res.getForUpdate<EndpointDoc>(account, SAGEMAKER, 'endpoint', id);
    if (!rec) return undefined;
    const next = change(structuredClone(rec.doc));
    if (!next) return rec.doc;
    await sm.res.update(account, SAGEMAKER, 'endpoint', id, next);
    return next;
  });
}
