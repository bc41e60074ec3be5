import type { ActionSet, CompiledStatement, ResourceSet } from './compile.js';
import { conditionsHold } from './conditions.js';
import type { ContextView } from './context.js';
import { globMatch } from './glob.js';
import { DIRECT, NO_MATCH, notPrincipalApplies, principalMatchLevel, type MatchLevel } from './principal.js';
import type { EvaluationPrincipal } from './types.js';
import { resolvePattern } from './variables.js';

/** One request as statement matching sees it; built once per evaluate(). */
export interface RequestView {
  /** Lower-cased `service:Action`. */
  action: string;
  resource: string;
  principal: EvaluationPrincipal;
  ctx: ContextView;
  hasBoundary: boolean;
}

/**
 * Does the statement apply to the request, and how does it name the principal? Identity-style statements
 * (no Principal element) name the caller implicitly, i.e. DIRECT; `principalRequired` is set for the resource
 * policy, where such a statement is a caller mistake. Cheapest checks first: action, resource,
 * principal, then conditions.
 */
export function statementMatch(s: CompiledStatement, req: RequestView, principalRequired: boolean): MatchLevel {
  if (s.actions ? !actionIn(s.actions, req.action) : s.notActions !== undefined && actionIn(s.notActions, req.action)) {
    return NO_MATCH;
  }
  if (s.resources ? !resourceIn(s.resources, req) : s.notResources !== undefined && resourceIn(s.notResources, req)) {
    return NO_MATCH;
  }
  const level = principalLevel(s, req, principalRequired);
  if (level === NO_MATCH) return NO_MATCH;
  return conditionsHold(s.conditions, req.ctx) ? level : NO_MATCH;
}

function principalLevel(s: CompiledStatement, req: RequestView, principalRequired: boolean): MatchLevel {
  if (s.principal !== undefined) return principalMatchLevel(s.principal, req.principal);
  if (s.notPrincipal !== undefined) {
    // A statement reaching everyone but the listed principals grants as broadly as "*".
    return notPrincipalApplies(s.notPrincipal, req.principal, s.effect, req.hasBoundary) ? DIRECT : NO_MATCH;
  }
  // A resource policy statement that names nobody grants nobody (guards against a mis-filed identity policy).
  return principalRequired ? NO_MATCH : DIRECT;
}

function actionIn(set: ActionSet, action: string): boolean {
  if (set.any || set.exact.has(action)) return true;
  for (const p of set.patterns) if (globMatch(p, action)) return true;
  return false;
}

/** A template whose variable has no value matches nothing (AWS: the resource "matches nothing"). */
function resourceIn(set: ResourceSet, req: RequestView): boolean {
  if (set.any || set.exact.has(req.resource)) return true;
  for (const p of set.patterns) if (globMatch(p, req.resource)) return true;
  for (const t of set.templates) {
    const p = resolvePattern(t, req.ctx);
    if (p !== undefined && globMatch(p, req.resource)) return true;
  }
  return false;
}
