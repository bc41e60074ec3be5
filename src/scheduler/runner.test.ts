import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { JobRunner } from './runner.js';

const silent = pino({ level: 'silent' });

describe('JobRunner', () => {
  it('runDue runs every job once with the injected clock time, in registration order', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const runner = new JobRunner({ now: () => now }, silent);
    const seen: string[] = [];
    runner.every('a', 60_000, async (t) => { seen.push(`a@${t.toISOString()}`); });
    runner.every('b', 60_000, async (t) => { seen.push(`b@${t.toISOString()}`); });
    await runner.runDue();
    now = new Date('2026-02-01T00:00:00Z');
    await runner.runDue();
    expect(seen).toEqual(['a@2026-01-01T00:00:00.000Z', 'b@2026-01-01T00:00:00.000Z', 'a@2026-02-01T00:00:00.000Z', 'b@2026-02-01T00:00:00.000Z']);
    expect(() => runner.every('a', 1000, async () => {})).toThrow(/already registered/);
  });

  it('logs a failing job and goes on with the others', async () => {
    const errors: unknown[] = [];
    const log = { error: (o: unknown) => errors.push(o), debug: () => {} } as unknown as typeof silent;
    const runner = new JobRunner({ now: () => new Date() }, log);
    let ran = false;
    runner.every('bad', 60_000, async () => { throw new Error('boom'); });
    runner.every('good', 60_000, async () => { ran = true; });
    await runner.runDue();
    expect(errors).toMatchObject([{ job: 'bad' }]);
    expect(ran).toBe(true);
  });

  it('never overlaps a job with itself, and stop() waits for running jobs', async () => {
    const runner = new JobRunner({ now: () => new Date() }, silent);
    let release!: () => void;
    let runs = 0;
    runner.every('slow', 60_000, async () => {
      runs++;
      await new Promise<void>((r) => { release = r; });
    });
    const first = runner.runDue();
    const second = runner.runDue();
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(1);
    let stopped = false;
    const stopping = runner.stop().then(() => { stopped = true; });
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release();
    await Promise.all([first, second, stopping]);
    expect(stopped).toBe(true);
    expect(runs).toBe(1);
    await runner.runDue();
    expect(runs).toBe(1); // stopped runners run nothing
  });

  it('start() runs jobs on their interval with real timers', async () => {
    const runner = new JobRunner({ now: () => new Date() }, silent);
    let runs = 0;
    runner.every('tick', 10, async () => { runs++; });
    runner.start();
    await new Promise((r) => setTimeout(r, 80));
    await runner.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
    const after = runs;
    await new Promise((r) => setTimeout(r, 40));
    expect(runs).toBe(after);
  });
});
