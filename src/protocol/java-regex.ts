/**
 * Model `pattern` traits are Java regexes (AWS validates with java.util.regex, whole-string match). This turns the
 * subset the models use into JS RegExps. A pattern we cannot translate faithfully, or that could backtrack
 * catastrophically on hostile input, yields `undefined`: the caller skips that one check rather than crash or hang.
 */

const cache = new Map<string, RegExp | null>();

/** Java POSIX and java.lang.Character classes, as JS class contents (US-ASCII, as Java defines them). */
const POSIX: Record<string, string> = {
  Lower: 'a-z', Upper: 'A-Z', ASCII: '\\x00-\\x7F', Alpha: 'a-zA-Z', Digit: '0-9', Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~', Graph: '!-~', Print: ' -~', Blank: ' \\t', Cntrl: '\\x00-\\x1F\\x7F', XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};

/** Java groups with no JS equivalent we trust: atomic groups and inline flags (`(?i)`, `(?s:…)`). */
const UNSUPPORTED_GROUP = /\(\?>|\(\?[a-zA-Z-]+[:)]/;
/** Java escapes with no JS equivalent (`\h`, `\R`, `\X`…). */
const UNSUPPORTED_ESCAPE = /[GhHRXKvV]/;

/** A quantified group that contains an unbounded `.` run, like `.*(?:[ \r\n\t].*)*`: exponential on a near miss. */
const NESTED_DOT_STAR = /\((?:[^()]|\([^()]*\))*\.[*+](?:[^()]|\([^()]*\))*\)(?:[*+]|\{\d+,\})/;

/** The compiled, anchored pattern; cached (models reuse a few hundred patterns on every request). */
export function compileJavaPattern(pattern: string): RegExp | undefined {
  let compiled = cache.get(pattern);
  if (compiled === undefined) {
    compiled = compile(pattern) ?? null;
    cache.set(pattern, compiled);
  }
  return compiled ?? undefined;
}

function compile(pattern: string): RegExp | undefined {
  if (UNSUPPORTED_GROUP.test(pattern) || NESTED_DOT_STAR.test(pattern)) return undefined;
  const source = translate(pattern);
  if (source === undefined) return undefined;
  try {
    // The u flag makes \p{L} and surrogate pairs (\uD800\uDC00) mean what they mean in Java.
    return new RegExp(`^(?:${source})$`, 'u');
  } catch {
    return undefined;
  }
}

/** Rewrites Java-only escapes; returns undefined when the pattern uses something we do not translate. */
export function translate(pattern: string): string | undefined {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '[') {
      if (inClass) return undefined; // Java class union `[a[b]]`
      inClass = true;
      out += c;
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') out += `\\${pattern[++i]}`; // Java allows a leading literal ']'
      continue;
    }
    if (c === ']' && inClass) inClass = false;
    if (inClass && c === '&' && pattern[i + 1] === '&') return undefined; // Java class intersection
    if (!inClass && isPossessive(pattern, i)) return undefined;
    if (c === '$' && !inClass) {
      out += '$';
      i = skipQuantifier(pattern, i + 1) - 1; // `${1,128}` quantifies an assertion: legal in Java, an error in JS
      continue;
    }
    if (c !== '\\') {
      out += c;
      continue;
    }
    const escaped = translateEscape(pattern, i, inClass);
    if (!escaped) return undefined;
    out += escaped.text;
    i = escaped.end - 1;
  }
  return inClass ? undefined : out;
}

function translateEscape(pattern: string, start: number, inClass: boolean): { text: string; end: number } | undefined {
  const next = pattern[start + 1];
  if (next === undefined) return undefined;
  if (next === 'p' || next === 'P') return propertyEscape(pattern, start, inClass);
  if (next === 'Q') {
    const close = pattern.indexOf('\\E', start + 2);
    const literal = pattern.slice(start + 2, close < 0 ? undefined : close);
    return { text: literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'), end: close < 0 ? pattern.length : close + 2 };
  }
  if (!inClass && (next === 'A' || next === 'z')) {
    return { text: next === 'A' ? '^' : '$', end: next === 'z' ? skipQuantifier(pattern, start + 2) : start + 2 };
  }
  if (!inClass && next === 'Z') return { text: '(?=\\n?$)', end: start + 2 };
  if (next === 'e') return { text: '\\x1B', end: start + 2 };
  if (next === 'a') return { text: '\\x07', end: start + 2 };
  if (next === 'x' && pattern[start + 2] === '{') {
    const close = pattern.indexOf('}', start);
    return close < 0 ? undefined : { text: `\\u{${pattern.slice(start + 3, close)}}`, end: close + 1 };
  }
  if (UNSUPPORTED_ESCAPE.test(next)) return undefined;
  if (/[A-Za-z0-9]/.test(next)) return { text: `\\${next}`, end: start + 2 };
  // Java lets any punctuation be escaped; JS's u flag only allows syntax characters (and '-' in a class).
  const keep = /[\^$\\.*+?()[\]{}|/]/.test(next) || (inClass && next === '-');
  return { text: keep ? `\\${next}` : next, end: start + 2 };
}

function propertyEscape(pattern: string, start: number, inClass: boolean): { text: string; end: number } | undefined {
  const negated = pattern[start + 1] === 'P';
  const close = pattern.indexOf('}', start);
  if (pattern[start + 2] !== '{' || close < 0) return undefined;
  const name = pattern.slice(start + 3, close);
  const end = close + 1;
  const posix = POSIX[name] ?? POSIX[name.replace(/^Is/, '')];
  if (posix) {
    if (inClass) return negated ? undefined : { text: posix, end };
    return { text: `[${negated ? '^' : ''}${posix}]`, end };
  }
  // Unicode categories, scripts and binary properties: Java's `IsL`/`IsLatin`/`IsAlphabetic` are JS's
  // `L`/`Script=Latin`/`Alphabetic`; blocks (`InGreek`) have no JS form.
  const candidates = name.startsWith('Is') ? [name.slice(2), `Script=${name.slice(2)}`] : [name];
  const jsName = candidates.find(isUnicodeProperty);
  return jsName ? { text: `\\${negated ? 'P' : 'p'}{${jsName}}`, end } : undefined;
}

function isUnicodeProperty(name: string): boolean {
  try {
    new RegExp(`\\p{${name}}`, 'u');
    return true;
  } catch {
    return false;
  }
}

/** A possessive quantifier (`a*+`, `a{2}+`): JS has no possessive or atomic matching. */
function isPossessive(pattern: string, i: number): boolean {
  const c = pattern[i];
  if ((c === '*' || c === '+' || c === '?') && pattern[i - 1] !== '(') return pattern[i + 1] === '+';
  if (c !== '{') return false;
  const end = skipQuantifier(pattern, i);
  return end > i && pattern[end] === '+';
}

/** Index just past a quantifier at `i` (or `i` itself when there is none). */
function skipQuantifier(pattern: string, i: number): number {
  const m = /^(?:[*+?]|\{\d+(?:,\d*)?\})/.exec(pattern.slice(i, i + 16));
  return m ? i + m[0].length : i;
}
