import type { ByteSource } from './types.js';

/**
 * Decodes a byte stream as UTF-8 across chunk boundaries and drops a leading byte-order mark. Invalid byte
 * sequences become U+FFFD rather than failing the job: one corrupt record in a day of capture should be counted,
 * not fatal.
 */
export async function* textChunks(source: ByteSource): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
  let first = true;
  for await (const chunk of source) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (text.length > 0) yield text;
  }
  const tail = decoder.decode();
  if (tail.length > 0) yield tail;
}

/**
 * Text lines with their 1-based number. `\n` ends a line and a `\r` right before it is dropped; a last line
 * without `\n` still counts. Memory is bounded by the chunk size plus the longest line.
 */
export async function* lines(source: ByteSource): AsyncGenerator<{ text: string; line: number }> {
  let pending = '';
  let line = 0;
  for await (const text of textChunks(source)) {
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      let raw = text.slice(start, nl);
      if (pending.length > 0) {
        raw = pending + raw;
        pending = '';
      }
      yield { text: stripCr(raw), line: ++line };
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    pending += text.slice(start);
  }
  if (pending.length > 0) yield { text: stripCr(pending), line: ++line };
}

function stripCr(s: string): string {
  return s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}

export const REPLACEMENT = '\uFFFD';
