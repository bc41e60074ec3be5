import { compileValues, type ValueTester } from './condition-values.js';
import type { ContextView } from './context.js';
import { parseOperator, type SetOperator } from './operators.js';
import type { ConditionBlock, ContextValue } from './types.js';

/**
 * The Condition element: AND across operators and keys, OR across the values of one key (NONE for negated
 * operators), with AWS's rules for missing keys, `…IfExists`, `Null` and the ForAllValues/ForAnyValue set operators.
 */

export interface CompiledCondition {
  key: string;
  lowerKey: string;
  set: SetOperator;
  ifExists: boolean;
  negated: boolean;
  /** Only for `Null`: the wanted "key is absent" answers ("true" → absent, "false" → present). */
  nullWants?: { absent: boolean; present: boolean };
  test: ValueTester;
}

/** Compiles a statement's Condition block. An unknown operator (possible only in hand-built policies) never holds. */
export function compileConditions(block: ConditionBlock | undefined, version: string): CompiledCondition[] {
  const out: CompiledCondition[] = [];
  if (!block) return out;
  for (const [opName, keys] of Object.entries(block)) {
    const op = parseOperator(opName);
    for (const [key, values] of Object.entries(keys)) {
      if (!op) {
        out.push({ key, lowerKey: key.toLowerCase(), set: 'none', ifExists: false, negated: false, test: () => false });
        continue;
      }
      const c: CompiledCondition = {
        key,
        lowerKey: key.toLowerCase(),
        set: op.set,
        ifExists: op.ifExists,
        negated: op.base.negated,
        test: compileValues(op.base, values, version),
      };
      if (op.base.family === 'null') c.nullWants = nullWants(values);
      out.push(c);
    }
  }
  return out;
}

function nullWants(values: readonly string[]): { absent: boolean; present: boolean } {
  const lower = values.map((v) => v.toLowerCase());
  return { absent: lower.includes('true'), present: lower.includes('false') };
}

export function conditionsHold(conditions: readonly CompiledCondition[], ctx: ContextView): boolean {
  for (const c of conditions) if (!conditionHolds(c, ctx)) return false;
  return true;
}

function isMissing(v: ContextValue | undefined): v is undefined | [] {
  return v === undefined || (typeof v !== 'string' && v.length === 0);
}

export function conditionHolds(c: CompiledCondition, ctx: ContextView): boolean {
  const value = ctx.get(c.key, c.lowerKey);
  const missing = isMissing(value);
  if (c.nullWants) return missing ? c.nullWants.absent : c.nullWants.present;
  if (missing) {
    // ForAllValues over nothing is vacuously true; ForAnyValue over nothing is false.
    if (c.set === 'all') return true;
    if (c.set === 'any') return c.ifExists;
    return c.ifExists || c.negated;
  }
  if (c.set !== 'none') return setHolds(c, value, ctx);
  if (typeof value === 'string') return valueHolds(c, value, ctx);
  // A single-valued operator on a multivalued key is a policy mistake; AWS (and iam-simulate) treat it as no match.
  return value.length === 1 ? valueHolds(c, value[0], ctx) : false;
}

function valueHolds(c: CompiledCondition, value: string, ctx: ContextView): boolean {
  return c.test(value, ctx) !== c.negated;
}

function setHolds(c: CompiledCondition, value: string | string[], ctx: ContextView): boolean {
  if (typeof value === 'string') return valueHolds(c, value, ctx);
  if (c.set === 'all') {
    for (const v of value) if (!valueHolds(c, v, ctx)) return false;
    return true;
  }
  for (const v of value) if (valueHolds(c, v, ctx)) return true;
  return false;
}
