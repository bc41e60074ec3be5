import type { Tag } from './api.generated.js';
import type { S3 } from './context.js';
import { handlers } from './define.js';
import { s3Errors } from './errors.js';
import { changeBucket, loadBucket } from './store.js';

const MAX_BUCKET_TAGS = 50;
const MAX_OBJECT_TAGS = 10;

/** S3's tag rules and wording: keys 1–128 characters, values up to 256, unique keys, no `aws:` keys. */
function checkTags(tags: Tag[], max: number, kind: 'Bucket' | 'Object'): Tag[] {
  if (tags.length > max) throw s3Errors.invalidTag(`${kind} tag count cannot be greater than ${max}`);
  const seen = new Set<string>();
  for (const t of tags) {
    if (t.Key.length < 1 || t.Key.length > 128) throw s3Errors.invalidTag('The TagKey you have provided is invalid');
    if ((t.Value ?? '').length > 256) throw s3Errors.invalidTag('The TagValue you have provided is invalid');
    if (t.Key.toLowerCase().startsWith('aws:')) throw s3Errors.invalidTag('System tags cannot be added/updated by requester');
    if (seen.has(t.Key)) throw s3Errors.invalidTag('Cannot provide multiple Tags with the same key');
    seen.add(t.Key);
  }
  return tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
}

export function checkObjectTags(tags: Tag[] | undefined): Tag[] | undefined {
  return tags === undefined ? undefined : checkTags(tags, MAX_OBJECT_TAGS, 'Object');
}

export function taggingHandlers(k: S3) {
  return handlers()({
    PutBucketTagging: {
      handler: async (i) => {
        const tags = checkTags(i.Tagging?.TagSet ?? [], MAX_BUCKET_TAGS, 'Bucket');
        await changeBucket(k, i.Bucket, (b) => {
          b.Tags = tags;
        });
      },
    },
    GetBucketTagging: {
      readOnly: true,
      handler: async (i) => {
        const b = await loadBucket(k, i.Bucket);
        if (!b.Tags?.length) throw s3Errors.noSuchTagSet(b.Name);
        return { TagSet: b.Tags };
      },
    },
    DeleteBucketTagging: {
      handler: async (i) => {
        await changeBucket(k, i.Bucket, (b) => {
          delete b.Tags;
        });
      },
    },
  });
}
