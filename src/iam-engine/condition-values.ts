import type { ContextView } from './context.js';
import { arnGlobMatch, escapeBackslashes, globMatch } from './glob.js';
import { inCidr, parseAddress, parseCidr, type Cidr } from './ip.js';
import type { BaseOperator, Comparison } from './operators.js';
import { parseDate, parseNumber } from './values.js';
import { parseTemplate, resolvePattern, resolveText, type Template } from './variables.js';

/**
 * Per operator family: turn the policy values of one condition key into a test of ONE context value. The test
 * answers "does it match at least one policy value?"; negation, missing keys and set operators are applied by
 * the caller. Policy values are parsed here, once per policy, never per request.
 */
export type ValueTester = (value: string, ctx: ContextView) => boolean;

export function compileValues(base: BaseOperator, values: readonly string[], version: string): ValueTester {
  switch (base.family) {
    case 'string':
      return exactTester(values, version, false);
    case 'stringIgnoreCase':
    case 'bool': // "true"/"false" in any case
      return exactTester(values, version, true);
    case 'stringLike':
      return patternTester(values, version, globMatch);
    case 'arn':
      return patternTester(values, version, arnGlobMatch);
    case 'numeric':
      return orderedTester(values, parseNumber, base.cmp);
    case 'date':
      return orderedTester(values, parseDate, base.cmp);
    case 'binary':
      return binaryTester(values);
    case 'ip':
      return ipTester(values);
    case 'null':
      // Null never compares values; conditions.ts handles it before asking for a tester.
      return () => false;
  }
}

/** Splits values into literal ones and ones with policy variables (resolved per request). */
function split(values: readonly string[], version: string): { literal: string[]; templates: Template[] } {
  const literal: string[] = [];
  const templates: Template[] = [];
  for (const v of values) {
    const t = parseTemplate(v, version);
    if (t) templates.push(t);
    else literal.push(v);
  }
  return { literal, templates };
}

function exactTester(values: readonly string[], version: string, fold: boolean): ValueTester {
  const { literal, templates } = split(values, version);
  const set = new Set(fold ? literal.map((v) => v.toLowerCase()) : literal);
  return (value, ctx) => {
    const probe = fold ? value.toLowerCase() : value;
    if (set.has(probe)) return true;
    for (const t of templates) {
      const r = resolveText(t, ctx); // unresolved → this value matches nothing
      if (r !== undefined && (fold ? r.toLowerCase() : r) === probe) return true;
    }
    return false;
  };
}

type PatternMatch = (pattern: string, value: string) => boolean;

function patternTester(values: readonly string[], version: string, match: PatternMatch): ValueTester {
  const { literal, templates } = split(values, version);
  const patterns = literal.map(escapeBackslashes);
  return (value, ctx) => {
    for (const p of patterns) if (match(p, value)) return true;
    for (const t of templates) {
      const p = resolvePattern(t, ctx);
      if (p !== undefined && match(p, value)) return true;
    }
    return false;
  };
}

const COMPARE: Record<Comparison, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b,
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
};

function orderedTester(values: readonly string[], parse: (s: string) => number | undefined, cmp: Comparison): ValueTester {
  // A policy value that does not parse can never match (the parser already rejects bad dates).
  const policy = values.map(parse).filter((n): n is number => n !== undefined);
  const compare = COMPARE[cmp];
  return (value) => {
    const n = parse(value);
    if (n === undefined) return false;
    for (const p of policy) if (compare(n, p)) return true;
    return false;
  };
}

function binaryTester(values: readonly string[]): ValueTester {
  const policy = values.map((v) => Buffer.from(v, 'base64'));
  return (value) => {
    const bytes = Buffer.from(value, 'base64');
    for (const p of policy) if (p.equals(bytes)) return true;
    return false;
  };
}

function ipTester(values: readonly string[]): ValueTester {
  const ranges = values.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  return (value) => {
    const address = parseAddress(value);
    if (!address) return false;
    for (const r of ranges) if (inCidr(address, r)) return true;
    return false;
  };
}
