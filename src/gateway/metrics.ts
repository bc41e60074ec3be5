/**
 * In-process request metrics (count, errors, latency) per service operation. Recording never throws:
 * a metrics fault must not fail a request.
 */
export interface OperationStats {
  count: number;
  clientErrors: number;
  serverErrors: number;
  totalMs: number;
  maxMs: number;
}

export class RequestMetrics {
  private readonly stats = new Map<string, OperationStats>();

  record(service: string, operation: string, status: number, durationMs: number): void {
    try {
      const key = `${service}:${operation}`;
      let s = this.stats.get(key);
      if (!s) {
        s = { count: 0, clientErrors: 0, serverErrors: 0, totalMs: 0, maxMs: 0 };
        this.stats.set(key, s);
      }
      s.count++;
      if (status >= 500) s.serverErrors++;
      else if (status >= 400) s.clientErrors++;
      s.totalMs += durationMs;
      if (durationMs > s.maxMs) s.maxMs = durationMs;
    } catch {
      // recordSafely: metrics are best effort by design.
    }
  }

  snapshot(): Record<string, OperationStats> {
    return Object.fromEntries([...this.stats].map(([k, v]) => [k, { ...v }]));
  }
}
