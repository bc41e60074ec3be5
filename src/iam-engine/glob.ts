/**
 * Wildcard matching for the policy language: `*` is any run of characters, `?` exactly one, everything else
 * literal. We match with a two-pointer scan instead of compiling regexes: it needs no escaping (so `.`, `+`,
 * `(` … in ARNs can never turn into regex syntax), allocates nothing, and its worst case is O(pattern × text)
 * where a backtracking regex built from a hostile `*a*a*a*…b` Resource could take exponential time on the hot path.
 *
 * Internally a pattern may carry `\x` escapes: policy variables such as `${*}` and substituted context values
 * must match literally, so the code that builds patterns escapes them. Raw policy text is passed through
 * `escapeBackslashes` first, because the policy language itself has no escape character.
 */

const STAR = 42; // *
const QMARK = 63; // ?
const BACKSLASH = 92; // \
const COLON = 58; // :

/** True when `p` contains a `*` or `?` (escaped or not: callers use this only on raw policy text). */
export function hasWildcard(p: string): boolean {
  return p.includes('*') || p.includes('?');
}

/** Raw policy text → internal pattern: backslashes become literal. */
export function escapeBackslashes(raw: string): string {
  return raw.includes('\\') ? raw.replaceAll('\\', '\\\\') : raw;
}

/** A substituted value → internal pattern that matches exactly that value. */
export function escapeLiteral(value: string): string {
  return /[*?\\]/.test(value) ? value.replace(/[*?\\]/g, '\\$&') : value;
}

/**
 * Matches internal pattern `p[pFrom, pTo)` against `s[sFrom, sTo)`. Greedy with a single backtrack point:
 * correct for `*`/`?` globs because a later `*` can always absorb whatever an earlier one would have.
 */
export function globMatch(p: string, s: string, pFrom = 0, pTo = p.length, sFrom = 0, sTo = s.length): boolean {
  let pi = pFrom;
  let si = sFrom;
  let starP = -1;
  let starS = 0;
  while (si < sTo) {
    if (pi < pTo) {
      const c = p.charCodeAt(pi);
      if (c === STAR) {
        starP = pi++;
        starS = si;
        continue;
      }
      if (c === QMARK) {
        pi++;
        si++;
        continue;
      }
      if (c === BACKSLASH && pi + 1 < pTo) {
        if (p.charCodeAt(pi + 1) === s.charCodeAt(si)) {
          pi += 2;
          si++;
          continue;
        }
      } else if (c === s.charCodeAt(si)) {
        pi++;
        si++;
        continue;
      }
    }
    if (starP < 0) return false;
    pi = starP + 1;
    si = ++starS;
  }
  while (pi < pTo && p.charCodeAt(pi) === STAR) pi++;
  return pi === pTo;
}

/**
 * ARN matching for ArnEquals/ArnLike: the six colon-separated components are matched separately, so `*` and `?`
 * never cross a colon inside the first five; the sixth (resource) component may itself contain colons.
 */
export function arnGlobMatch(p: string, s: string): boolean {
  // A bare `*` is the one pattern without six components that still means "any ARN".
  if (isAllStars(p)) return true;
  let pStart = 0;
  let sStart = 0;
  for (let component = 0; component < 5; component++) {
    const pEnd = nextPatternColon(p, pStart);
    const sEnd = s.indexOf(':', sStart);
    if (pEnd < 0 || sEnd < 0) return false;
    if (!globMatch(p, s, pStart, pEnd, sStart, sEnd)) return false;
    pStart = pEnd + 1;
    sStart = sEnd + 1;
  }
  return globMatch(p, s, pStart, p.length, sStart, s.length);
}

/** Index of the next unescaped `:` in an internal pattern, or -1. */
function nextPatternColon(p: string, from: number): number {
  for (let i = from; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === COLON) return i;
  }
  return -1;
}

function isAllStars(p: string): boolean {
  for (let i = 0; i < p.length; i++) if (p.charCodeAt(i) !== STAR) return false;
  return p.length > 0;
}

/** Does the Action pattern `pattern` (as written in a policy) cover `action`? Case-insensitive. */
export function matchesAction(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  const p = escapeBackslashes(pattern.toLowerCase());
  return globMatch(p, action.toLowerCase());
}

/** Does the Resource pattern (as written, variables already resolved) cover `resource`? Case-sensitive. */
export function matchesResource(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  if (!hasWildcard(pattern)) return pattern === resource;
  return globMatch(escapeBackslashes(pattern), resource);
}
