import { syntaxError } from './errors.js';

/**
 * JSON.parse plus a check AWS makes and JSON.parse does not: no key may repeat within one object. Silently
 * keeping the last of two `"StringEquals"` blocks would drop a condition the author wrote, so we refuse.
 */
export function parsePolicyJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw syntaxError();
  }
  assertNoDuplicateKeys(text);
  return value;
}

/** Scans text already known to be valid JSON, tracking the key set of each open object. */
function assertNoDuplicateKeys(text: string): void {
  const stack: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) stack.push(new Set());
    else if (c === 0x5b /* [ */) stack.push(null);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x22 /* " */) {
      const end = endOfString(text, i);
      const keys = stack[stack.length - 1];
      if (keys && isFollowedByColon(text, end + 1)) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) throw syntaxError();
        keys.add(key);
      }
      i = end;
    }
  }
}

/** Index of the closing quote of the string literal opening at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return text.length - 1;
}

function isFollowedByColon(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a /* : */) return true;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return false;
}
