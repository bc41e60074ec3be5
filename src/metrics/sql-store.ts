import type { DDSketch } from '@datadog/sketches-js';
import type { Db } from '../state/types.js';
import { canonicalDimensions, parseDimensions } from './dimensions.js';
import { mergeEncoded, newSketch } from './sketch.js';
import type { MetricDatapoint, MetricPoint, MetricQuery, MetricSeries, MetricStore } from './types.js';

const COLUMNS = 'account_id, region, namespace, metric_name, dimensions, period_start, period_seconds, writer_id, sum, count, min, max, sketch, unit';
const PLACEHOLDERS = `(${COLUMNS.split(',').map(() => '?').join(', ')})`;
/** 14 parameters a row: 100 rows stay far below both engines' bound-parameter limits. */
const BATCH_ROWS = 100;

interface Row {
  period_start: number;
  sum: number;
  count: number;
  min: number;
  max: number;
  sketch: string | null;
  unit: string | null;
}

/**
 * Metric points in the `metric_points` table (migration 2), one SQL for SQLite and PostgreSQL. Inserts never
 * conflict (each is a partial aggregate tagged with its writer); queries fold the rows of each period together.
 */
export class SqlMetricStore implements MetricStore {
  constructor(private readonly db: Db, private readonly writerId: string) {}

  async insert(points: MetricPoint[]): Promise<void> {
    if (points.length === 0) return;
    const rows = points.map((p) => this.#row(p));
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < rows.length; i += BATCH_ROWS) {
        const batch = rows.slice(i, i + BATCH_ROWS);
        await tx.run(`INSERT INTO metric_points (${COLUMNS}) VALUES ${batch.map(() => PLACEHOLDERS).join(', ')}`, batch.flat());
      }
    });
  }

  async query(q: MetricQuery): Promise<MetricDatapoint[]> {
    if (!Number.isSafeInteger(q.periodSeconds) || q.periodSeconds <= 0 || q.periodSeconds % 60 !== 0) {
      throw new RangeError(`period must be a positive multiple of 60 seconds, not ${q.periodSeconds}`);
    }
    const rows = await this.db.query<Row>(
      'SELECT period_start, sum, count, min, max, sketch, unit FROM metric_points WHERE account_id = ? AND region = ? AND namespace = ?'
        + ' AND metric_name = ? AND dimensions = ? AND period_start >= ? AND period_start < ? ORDER BY period_start',
      [q.accountId, q.region, q.namespace, q.metricName, canonicalDimensions(q.dimensions), q.start.getTime(), q.end.getTime()],
    );
    const periodMs = q.periodSeconds * 1000;
    const buckets = new Map<number, Bucket>();
    for (const r of rows) {
      const start = Math.floor(Number(r.period_start) / periodMs) * periodMs;
      let b = buckets.get(start);
      if (!b) {
        b = new Bucket(start);
        buckets.set(start, b);
      }
      b.add(r);
    }
    return [...buckets.values()].map((b) => b.datapoint());
  }

  async listSeries(q: { accountId: string; region: string; namespace?: string; metricName?: string; since?: Date }): Promise<MetricSeries[]> {
    const where = ['account_id = ?', 'region = ?'];
    const params: unknown[] = [q.accountId, q.region];
    if (q.namespace !== undefined) { where.push('namespace = ?'); params.push(q.namespace); }
    if (q.metricName !== undefined) { where.push('metric_name = ?'); params.push(q.metricName); }
    if (q.since !== undefined) { where.push('period_start >= ?'); params.push(q.since.getTime()); }
    const rows = await this.db.query<{ namespace: string; metric_name: string; dimensions: string }>(
      `SELECT DISTINCT namespace, metric_name, dimensions FROM metric_points WHERE ${where.join(' AND ')} ORDER BY namespace, metric_name, dimensions`,
      params,
    );
    return rows.map((r) => ({ namespace: r.namespace, metricName: r.metric_name, dimensions: parseDimensions(r.dimensions) }));
  }

  #row(p: MetricPoint): unknown[] {
    if (!(p.count > 0) || !Number.isFinite(p.sum) || !Number.isFinite(p.min) || !Number.isFinite(p.max)) {
      throw new RangeError(`metric point ${p.namespace}/${p.metricName} has no samples or a non-finite statistic`);
    }
    return [p.accountId, p.region, p.namespace, p.metricName, canonicalDimensions(p.dimensions), p.periodStart, p.periodSeconds,
      this.writerId, p.sum, p.count, p.min, p.max, p.sketch ?? null, p.unit ?? null];
  }
}

/** One output period: statistics fold as rows arrive; sketches are merged only if a percentile is asked for. */
class Bucket {
  sum = 0;
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  unit: string | undefined;
  readonly sketches: string[] = [];
  /** Percentiles are only meaningful when every partial kept a sketch. */
  complete = true;

  constructor(readonly start: number) {}

  add(r: Row): void {
    this.sum += Number(r.sum);
    this.count += Number(r.count);
    this.min = Math.min(this.min, Number(r.min));
    this.max = Math.max(this.max, Number(r.max));
    this.unit ??= r.unit ?? undefined;
    if (r.sketch) this.sketches.push(r.sketch);
    else this.complete = false;
  }

  datapoint(): MetricDatapoint {
    let merged: DDSketch | undefined;
    const { min, max, sketches, complete } = this;
    return {
      timestamp: new Date(this.start), sum: this.sum, count: this.count, min, max, average: this.sum / this.count,
      ...(this.unit !== undefined ? { unit: this.unit } : {}),
      percentile(p: number): number | undefined {
        if (!complete || sketches.length === 0 || !(p >= 0 && p <= 100)) return undefined;
        // The extremes are known exactly; in between the sketch is within 1 % relative error.
        if (p === 0) return min;
        if (p === 100) return max;
        if (!merged) {
          merged = newSketch();
          for (const s of sketches) mergeEncoded(merged, s);
        }
        return Math.min(max, Math.max(min, merged.getValueAtQuantile(p / 100)));
      },
    };
  }
}
