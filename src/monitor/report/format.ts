/** HTML escaping and number formatting for the report. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Four significant digits, plain for ordinary magnitudes; '–' for undefined and NaN. */
export function fmt(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const ax = Math.abs(x);
  if (ax >= 1e6 || ax < 1e-3) return x.toExponential(3);
  return Number(x.toPrecision(4)).toString();
}

export function pct(x: number | undefined): string {
  return x === undefined || Number.isNaN(x) ? '–' : `${fmt(x * 100)}%`;
}
