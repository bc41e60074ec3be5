import { open, type FileHandle } from 'node:fs/promises';
import type { DatasetProfile } from '../profile.js';
import { checkFeatureCount } from '../profile-limits.js';
import { CsvColumnProfiler } from './csv-columns.js';
import { headerNames } from './csv-shape.js';
import type { ReadStats } from './types.js';

/**
 * Byte-range access to a local, uncompressed CSV file for the columnar profiler: where the data starts and what
 * the columns are called (read once, by whoever splits the file), line-aligned ranges, and profiling one range.
 */

/** Reads of 1 MiB: no row objects are made on this path, so big chunks do not strain the young generation. */
const CHUNK = 1 << 20;
const NL = 10;

export interface CsvLayout {
  /** Column names: the header's (deduplicated as CsvShape does) or `_c0`, `_c1`, … */
  names: string[];
  /** Byte offset of the first data line (after a BOM, leading empty lines and the header). */
  dataStart: number;
  size: number;
}

/**
 * Names and data start (no names and an empty data range when the file has no record), or undefined when the
 * first record has a double quote: the row reader must parse it.
 */
export async function csvLayout(path: string, header: boolean, delimiter: string): Promise<CsvLayout | undefined> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    let pos = 0;
    let buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return { names: [], dataStart: size, size };
      let start = 0;
      if (pos === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
      // Skip empty lines (a lone "\r\n" or "\n") before the first record.
      while (start < bytesRead && (buf[start] === NL || (buf[start] === 13 && start + 1 < bytesRead && buf[start + 1] === NL))) {
        start += buf[start] === NL ? 1 : 2;
      }
      pos += start;
      if (start === bytesRead) continue;
      const nl = buf.indexOf(NL, start);
      if (nl < 0 || nl >= bytesRead) {
        if (pos + bytesRead - start >= size) return layoutOf(buf.toString('utf8', start, bytesRead), pos, size, header, delimiter);
        buf = Buffer.alloc(buf.length * 2);
        continue;
      }
      return layoutOf(buf.toString('utf8', start, nl), pos, size, header, delimiter, nl - start + 1);
    }
  } finally {
    await fh.close();
  }
}

function layoutOf(line: string, at: number, size: number, header: boolean, delimiter: string, lineBytes = size - at): CsvLayout | undefined {
  if (line.includes('"')) return undefined;
  const cells = (line.endsWith('\r') ? line.slice(0, -1) : line).split(delimiter);
  checkFeatureCount(cells.length);
  const names = header ? headerNames(cells) : cells.map((_, i) => `_c${i}`);
  return { names, dataStart: header ? at + lineBytes : at, size };
}

/** Up to `parts` ranges covering [dataStart, size), each starting at a line start. */
export async function lineAlignedRanges(path: string, layout: CsvLayout, parts: number): Promise<[number, number][]> {
  const { dataStart, size } = layout;
  const cuts = [dataStart];
  const fh = await open(path, 'r');
  try {
    for (let i = 1; i < parts; i++) {
      const guess = dataStart + Math.floor(((size - dataStart) * i) / parts);
      const cut = await nextLineStart(fh, Math.max(guess, cuts[cuts.length - 1]), size);
      if (cut > cuts[cuts.length - 1] && cut < size) cuts.push(cut);
    }
  } finally {
    await fh.close();
  }
  cuts.push(size);
  return cuts.slice(0, -1).map((c, i) => [c, cuts[i + 1]]);
}

/** The first line start at or after `from` (a position right after a newline), or `size`. */
async function nextLineStart(fh: FileHandle, from: number, size: number): Promise<number> {
  const buf = Buffer.alloc(64 * 1024);
  let pos = from - 1;
  while (pos < size) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    const nl = buf.indexOf(NL);
    if (nl >= 0 && nl < bytesRead) return pos + nl + 1;
    pos += bytesRead;
  }
  return size;
}

/**
 * Profiles the lines in [start, end) of a file (start at a line start) into `profile`. False as soon as a
 * double quote shows up: the profile is then partial and the caller falls back to the row reader.
 */
export async function profileCsvRange(
  path: string,
  range: { start: number; end: number; names: readonly string[]; delimiter: string },
  profile: DatasetProfile,
  stats: ReadStats,
  onBytes?: (n: number) => void,
): Promise<boolean> {
  const profiler = new CsvColumnProfiler(profile, range.names, range.delimiter, stats);
  const fh = await open(path, 'r');
  try {
    let buf: Buffer = Buffer.allocUnsafe(CHUNK);
    let carry = 0;
    let pos = range.start;
    while (pos < range.end) {
      if (carry === buf.length) buf = grow(buf, carry);
      const want = Math.min(buf.length - carry, range.end - pos);
      const { bytesRead } = await fh.read(buf, carry, want, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const filled = carry + bytesRead;
      // Cut after the last newline: a newline byte never occurs inside a UTF-8 sequence, so each piece decodes alone.
      const cut = pos >= range.end ? filled : buf.lastIndexOf(NL, filled - 1) + 1;
      if (cut > 0) {
        if (!profiler.addText(buf.toString('utf8', 0, cut))) return false;
        buf.copy(buf, 0, cut, filled);
      }
      carry = filled - cut;
      onBytes?.(bytesRead);
    }
    if (carry > 0 && !profiler.addText(buf.toString('utf8', 0, carry))) return false;
    return true;
  } finally {
    await fh.close();
  }
}

function grow(buf: Buffer, used: number): Buffer {
  const bigger = Buffer.allocUnsafe(buf.length * 2);
  buf.copy(bigger, 0, 0, used);
  return bigger;
}
