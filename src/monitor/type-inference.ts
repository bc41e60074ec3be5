/**
 * Deequ's data type inference (spec §2.1; Deequ `StatefulDataType` + `DataTypeHistogram.determineType`).
 *
 * Per value, in this order (Java `Matcher.matches`, so the whole string must match; `\d` is ASCII only):
 *   FRACTIONAL  ^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))$
 *   INTEGRAL    ^(-|\+)? ?\d+$
 *   BOOLEAN     ^(true|false)$
 *   else String; null (and, for CSV, the empty cell) is Unknown.
 * Per column: all Unknown → Unknown; any String, or Boolean together with numbers → String;
 * only Boolean → Boolean; any Fractional → Fractional; else Integral.
 *
 * `classifyString` is a hand-written scanner equivalent to the regexes (tests check equivalence on many
 * strings) that also yields the parsed double, so the hot path neither runs a regex nor parses twice.
 */

export const enum Kind {
  Unknown = 0,
  Fractional = 1,
  Integral = 2,
  Boolean = 3,
  String = 4,
}

export type DeequType = 'Unknown' | 'Fractional' | 'Integral' | 'Boolean' | 'String';

/** The regexes themselves, for reference and equivalence tests (not used on the hot path). */
export const FRACTIONAL_RE = /^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))$/;
export const INTEGRAL_RE = /^(-|\+)? ?\d+$/;
export const BOOLEAN_RE = /^(true|false)$/;

// Powers of ten exactly representable as doubles: m / 10^e and m * 10^e are then correctly rounded
// whenever m < 2^53 (Clinger's fast path), i.e. equal to Java's Double.parseDouble.
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_FAST_DIGITS = 15;

/** Parsed value of the last numeric classification (avoids returning a tuple per value). */
export const parsed = { value: 0 };

/**
 * Classify a non-empty cell string; for Fractional/Integral also store its double in `parsed.value`.
 * Callers treat the empty string as missing before calling.
 */
export function classifyString(s: string): Kind {
  return classifyRange(s, 0, s.length);
}

/**
 * `classifyString(s.slice(start, end))` without making the substring: the columnar CSV profiler classifies
 * cells in place in the chunk text, so numeric cells (most of them) never become strings. Requires end > start
 * and that the character at `end`, if any, is not one the number grammar accepts (`0-9 . e E + -` or a space):
 * the scanner then stops at `end` by itself, which saves a bounds check per character. A CSV cell is followed by
 * the delimiter, `\r` or `\n`, so callers only need to rule out such delimiters (see `safeTerminator`).
 */
export function classifyRange(s: string, start: number, end: number): Kind {
  const n = end;
  let i = start;
  let c = s.charCodeAt(i);
  let negative = false;
  if (c === 45 /* - */ || c === 43 /* + */) {
    negative = c === 45;
    c = s.charCodeAt(++i);
  }
  if (c === 32 /* space */) c = s.charCodeAt(++i);
  // integer digits
  const intStart = i;
  let mant = 0;
  let sig = 0;
  while (c >= 48 && c <= 57) {
    if (sig > 0 || c !== 48) {
      mant = mant * 10 + (c - 48);
      sig++;
    }
    c = s.charCodeAt(++i);
  }
  if (i === intStart) return isBoolean(s, start, n) ? Kind.Boolean : Kind.String;
  if (i === n) {
    parsed.value = sig <= MAX_FAST_DIGITS ? (negative ? -mant : mant) : slowParse(s, start, end);
    return Kind.Integral;
  }
  let scale = 0;
  if (c === 46 /* . */) {
    c = s.charCodeAt(++i);
    const fracStart = i;
    while (c >= 48 && c <= 57) {
      if (sig > 0 || c !== 48) {
        mant = mant * 10 + (c - 48);
        sig++;
      }
      scale++;
      c = s.charCodeAt(++i);
    }
    if (i === fracStart) return Kind.String;
    if (i === n) {
      parsed.value = sig <= MAX_FAST_DIGITS && scale <= 22 ? signed(mant / POW10[scale], negative) : slowParse(s, start, end);
      return Kind.Fractional;
    }
  }
  if (c !== 101 /* e */ && c !== 69 /* E */) return Kind.String;
  c = s.charCodeAt(++i);
  let expNegative = false;
  if (c === 45 || c === 43) {
    expNegative = c === 45;
    c = s.charCodeAt(++i);
  }
  const expStart = i;
  let exp = 0;
  while (c >= 48 && c <= 57) {
    if (exp < 1e6) exp = exp * 10 + (c - 48);
    c = s.charCodeAt(++i);
  }
  if (i === expStart || i !== n) return Kind.String;
  const e = (expNegative ? -exp : exp) - scale;
  if (sig <= MAX_FAST_DIGITS && e >= -22 && e <= 22) {
    parsed.value = signed(e < 0 ? mant / POW10[-e] : mant * POW10[e], negative);
  } else {
    parsed.value = slowParse(s, start, end);
  }
  return Kind.Fractional;
}

/** Whether cells ending at this character may use `classifyRange` in place. */
export function safeTerminator(ch: string): boolean {
  return ch.length === 1 && !/[0-9.eE+\- ]/.test(ch);
}

function isBoolean(s: string, start: number, end: number): boolean {
  const len = end - start;
  if (len === 4) return s.startsWith('true', start);
  return len === 5 && s.startsWith('false', start);
}

function signed(v: number, negative: boolean): number {
  return negative ? -v : v;
}

/** Correctly rounded parse for long mantissas or large exponents; drops the optional space after the sign. */
function slowParse(s: string, start: number, end: number): number {
  const c = s.charCodeAt(start);
  if ((c === 45 || c === 43) && s.charCodeAt(start + 1) === 32) return Number(s[start] + s.slice(start + 2, end));
  return Number(s.slice(start, end));
}

/** Regex-based classification, exactly Deequ's code path (for tests and non-hot callers). */
export function classifyStringByRegex(s: string): Kind {
  if (FRACTIONAL_RE.test(s)) return Kind.Fractional;
  if (INTEGRAL_RE.test(s)) return Kind.Integral;
  if (BOOLEAN_RE.test(s)) return Kind.Boolean;
  return Kind.String;
}

/** Counts of values per kind for one column. */
export interface TypeCounts {
  unknown: number;
  fractional: number;
  integral: number;
  boolean: number;
  string: number;
}

/** Deequ's DataTypeHistogram.determineType. */
export function determineType(t: TypeCounts): DeequType {
  const known = t.fractional + t.integral + t.boolean + t.string;
  if (known === 0) return 'Unknown';
  if (t.string > 0 || (t.boolean > 0 && (t.integral > 0 || t.fractional > 0))) return 'String';
  if (t.boolean > 0) return 'Boolean';
  if (t.fractional > 0) return 'Fractional';
  return 'Integral';
}
