/**
 * The analysis report: one self-contained HTML file (inline CSS and SVG, no script, no network), built only from
 * statistics, constraints and drift summaries, so its size depends on the number of features, never on the
 * number of rows.
 */
import type { MonitoringEvaluation, FeatureEvaluation } from '../checks.js';
import type { Constraints } from '../constraints.js';
import type { DriftMetrics } from '../drift-metrics.js';
import type { FeatureStatistics, Statistics } from '../schema.js';
import type { ConstraintViolations } from '../violations.js';
import { esc, fmt, pct } from './format.js';
import { barChart, cdfChart, sketchCdf } from './svg.js';
import { STYLE } from './style.js';

export interface ReportInput {
  title?: string;
  /** Shown in the header; injectable so tests get stable output. */
  generatedAt?: Date;
  baseline: Statistics;
  current: Statistics;
  constraints: Constraints;
  violations: ConstraintViolations;
  evaluation?: MonitoringEvaluation;
  driftMetrics?: ReadonlyMap<string, DriftMetrics>;
}

/** Beyond this many features only those with violations start expanded, keeping the page quick to open. */
const EXPAND_ALL_UP_TO = 50;
const MAX_CATEGORIES = 20;

export function renderReport(input: ReportInput): string {
  const title = input.title ?? 'Vigil data-quality report';
  const byFeature = new Map<string, string[]>();
  for (const v of input.violations.violations) byFeature.set(v.feature_name, [...(byFeature.get(v.feature_name) ?? []), v.constraint_check_type]);
  const evals = new Map((input.evaluation?.features ?? []).map((f) => [f.name, f]));
  const base = new Map(input.baseline.features.map((f) => [f.name, f]));
  const names = [...new Set([...input.baseline.features.map((f) => f.name), ...input.current.features.map((f) => f.name)])];
  const cur = new Map(input.current.features.map((f) => [f.name, f]));
  const n = input.violations.violations.length;
  const status = n === 0 ? '<span class="ok">No violations</span>' : `<span class="bad">${n} violation${n === 1 ? '' : 's'}</span>`;
  const features = names.map((name) =>
    featureSection(name, base.get(name), cur.get(name), evals.get(name), input.driftMetrics?.get(name), byFeature.get(name) ?? [], names.length <= EXPAND_ALL_UP_TO),
  );
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><header><h1>${esc(title)}</h1><p class="status">${status}</p>
<p class="meta">Generated ${esc((input.generatedAt ?? new Date()).toISOString())} · baseline ${input.baseline.dataset.item_count.toLocaleString('en-US')} rows · current ${input.current.dataset.item_count.toLocaleString('en-US')} rows · ${names.length} features</p>
<p class="legend"><span class="swatch base"></span>baseline <span class="swatch cur"></span>current</p></header>
<main>
<section><h2>Violations</h2>${violationsTable(input.violations)}</section>
<section><h2>Data quality and drift</h2>${summaryTable(names, base, cur, evals, input.driftMetrics, byFeature, input.constraints)}</section>
<section><h2>Features</h2>${features.join('\n')}</section>
</main></body></html>
`;
}

function violationsTable(v: ConstraintViolations): string {
  if (v.violations.length === 0) return '<p class="ok">All constraints are met.</p>';
  const rows = v.violations.map((x) => `<tr><td><a href="#f-${anchor(x.feature_name)}">${esc(x.feature_name)}</a></td><td><code>${esc(x.constraint_check_type)}</code></td><td>${esc(x.description)}</td></tr>`);
  return `<table class="violations"><thead><tr><th>Feature</th><th>Check</th><th>Description</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function summaryTable(
  names: string[],
  base: Map<string, FeatureStatistics>,
  cur: Map<string, FeatureStatistics>,
  evals: Map<string, FeatureEvaluation>,
  drift: ReadonlyMap<string, DriftMetrics> | undefined,
  byFeature: Map<string, string[]>,
  constraints: Constraints,
): string {
  const fc = new Map(constraints.features.map((f) => [f.name, f]));
  const rows = names.map((name) => {
    const b = base.get(name);
    const c = cur.get(name);
    const e = evals.get(name);
    const d = drift?.get(name);
    const bad = byFeature.has(name);
    const driftCell = e?.drift ? `<span class="${e.drift.violated ? 'bad' : 'ok'}">${fmt(e.drift.value)}</span> / ${fmt(e.drift.threshold)} <small>${esc(e.drift.method)}</small>` : '–';
    return `<tr class="${bad ? 'has-violation' : ''}"><td><a href="#f-${anchor(name)}">${esc(name)}</a></td><td>${esc(b?.inferred_type ?? '—')} → ${esc(c?.inferred_type ?? '—')}</td><td>${pct(fc.get(name)?.completeness)} → ${pct(completeness(c))}</td><td>${driftCell}</td><td>${fmt(d?.psi)}</td><td>${fmt(d?.jensenShannon)}</td><td>${fmt(d?.wasserstein)}</td><td>${bad ? `<span class="bad">${esc(byFeature.get(name)!.join(', '))}</span>` : '<span class="ok">ok</span>'}</td></tr>`;
  });
  return `<table class="summary"><thead><tr><th>Feature</th><th>Type (baseline → current)</th><th>Completeness (baseline → current)</th><th title="SageMaker baseline_drift_check: distance / threshold">Drift distance / threshold</th><th title="Population stability index (&lt;0.1 stable, &gt;0.2 shifted)">PSI</th><th title="Jensen–Shannon distance, base 2">JS</th><th title="Wasserstein-1 in baseline standard deviations">Wasserstein</th><th>Status</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function featureSection(
  name: string,
  b: FeatureStatistics | undefined,
  c: FeatureStatistics | undefined,
  e: FeatureEvaluation | undefined,
  d: DriftMetrics | undefined,
  checks: string[],
  expandAll: boolean,
): string {
  const open = expandAll || checks.length > 0 ? ' open' : '';
  const charts: string[] = [];
  if (d) {
    const top = topBins(d);
    charts.push(barChart(`${name}: distribution (fraction per ${d.kind === 'numerical' ? 'bin' : 'category'})`, top.labels, top.baseline, top.current));
  } else {
    const one = b ?? c;
    const kll = one?.numerical_statistics?.distribution?.kll.buckets;
    if (kll && kll.length > 0) {
      const total = kll.reduce((s, k) => s + k.count, 0) || 1;
      const fr = kll.map((k) => k.count / total);
      const zeros = fr.map(() => 0);
      charts.push(barChart(`${name}: ${b ? 'baseline' : 'current'} distribution`, kll.map((k) => `${fmt(k.lower_bound)}–${fmt(k.upper_bound)}`), b ? fr : zeros, b ? zeros : fr));
    }
  }
  const bs = b?.numerical_statistics?.distribution?.kll.sketch.data;
  const cs = c?.numerical_statistics?.distribution?.kll.sketch.data;
  if (bs || cs) charts.push(cdfChart(`${name}: cumulative distribution`, sketchCdf(bs), sketchCdf(cs)));
  const badge = checks.length ? `<span class="bad">${esc(checks.join(', '))}</span>` : '<span class="ok">ok</span>';
  return `<details id="f-${anchor(name)}" class="feature"${open}><summary><strong>${esc(name)}</strong> ${badge}</summary>
<div class="charts">${charts.join('') || '<p>No distribution to chart.</p>'}</div>${statsTable(b, c, e)}</details>`;
}

function topBins(d: DriftMetrics): { labels: string[]; baseline: number[]; current: number[] } {
  const { labels, baseline, current } = d.bins;
  if (d.kind === 'numerical' || labels.length <= MAX_CATEGORIES) return d.bins;
  const order = labels.map((_, i) => i).sort((i, j) => baseline[j] + current[j] - (baseline[i] + current[i])).slice(0, MAX_CATEGORIES);
  return { labels: order.map((i) => labels[i]), baseline: order.map((i) => baseline[i]), current: order.map((i) => current[i]) };
}

function statsTable(b: FeatureStatistics | undefined, c: FeatureStatistics | undefined, e: FeatureEvaluation | undefined): string {
  const row = (label: string, f: (s: FeatureStatistics) => string) => `<tr><th>${label}</th><td>${b ? f(b) : '—'}</td><td>${c ? f(c) : '—'}</td></tr>`;
  const num = (k: 'mean' | 'std_dev' | 'min' | 'max') => (s: FeatureStatistics) => fmt(s.numerical_statistics?.[k]);
  const rows = [
    row('type', (s) => esc(s.inferred_type)),
    row('present', (s) => String(common(s)?.num_present ?? '–')),
    row('missing', (s) => String(common(s)?.num_missing ?? '–')),
    row('mean', num('mean')),
    row('std dev', num('std_dev')),
    row('min', num('min')),
    row('max', num('max')),
    row('distinct (approx.)', (s) => fmt(s.string_statistics?.distinct_count)),
  ];
  const extra = e?.dataTypeMatch !== undefined ? `<p class="meta">Type match ${pct(e.dataTypeMatch)}${e.domainMatch !== undefined ? ` · in domain ${pct(e.domainMatch)}` : ''}</p>` : '';
  return `<table class="stats"><thead><tr><th></th><th>baseline</th><th>current</th></tr></thead><tbody>${rows.join('')}</tbody></table>${extra}`;
}

function common(s: FeatureStatistics) {
  return s.numerical_statistics?.common ?? s.string_statistics?.common;
}

function completeness(s: FeatureStatistics | undefined): number | undefined {
  const c = s && common(s);
  if (!c) return undefined;
  const total = c.num_present + c.num_missing;
  return total === 0 ? undefined : c.num_present / total;
}

/** Ids must be unique and safe in a URL fragment whatever the feature name. */
function anchor(name: string): string {
  return encodeURIComponent(name).replace(/[%'()*!.~]/g, (ch) => `_${ch.charCodeAt(0).toString(16)}`);
}
