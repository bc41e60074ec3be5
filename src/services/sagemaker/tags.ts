import type { RequestContext } from '../../gateway/context.js';
import type { Tag } from './api.generated.js';
import { parseSagemakerArn, recordId, RESOURCE_TYPES, type ResourceType } from './arns.js';
import type { MonitorResourceType } from './monitoring/names.js';
import { accountOf, type Sm } from './context.js';
import { handlers } from './define.js';
import { setEndpointTags } from './endpoint-tags.js';
import type { Deployer } from './deployer.js';
import { smErrors } from './errors.js';
import { NOUN } from './records.js';
import { SAGEMAKER } from './store.js';

/** AWS: at most 50 tags per SageMaker resource; keys are case-sensitive; the `aws:` prefix is reserved. */
export const MAX_TAGS = 50;
const LIST_TAGS_DEFAULT = 50;

export function checkTags(tags: Tag[] | undefined): Tag[] {
  const list = tags ?? [];
  const seen = new Set<string>();
  for (const t of list) {
    if (t.Key.toLowerCase().startsWith('aws:')) throw smErrors.validation(`Tag keys beginning with "aws:" are reserved for AWS use: ${t.Key}`);
    if (seen.has(t.Key)) throw smErrors.validation(`Duplicate tag key: ${t.Key}`);
    seen.add(t.Key);
  }
  if (list.length > MAX_TAGS) throw smErrors.validation(`A resource can have at most ${MAX_TAGS} tags.`);
  return list.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
}

interface Tagged { Tags: Tag[] }

/** Every SageMaker resource Vigil keeps: serving's and Model Monitor's (their record kinds are the ARN types). */
type TaggableType = ResourceType | MonitorResourceType;
const TAGGABLE: readonly TaggableType[] = [...RESOURCE_TYPES, 'processing-job', 'monitoring-schedule', 'data-quality-job-definition'];
/** How "not found" messages name each kind. */
const TAGGABLE_NOUN: Record<TaggableType, string> = {
  ...NOUN, 'processing-job': 'processing job', 'monitoring-schedule': 'monitoring schedule', 'data-quality-job-definition': 'job definition',
};

/** The record an ARN of the caller's account names, with its kind and record id. */
export interface TaggedResource { kind: TaggableType; id: string; account: string; region: string; name: string }

export function taggedResource(ctx: RequestContext, arn: string): TaggedResource {
  const parsed = parseSagemakerArn(arn);
  if (!parsed) throw smErrors.validation(`Invalid resource ARN: ${arn}`);
  const kind = parsed.type as TaggableType;
  if (!TAGGABLE.includes(kind)) throw smErrors.notImplemented(`Tagging SageMaker ${parsed.type} resources`);
  return { kind, id: recordId(parsed.region, parsed.name), account: parsed.account, region: parsed.region, name: parsed.name };
}

/** Tags of the resource an ARN names (for sagemaker:ResourceTag/*), or [] when there is no such resource. */
export async function tagsOfArn(sm: Sm, ctx: RequestContext, arn: string): Promise<Tag[]> {
  const parsed = parseSagemakerArn(arn);
  if (!parsed || !TAGGABLE.includes(parsed.type as TaggableType)) return [];
  // Another account's tags never reach the condition keys: AccessDenied vs not-found would reveal them.
  if (parsed.account !== accountOf(ctx)) return [];
  const rec = await sm.res.get<Tagged>(parsed.account, SAGEMAKER, parsed.type, recordId(parsed.region, parsed.name));
  return rec?.doc.Tags ?? [];
}

async function changeTags(sm: Sm, d: Deployer, ctx: RequestContext, arn: string, change: (tags: Tag[]) => Tag[]): Promise<void> {
  const r = taggedResource(ctx, arn);
  const found = await sm.tx(async () => {
    const rec = r.account === accountOf(ctx) ? await sm.res.getForUpdate<Tagged & { EndpointName?: string }>(r.account, SAGEMAKER, r.kind, r.id) : undefined;
    if (!rec) return undefined;
    await sm.res.update(r.account, SAGEMAKER, r.kind, r.id, { ...rec.doc, Tags: change(rec.doc.Tags) });
    return rec.doc;
  });
  if (!found) throw smErrors.notFound(TAGGABLE_NOUN[r.kind], arn);
  if (r.kind === 'endpoint') {
    // This replica applies the new tags to InvokeEndpoint's condition keys at once (a tag that blocks access must
    // not wait behind a deployment in progress); the others refresh from the change notification.
    const name = found.EndpointName ?? r.name;
    const updated = await sm.res.get<Tagged>(r.account, SAGEMAKER, r.kind, r.id);
    if (d.sm.serving.registry.get(r.account, r.region, name)) setEndpointTags(d.sm.serving.registry, r.account, r.region, name, updated?.doc.Tags ?? []);
    await d.publish(r.account, r.region, name);
  }
}

export function tagHandlers(sm: Sm, d: Deployer) {
  return handlers({
    AddTags: {
      handler: async (i, ctx) => {
        const added = checkTags(i.Tags);
        await changeTags(sm, d, ctx, i.ResourceArn, (tags) => {
          // New values replace existing ones with the same key.
          const merged = tags.filter((t) => !added.some((a) => a.Key === t.Key)).concat(added);
          if (merged.length > MAX_TAGS) throw smErrors.limitExceeded(`A resource can have at most ${MAX_TAGS} tags.`);
          return merged;
        });
        return { Tags: added };
      },
    },
    DeleteTags: {
      handler: async (i, ctx) => {
        // Removing a key the resource does not have is not an error in AWS.
        await changeTags(sm, d, ctx, i.ResourceArn, (tags) => tags.filter((t) => !i.TagKeys.includes(t.Key)));
        return {};
      },
    },
    ListTags: {
      readOnly: true,
      handler: async (i, ctx) => {
        const r = taggedResource(ctx, i.ResourceArn);
        const rec = r.account === accountOf(ctx) ? await sm.res.get<Tagged>(r.account, SAGEMAKER, r.kind, r.id) : undefined;
        if (!rec) throw smErrors.notFound(TAGGABLE_NOUN[r.kind], i.ResourceArn);
        const start = i.NextToken ? Number(i.NextToken) : 0;
        if (!Number.isInteger(start) || start < 0) throw smErrors.validation('Invalid pagination token.');
        const max = i.MaxResults ?? LIST_TAGS_DEFAULT;
        const page = rec.doc.Tags.slice(start, start + max);
        const end = start + page.length;
        return { Tags: page, ...(end < rec.doc.Tags.length ? { NextToken: String(end) } : {}) };
      },
    },
  });
}
