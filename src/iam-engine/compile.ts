import { compileConditions, type CompiledCondition } from './conditions.js';
import { escapeBackslashes, hasWildcard } from './glob.js';
import type { ParsedPolicy, PrincipalSpec, Statement } from './types.js';
import { parseTemplate, type Template } from './variables.js';

/**
 * A statement turned into the shape evaluation wants: exact names in Sets, wildcard names as ready patterns,
 * conditions with their values already parsed. Compiled once per policy object and kept in a WeakMap, so a
 * cached ParsedPolicy costs nothing to re-evaluate and the entry disappears with the policy.
 * ParsedPolicy objects are therefore treated as immutable once evaluated.
 */

/** Action names (lower-cased): matched case-insensitively. */
export interface ActionSet {
  any: boolean;
  exact: Set<string>;
  patterns: string[];
}

/** Resource ARNs: case-sensitive; `templates` hold the ones with policy variables. */
export interface ResourceSet {
  any: boolean;
  exact: Set<string>;
  patterns: string[];
  templates: Template[];
}

export interface CompiledStatement {
  index: number;
  effect: 'Allow' | 'Deny';
  sid: string | undefined;
  actions?: ActionSet;
  notActions?: ActionSet;
  resources?: ResourceSet;
  notResources?: ResourceSet;
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  conditions: CompiledCondition[];
}

const compiled = new WeakMap<ParsedPolicy, CompiledStatement[]>();

export function compilePolicy(policy: ParsedPolicy): CompiledStatement[] {
  let statements = compiled.get(policy);
  if (!statements) {
    statements = policy.Statement.map((s, i) => compileStatement(s, i, policy.Version));
    compiled.set(policy, statements);
  }
  return statements;
}

function compileStatement(s: Statement, index: number, version: string): CompiledStatement {
  return {
    index,
    effect: s.Effect,
    sid: s.Sid,
    actions: s.Action && actionSet(s.Action),
    notActions: s.NotAction && actionSet(s.NotAction),
    resources: s.Resource && resourceSet(s.Resource, version),
    notResources: s.NotResource && resourceSet(s.NotResource, version),
    principal: s.Principal,
    notPrincipal: s.NotPrincipal,
    conditions: compileConditions(s.Condition, version),
  };
}

function actionSet(actions: readonly string[]): ActionSet {
  const set: ActionSet = { any: false, exact: new Set(), patterns: [] };
  for (const a of actions) {
    const lower = a.toLowerCase();
    if (lower === '*') set.any = true;
    else if (hasWildcard(lower)) set.patterns.push(escapeBackslashes(lower));
    else set.exact.add(lower);
  }
  return set;
}

function resourceSet(resources: readonly string[], version: string): ResourceSet {
  const set: ResourceSet = { any: false, exact: new Set(), patterns: [], templates: [] };
  for (const r of resources) {
    const t = parseTemplate(r, version);
    if (t) set.templates.push(t);
    else if (r === '*') set.any = true;
    else if (hasWildcard(r)) set.patterns.push(escapeBackslashes(r));
    else set.exact.add(r);
  }
  return set;
}
