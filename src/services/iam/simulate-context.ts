import { matchesAction } from '../../iam-engine/index.js';
import type { ContextValue, ParsedPolicy } from '../../iam-engine/types.js';
import type { ContextEntry } from './api.generated.js';
import { iamErrors } from './errors.js';

/** ContextEntries → engine context. `…List` types are multivalued; the others take their single value. */
export function contextFromEntries(entries: ContextEntry[] | undefined): Record<string, ContextValue> {
  const ctx: Record<string, ContextValue> = {};
  for (const e of entries ?? []) {
    if (!e.ContextKeyName) throw iamErrors.invalidInput('ContextKeyName is required for every context entry.');
    const values = e.ContextKeyValues ?? [];
    const multi = (e.ContextKeyType ?? 'string').endsWith('List');
    if (!multi && values.length > 1) {
      throw iamErrors.invalidInput(`Context key ${e.ContextKeyName} of type ${e.ContextKeyType ?? 'string'} takes one value.`);
    }
    if (multi) ctx[e.ContextKeyName] = values;
    else if (values.length === 1) ctx[e.ContextKeyName] = values[0];
  }
  return ctx;
}

/** Merges context maps; later maps win, matching keys case-insensitively as the engine does. */
export function mergeContext(...maps: Record<string, ContextValue | undefined>[]): Record<string, ContextValue | undefined> {
  const out: Record<string, ContextValue | undefined> = {};
  const spelled = new Map<string, string>();
  for (const m of maps) {
    for (const [k, v] of Object.entries(m)) {
      const prev = spelled.get(k.toLowerCase());
      if (prev !== undefined) delete out[prev];
      spelled.set(k.toLowerCase(), k);
      out[k] = v;
    }
  }
  return out;
}

/**
 * MissingContextValues: condition keys used by statements that apply to the action but absent from the context,
 * so the caller knows which ContextEntries the simulation lacked.
 */
export function missingContextKeys(policies: ParsedPolicy[], action: string, context: Record<string, ContextValue | undefined>): string[] {
  const present = new Set(Object.entries(context).filter(([, v]) => v !== undefined).map(([k]) => k.toLowerCase()));
  const missing = new Map<string, string>();
  for (const p of policies) {
    for (const st of p.Statement) {
      const applies = st.Action ? st.Action.some((a) => matchesAction(a, action)) : !(st.NotAction ?? []).some((a) => matchesAction(a, action));
      if (!applies || !st.Condition) continue;
      for (const keys of Object.values(st.Condition)) {
        for (const key of Object.keys(keys)) {
          if (!present.has(key.toLowerCase()) && !missing.has(key.toLowerCase())) missing.set(key.toLowerCase(), key);
        }
      }
    }
  }
  return [...missing.values()];
}
