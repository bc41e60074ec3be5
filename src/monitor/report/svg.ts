/**
 * Inline SVG charts for the report: static markup, no script, so they render in any browser, in e-mail
 * previews and in print. Every number comes from statistics.json-sized summaries, so a chart costs a few KB
 * whatever the input size.
 */
import { esc, fmt } from './format.js';

const W = 360;
const H = 180;
const PAD = { left: 40, right: 10, top: 10, bottom: 34 };
const BASE = '#4e79a7';
const CUR = '#f28e2b';

/** Grouped bars: baseline vs current fraction per bin (labels shown under every few bars). */
export function barChart(title: string, labels: readonly string[], baseline: readonly number[], current: readonly number[]): string {
  const n = labels.length;
  const max = Math.max(1e-12, ...baseline, ...current);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, n);
  const bw = Math.max(1, slot * 0.4);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const bars: string[] = [];
  const every = Math.max(1, Math.ceil(n / 4));
  for (let i = 0; i < n; i++) {
    const x = PAD.left + i * slot + slot * 0.1;
    const tip = `${labels[i]}: baseline ${fmt(baseline[i] * 100)}%, current ${fmt(current[i] * 100)}%`;
    bars.push(`<rect class="bar base" x="${r(x)}" y="${r(y(baseline[i]))}" width="${r(bw)}" height="${r(PAD.top + plotH - y(baseline[i]))}" fill="${BASE}"><title>${esc(tip)}</title></rect>`);
    bars.push(`<rect class="bar cur" x="${r(x + bw)}" y="${r(y(current[i]))}" width="${r(bw)}" height="${r(PAD.top + plotH - y(current[i]))}" fill="${CUR}"><title>${esc(tip)}</title></rect>`);
    if (i % every === 0) {
      bars.push(`<text x="${r(x + bw)}" y="${H - PAD.bottom + 12}" text-anchor="middle" class="tick">${esc(short(labels[i]))}</text>`);
    }
  }
  return frame(title, `${axes(max, '%', 100)}${bars.join('')}`);
}

/** Two step-function CDFs on one value axis. Points are (value, cumulative fraction), sorted by value. */
export function cdfChart(title: string, baseline: readonly [number, number][], current: readonly [number, number][]): string {
  const all = [...baseline, ...current];
  if (all.length === 0) return frame(title, '<text x="50%" y="50%" text-anchor="middle" class="tick">no numeric values</text>');
  let lo = Math.min(...all.map((p) => p[0]));
  let hi = Math.max(...all.map((p) => p[0]));
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (v: number) => PAD.left + ((v - lo) / (hi - lo)) * plotW;
  const y = (f: number) => PAD.top + plotH - f * plotH;
  const path = (pts: readonly [number, number][]) => {
    let d = `M${r(x(lo))},${r(y(0))}`;
    let prev = 0;
    for (const [v, f] of pts) {
      d += `H${r(x(v))}V${r(y(f))}`;
      prev = f;
    }
    return `${d}H${r(x(hi))}V${r(y(prev))}`;
  };
  const ticks = `<text x="${PAD.left}" y="${H - PAD.bottom + 12}" class="tick">${esc(fmt(lo))}</text>` + `<text x="${W - PAD.right}" y="${H - PAD.bottom + 12}" text-anchor="end" class="tick">${esc(fmt(hi))}</text>`;
  const lines =
    (baseline.length ? `<path class="cdf base" d="${path(baseline)}" fill="none" stroke="${BASE}" stroke-width="2"/>` : '') +
    (current.length ? `<path class="cdf cur" d="${path(current)}" fill="none" stroke="${CUR}" stroke-width="2" stroke-dasharray="5 3"/>` : '');
  return frame(title, `${axes(1, '', 1)}${ticks}${lines}`);
}

function axes(max: number, unit: string, scale: number): string {
  const plotH = H - PAD.top - PAD.bottom;
  const x0 = PAD.left;
  const y0 = PAD.top + plotH;
  return (
    `<line x1="${x0}" y1="${PAD.top}" x2="${x0}" y2="${y0}" class="axis"/>` +
    `<line x1="${x0}" y1="${y0}" x2="${W - PAD.right}" y2="${y0}" class="axis"/>` +
    `<text x="${x0 - 4}" y="${PAD.top + 8}" text-anchor="end" class="tick">${esc(fmt(max * scale))}${unit}</text>` +
    `<text x="${x0 - 4}" y="${y0}" text-anchor="end" class="tick">0</text>`
  );
}

function frame(title: string, body: string): string {
  return `<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title>${body}</svg>`;
}

function r(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

/** Tick text: numbers inside bin labels rounded (`[10.000833, 19.99…)` → `[10, 20)`), then capped in length. */
function short(label: string): string {
  const rounded = label.replace(/-?\d+(\.\d+)?(e[-+]?\d+)?/gi, (m) => fmt(Number(Number(m).toPrecision(3))));
  return rounded.length > 16 ? `${rounded.slice(0, 15)}…` : rounded;
}

/**
 * The CDF of a KLL sketch (an item at level i weighs 2^i), thinned to at most `maxPoints` steps so the SVG
 * stays small: a step is kept when it moves the curve by at least 1/maxPoints, plus the last one.
 */
export function sketchCdf(data: readonly (readonly number[])[] | undefined, maxPoints = 200): [number, number][] {
  if (!data) return [];
  const items: [number, number][] = [];
  data.forEach((level, i) => level.forEach((v) => Number.isFinite(v) && items.push([v, 2 ** i])));
  if (items.length === 0) return [];
  items.sort((a, b) => a[0] - b[0]);
  const total = items.reduce((s, it) => s + it[1], 0);
  const out: [number, number][] = [];
  let acc = 0;
  let lastKept = -1;
  for (let i = 0; i < items.length; i++) {
    acc += items[i][1];
    const isLast = i === items.length - 1;
    if (!isLast && items[i + 1][0] === items[i][0]) continue;
    const f = acc / total;
    if (isLast || f - lastKept >= 1 / maxPoints) {
      out.push([items[i][0], f]);
      lastKept = f;
    }
  }
  return out;
}
