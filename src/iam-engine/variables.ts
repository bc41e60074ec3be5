import type { ContextView } from './context.js';
import { escapeBackslashes, escapeLiteral } from './glob.js';

/**
 * Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, `${*}`…). Only Version 2012-10-17
 * substitutes them; under 2008-10-17 the text is literal. A template is parsed once per policy and resolved per
 * request; a variable with no value (and no default) makes the whole value unresolvable, which callers turn into
 * "matches nothing".
 */

type Part =
  /** Policy text between variables; `pattern` is the same text as an internal glob pattern. */
  | { kind: 'text'; raw: string; pattern: string }
  /** `${*}`, `${?}`, `${$}`: the character itself, never a wildcard. */
  | { kind: 'char'; char: string }
  | { kind: 'var'; key: string; lowerKey: string; fallback: string | undefined };

export interface Template {
  readonly parts: readonly Part[];
}

// `${key}` or `${key, 'default'}`; keys never contain whitespace, commas or braces.
const VARIABLE_BODY = /^\s*([^\s,{}']+)\s*(?:,\s*'([^']*)'\s*)?$/;

/** Parses `text` into a template, or returns undefined when nothing in it is substituted. */
export function parseTemplate(text: string, version: string): Template | undefined {
  if (version !== '2012-10-17' || !text.includes('${')) return undefined;
  const parts: Part[] = [];
  let literalStart = 0;
  let searchFrom = 0;
  for (;;) {
    const open = text.indexOf('${', searchFrom);
    if (open < 0) break;
    const close = text.indexOf('}', open + 2);
    if (close < 0) break;
    const part = variablePart(text.slice(open + 2, close));
    if (!part) {
      searchFrom = open + 2; // not a variable: keep it as literal text
      continue;
    }
    pushText(parts, text.slice(literalStart, open));
    parts.push(part);
    literalStart = searchFrom = close + 1;
  }
  if (!parts.length) return undefined;
  pushText(parts, text.slice(literalStart));
  return { parts };
}

function variablePart(body: string): Part | undefined {
  if (body === '*' || body === '?' || body === '$') return { kind: 'char', char: body };
  const m = VARIABLE_BODY.exec(body);
  if (!m) return undefined;
  return { kind: 'var', key: m[1], lowerKey: m[1].toLowerCase(), fallback: m[2] };
}

function pushText(parts: Part[], raw: string): void {
  if (raw) parts.push({ kind: 'text', raw, pattern: escapeBackslashes(raw) });
}

/** Substitutes for exact comparison (StringEquals, Bool…). Undefined when a variable has no value. */
export function resolveText(t: Template, ctx: ContextView): string | undefined {
  let out = '';
  for (const part of t.parts) {
    if (part.kind === 'text') out += part.raw;
    else if (part.kind === 'char') out += part.char;
    else {
      const v = ctx.single(part.key, part.lowerKey) ?? part.fallback;
      if (v === undefined) return undefined;
      out += v;
    }
  }
  return out;
}

/** Substitutes into an internal glob pattern: policy text keeps its wildcards, substituted values match literally. */
export function resolvePattern(t: Template, ctx: ContextView): string | undefined {
  let out = '';
  for (const part of t.parts) {
    if (part.kind === 'text') out += part.pattern;
    else if (part.kind === 'char') out += escapeLiteral(part.char);
    else {
      const v = ctx.single(part.key, part.lowerKey) ?? part.fallback;
      if (v === undefined) return undefined;
      out += escapeLiteral(v);
    }
  }
  return out;
}
