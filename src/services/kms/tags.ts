import type { Kms } from './context.js';
import { handlers } from './define.js';
import { kmsErrors } from './errors.js';
import { saveKey } from './key-records.js';
import type { Operations } from './model.js';
import { arrayPage, pageFields } from './paging.js';
import { requireNotPendingDeletion, resolveKey } from './resolve.js';
import type { Tag } from './store.js';

/** AWS: at most 50 tags per KMS key; keys are case-sensitive; `aws:` is reserved for AWS. */
export const MAX_TAGS = 50;

/** Validates tags from a request (CreateKey, TagResource). */
export function checkTags(tags: Tag[] | undefined): Tag[] {
  const list = tags ?? [];
  const seen = new Set<string>();
  for (const t of list) {
    if (t.TagKey.toLowerCase().startsWith('aws:')) throw kmsErrors.tag('Tags beginning with aws: are reserved');
    if (seen.has(t.TagKey)) throw kmsErrors.tag(`Duplicate tag keys: ${t.TagKey}`);
    seen.add(t.TagKey);
  }
  if (list.length > MAX_TAGS) throw kmsErrors.limitExceeded(`A KMS key can have at most ${MAX_TAGS} tags`);
  return list.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue }));
}

/** New values replace existing ones with the same key. */
function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const merged = existing.filter((t) => !added.some((a) => a.TagKey === t.TagKey)).concat(added);
  if (merged.length > MAX_TAGS) throw kmsErrors.limitExceeded(`A KMS key can have at most ${MAX_TAGS} tags`);
  return merged;
}

export function tagHandlers(k: Kms) {
  return handlers<Operations>()({
    TagResource: {
      handler: async (i, ctx) => {
        const added = checkTags(i.Tags);
        await k.tx(async () => {
          const { key } = await resolveKey(k, ctx, i.KeyId);
          requireNotPendingDeletion(key);
          await saveKey(k, { ...key, Tags: mergeTags(key.Tags, added) });
        });
      },
    },
    UntagResource: {
      handler: async (i, ctx) => {
        await k.tx(async () => {
          const { key } = await resolveKey(k, ctx, i.KeyId);
          requireNotPendingDeletion(key);
          // Removing a key the resource does not have is not an error in AWS.
          await saveKey(k, { ...key, Tags: key.Tags.filter((t) => !i.TagKeys.includes(t.TagKey)) });
        });
      },
    },
    ListResourceTags: {
      readOnly: true,
      handler: async (i, ctx) => {
        const { key } = await resolveKey(k, ctx, i.KeyId);
        const sorted = [...key.Tags].sort((a, b) => (a.TagKey < b.TagKey ? -1 : a.TagKey > b.TagKey ? 1 : 0));
        const page = arrayPage(sorted, i.Limit, i.Marker, 50);
        return { Tags: page.items, ...pageFields(page) };
      },
    },
  });
}
