/**
 * A one-line progress bar on stderr (bytes read / total, rows), redrawn at most ten times a second, and only
 * when stderr is a terminal: logs and CI output stay clean.
 */
export class Progress {
  private bytes = 0;
  private rows = 0;
  private last = 0;
  private drawn = false;

  constructor(
    private readonly total: number | undefined,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly enabled = out.isTTY === true,
  ) {}

  addBytes(n: number): void {
    this.bytes += n;
    this.tick();
  }

  setRows(n: number): void {
    this.rows = n;
    this.tick();
  }

  /** Erases the bar so the next message starts on a clean line. */
  done(): void {
    if (this.enabled && this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }

  private tick(): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.drawn = true;
    this.out.write(`\r\x1b[K${progressLine(this.bytes, this.total, this.rows)}`);
  }
}

export function progressLine(bytes: number, total: number | undefined, rows: number): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const rowText = `${rows.toLocaleString('en-US')} rows`;
  if (!total) return `${mb(bytes)} MB, ${rowText}`;
  const frac = Math.min(1, bytes / total);
  const width = 30;
  const full = Math.round(frac * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb(bytes)}/${mb(total)} MB, ${rowText}`;
}
