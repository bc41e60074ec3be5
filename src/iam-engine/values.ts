/**
 * Parsing of typed condition values (numbers, dates). Strict on purpose: `Number('')` is 0 and `Date.parse`
 * accepts "March 7" and reads zone-less times as local time; none of that may leak into an authorization decision.
 */

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** An integer or decimal, or undefined. */
export function parseNumber(s: string): number | undefined {
  return NUMBER.test(s) ? Number(s) : undefined;
}

const EPOCH_SECONDS = /^\d+(?:\.\d+)?$/;
const ISO_8601 =
  /^([+-]?\d{4,9})(?:-(\d{2})(?:-(\d{2})(?:[Tt](\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;

/**
 * A W3C/ISO-8601 date-time or epoch seconds (AWS accepts both on either side of Date* operators), as epoch
 * milliseconds. Times without a zone are UTC. Undefined when the text is neither.
 */
export function parseDate(s: string): number | undefined {
  if (EPOCH_SECONDS.test(s)) return Number(s) * 1000;
  const m = ISO_8601.exec(s);
  if (!m) return undefined;
  const [, y, mo = '1', d = '1', h = '0', mi = '0', sec = '0', frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(sec);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(Number(y), month - 1, day, hour, minute, second) + (frac ? Number(`0.${frac}`) * 1000 : 0);
  return Number.isFinite(ms) ? ms - zoneOffsetMs(zone) : undefined;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2)) : 0);
  return sign * minutes * 60_000;
}
