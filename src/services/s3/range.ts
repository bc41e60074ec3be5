import { s3Errors } from './errors.js';

/** Inclusive byte range. */
export interface ByteRange {
  start: number;
  end: number;
}

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * One `Range: bytes=…` (`a-b`, `a-`, `-n`) against an object of `size` bytes. As S3 does, a header it cannot
 * use (another unit, several ranges, a > b, bad syntax) is ignored and the whole object is sent; a range that
 * starts past the end, a zero-length suffix, or any range of an empty object is 416 InvalidRange.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = SINGLE_RANGE.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) throw s3Errors.invalidRange(header, size);
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) throw s3Errors.invalidRange(header, size);
  return { start, end: m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1) };
}

/** UploadPartCopy's `x-amz-copy-source-range`: must be `bytes=a-b` within the source, else InvalidArgument/InvalidRange. */
export function parseCopySourceRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  if (!m || Number(m[2]) < Number(m[1])) {
    throw s3Errors.invalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
      'x-amz-copy-source-range', header);
  }
  const range = { start: Number(m[1]), end: Number(m[2]) };
  if (range.end >= size) throw s3Errors.invalidRange(header, size);
  return range;
}
