/** Running counters for the traffic generator's progress lines. */
const ms = (x: number): string => (Number.isNaN(x) ? '–' : `${x.toFixed(1)} ms`);

export class TrafficStats {
  ok = 0;
  failed = 0;
  readonly errors = new Map<string, number>();
  private latencies: number[] = [];
  private scoreSum = 0;
  private scoreCount = 0;
  private driftedRequests = 0;

  /** Records a success; `body` is the model's answer (CSV or JSON), whose numbers are the fraud scores. */
  success(latencyMs: number, body: string, drifted: boolean): void {
    this.ok++;
    if (drifted) this.driftedRequests++;
    this.latencies.push(latencyMs);
    // The response format is the serving runtime's choice; every number in it is a probability here.
    for (const m of body.matchAll(/-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g)) {
      this.scoreSum += Number(m[0]);
      this.scoreCount++;
    }
  }

  failure(err: unknown): void {
    this.failed++;
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; message?: string };
    const key = `${e.name ?? 'Error'}${e.$metadata?.httpStatusCode ? ` (${e.$metadata.httpStatusCode})` : ''}`;
    if (!this.errors.has(key)) console.error(`first ${key}: ${e.message ?? String(err)}`);
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  percentile(q: number): number {
    if (this.latencies.length === 0) return Number.NaN;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  }

  meanScore(): number {
    return this.scoreCount === 0 ? Number.NaN : this.scoreSum / this.scoreCount;
  }

  line(elapsedSeconds: number): string {
    const errors = [...this.errors].map(([k, n]) => `${k}×${n}`).join(', ');
    return (
      `[${elapsedSeconds.toFixed(1)} s] ok ${this.ok} (drifted ${this.driftedRequests}), failed ${this.failed}` +
      (errors ? ` [${errors}]` : '') +
      ` | latency p50 ${ms(this.percentile(0.5))}, p95 ${ms(this.percentile(0.95))}` +
      ` | mean P(fraud) ${Number.isNaN(this.meanScore()) ? '–' : this.meanScore().toFixed(4)}`
    );
  }
}
