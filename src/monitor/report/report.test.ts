import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCsvBatches } from '../inputs/csv.js';
import { analyzeAgainstBaseline, suggestBaseline } from '../jobs.js';
import { renderReport } from './html.js';
import { sketchCdf } from './svg.js';

function table(rows: number, shift: number, seed: number): string {
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  let out = 'amount,<b>score</b>,kind\n';
  for (let i = 0; i < rows; i++) out += `${(rnd() * 100 + shift).toFixed(2)},${(rnd() * 10).toFixed(2)},${['a', 'b', shift ? 'z' : 'c'][i % 3]}\n`;
  return out;
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

async function report(rows: number): Promise<string> {
  const baseline = await suggestBaseline(readCsvBatches(once(table(rows, 0, 1)), { header: true }));
  const r = await analyzeAgainstBaseline(readCsvBatches(once(table(rows, 30, 2)), { header: true }), baseline);
  return renderReport({ baseline: baseline.statistics, constraints: baseline.constraints, current: r.statistics, violations: r.violations, evaluation: r.evaluation, driftMetrics: r.driftMetrics, generatedAt: new Date(0) });
}

describe('HTML report', () => {
  it('is self-contained, escapes feature names, and lists the violations', async () => {
    const html = await report(2000);
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('&lt;b&gt;score&lt;/b&gt;');
    expect(html).not.toContain('<b>score</b>');
    expect(html).toContain('baseline_drift_check');
    expect(html).toContain('1970-01-01T00:00:00.000Z');
  });

  it('stays the same size whatever the number of rows (built from sketches, not data)', async () => {
    const small = (await report(5000)).length;
    const large = (await report(50000)).length;
    expect(large).toBeLessThan(small * 1.5);
    expect(large).toBeLessThan(200_000);
  });

  it('thins a sketch CDF to at most ~maxPoints steps ending at 1', () => {
    const data = [Array.from({ length: 5000 }, (_, i) => i)];
    const cdf = sketchCdf(data, 100);
    expect(cdf.length).toBeLessThanOrEqual(101);
    expect(cdf.at(-1)).toEqual([4999, 1]);
  });

  // Needs the playwright-core dev dependency and Debian's chromium.
  it.skipIf(!existsSync('/usr/bin/chromium'))('renders its charts in headless Chromium without console errors', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      // Any request at all would mean the file is not self-contained.
      const requests: string[] = [];
      page.on('request', (r) => !r.url().startsWith('data:') && r.url() !== 'about:blank' && requests.push(r.url()));
      await page.setContent(await report(3000), { waitUntil: 'load' });
      const boxes = await page.$$eval('svg.chart', (els) => els.map((e) => e.getBoundingClientRect()).map((b) => [b.width, b.height]));
      expect(boxes.length).toBeGreaterThanOrEqual(5); // 3 histograms + 2 CDFs
      for (const [w, h] of boxes) expect(w * h).toBeGreaterThan(0);
      const bars = await page.$$eval('svg.chart rect.bar', (els) => els.filter((e) => e.getBoundingClientRect().height > 0).length);
      expect(bars).toBeGreaterThan(10);
      const cdfs = await page.$$eval('svg.chart path.cdf', (els) => els.map((e) => e.getBoundingClientRect().width));
      expect(cdfs.every((w) => w > 0)).toBe(true);
      expect(await page.textContent('.status')).toMatch(/violation/);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
