import type { ContextValue } from '../../iam-engine/types.js';
import type { Tag } from './api.generated.js';
import { iamErrors } from './errors.js';

export const MAX_TAGS = 50;

const sameKey = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** IAM tag keys are case-insensitive: two spellings of one key in a request are a duplicate. */
export function checkTags(tags: Tag[] | undefined): Tag[] {
  const list = tags ?? [];
  const seen = new Set<string>();
  for (const t of list) {
    const k = t.Key.toLowerCase();
    if (seen.has(k)) throw iamErrors.invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
  if (list.length > MAX_TAGS) throw iamErrors.limitExceeded(`Cannot exceed quota for TagsPerEntity: ${MAX_TAGS}`);
  return list.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
}

/** TagUser/TagRole: new values replace existing ones with the same key (whatever its case). */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const merged = existing.filter((t) => !added.some((a) => sameKey(a.Key, t.Key))).concat(added);
  if (merged.length > MAX_TAGS) throw iamErrors.limitExceeded(`Cannot exceed quota for TagsPerEntity: ${MAX_TAGS}`);
  return merged;
}

export function removeTags(existing: Tag[], keys: string[]): Tag[] {
  return existing.filter((t) => !keys.some((k) => sameKey(k, t.Key)));
}

/** aws:RequestTag/<k> per tag and aws:TagKeys, for operations that pass tags. */
export function requestTagKeys(tags: Tag[] | undefined): Record<string, ContextValue> {
  if (!tags || tags.length === 0) return {};
  const keys: Record<string, ContextValue> = { 'aws:TagKeys': tags.map((t) => t.Key) };
  for (const t of tags) keys[`aws:RequestTag/${t.Key}`] = t.Value ?? '';
  return keys;
}

export function tagKeysCondition(keys: string[] | undefined): Record<string, ContextValue> {
  return keys && keys.length > 0 ? { 'aws:TagKeys': keys } : {};
}

/** aws:ResourceTag/<k> for an existing tagged user or role. */
export function resourceTagKeys(tags: Tag[] | undefined): Record<string, ContextValue> {
  const keys: Record<string, ContextValue> = {};
  for (const t of tags ?? []) keys[`aws:ResourceTag/${t.Key}`] = t.Value;
  return keys;
}
