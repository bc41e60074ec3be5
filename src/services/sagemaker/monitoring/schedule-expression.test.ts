import { describe, expect, it } from 'vitest';
import { parseOffset } from './durations.js';
import { defaultLookbackMs, parseScheduleExpression, runsBetween } from './schedule-expression.js';
import { analysisWindow, checkWindowConfig, hourFolders } from './windows.js';

const at = (s: string) => new Date(s);
const iso = (ds: Date[]) => ds.map((d) => d.toISOString());

describe('ScheduleExpression', () => {
  it('parses the forms SageMaker accepts (SDK generators: hourly, daily, daily_every_x_hours, now)', () => {
    expect(parseScheduleExpression('cron(0 * ? * * *)')).toEqual({ kind: 'hours', start: 0, every: 1 });
    expect(parseScheduleExpression('cron(0 12 ? * * *)')).toEqual({ kind: 'hours', start: 12, every: 24 });
    expect(parseScheduleExpression('cron(0 0 ? * * *)')).toEqual({ kind: 'hours', start: 0, every: 24 });
    expect(parseScheduleExpression('cron(0 17/12 ? * * *)')).toEqual({ kind: 'hours', start: 17, every: 12 });
    expect(parseScheduleExpression('cron(0 00/02 ? * * *)')).toEqual({ kind: 'hours', start: 0, every: 2 });
    expect(parseScheduleExpression('NOW')).toEqual({ kind: 'now' });
  });

  it.each([
    'cron(30 * ? * * *)', 'cron(0 * * * * *)', 'cron(0 24 ? * * *)', 'cron(0 1/0 ? * * *)', 'cron(0 1/25 ? * * *)', 'cron(0 * ? * MON *)',
    'cron(0 * ? *)', 'rate(1 hour)', 'now', 'cron(0 1-3 ? * * *)', 'cron(0 1,2 ? * * *)', 'cron(0 1/2/3 ? * * *)',
  ])('refuses %s with a ValidationException naming the supported forms', (expr) => {
    expect(() => parseScheduleExpression(expr)).toThrow(expect.objectContaining({ code: 'ValidationException', message: expect.stringContaining('Supported expressions') }));
  });

  it('lists the scheduled hours in (after, upTo]', () => {
    const hourly = parseScheduleExpression('cron(0 * ? * * *)');
    expect(iso(runsBetween(hourly, at('2026-01-01T10:05:00Z'), at('2026-01-01T12:05:00Z')))).toEqual(['2026-01-01T11:00:00.000Z', '2026-01-01T12:00:00.000Z']);
    expect(runsBetween(hourly, at('2026-01-01T11:00:00Z'), at('2026-01-01T11:59:59Z'))).toEqual([]);
    const every6 = parseScheduleExpression('cron(0 3/6 ? * * *)');
    expect(iso(runsBetween(every6, at('2026-01-01T00:00:00Z'), at('2026-01-02T04:00:00Z')))).toEqual([
      '2026-01-01T03:00:00.000Z', '2026-01-01T09:00:00.000Z', '2026-01-01T15:00:00.000Z', '2026-01-01T21:00:00.000Z', '2026-01-02T03:00:00.000Z']);
    expect(runsBetween(parseScheduleExpression('NOW'), at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'))).toEqual([]);
  });

  it('looks back to the previous run (wrapping midnight for H/N)', () => {
    const h = 3_600_000;
    expect(defaultLookbackMs(parseScheduleExpression('cron(0 * ? * * *)'), at('2026-01-01T05:00:00Z'))).toBe(h);
    expect(defaultLookbackMs(parseScheduleExpression('cron(0 5 ? * * *)'), at('2026-01-01T05:00:00Z'))).toBe(24 * h);
    expect(defaultLookbackMs(parseScheduleExpression('cron(0 3/10 ? * * *)'), at('2026-01-01T03:00:00Z'))).toBe(4 * h);
    expect(defaultLookbackMs(parseScheduleExpression('cron(0 3/10 ? * * *)'), at('2026-01-01T13:00:00Z'))).toBe(10 * h);
  });
});

describe('analysis windows', () => {
  it('an hourly run at HH:00 analyses the previous hour, moved by the offsets', () => {
    const run = at('2026-01-01T12:00:00Z');
    expect(analysisWindow({ ScheduleExpression: 'cron(0 * ? * * *)' }, run)).toEqual({ start: at('2026-01-01T11:00:00Z'), end: run });
    expect(analysisWindow({ ScheduleExpression: 'cron(0 * ? * * *)', StartTimeOffset: '-PT3H', EndTimeOffset: '-PT1H' }, run))
      .toEqual({ start: at('2026-01-01T09:00:00Z'), end: at('2026-01-01T11:00:00Z') });
    // The model-quality docs' example: -P8D / -P1D at 2020-01-09T13:00 analyses 01-01T13:00 … 01-08T13:00.
    expect(analysisWindow({ ScheduleExpression: 'cron(0 * ? * * *)', StartTimeOffset: '-P8D', EndTimeOffset: '-P1D' }, at('2020-01-09T13:00:00Z')))
      .toEqual({ start: at('2020-01-01T13:00:00Z'), end: at('2020-01-08T13:00:00Z') });
    expect(analysisWindow({ ScheduleExpression: 'NOW', DataAnalysisStartTime: '-PT1H', DataAnalysisEndTime: '-PT0H' }, at('2026-01-01T12:34:00Z')))
      .toEqual({ start: at('2026-01-01T11:34:00Z'), end: at('2026-01-01T12:34:00Z') });
  });

  it('covers every capture hour folder the window overlaps', () => {
    expect(hourFolders({ start: at('2026-01-01T23:30:00Z'), end: at('2026-01-02T01:00:00Z') })).toEqual(['2026/01/01/23', '2026/01/02/00']);
  });

  it('checks offsets and NOW at create time', () => {
    expect(() => checkWindowConfig({ ScheduleExpression: 'NOW' })).toThrow(/required when ScheduleExpression is NOW/);
    expect(() => checkWindowConfig({ ScheduleExpression: 'NOW', DataAnalysisStartTime: '-PT1H' })).toThrow(/together/);
    expect(() => checkWindowConfig({ ScheduleExpression: 'NOW', DataAnalysisStartTime: '-P2D', DataAnalysisEndTime: '-PT0H' })).toThrow(/24 hours/);
    expect(() => checkWindowConfig({ ScheduleExpression: 'NOW', DataAnalysisStartTime: '-PT1H', DataAnalysisEndTime: '-PT2H' })).toThrow(/earlier/);
    expect(checkWindowConfig({ ScheduleExpression: 'NOW', DataAnalysisStartTime: '-PT1H', DataAnalysisEndTime: '-PT0H' })).toEqual({ kind: 'now' });
    expect(() => checkWindowConfig({ ScheduleExpression: 'cron(0 * ? * * *)', StartTimeOffset: 'PT1H' })).toThrow(/StartTimeOffset/);
  });

  it('parses negative ISO-8601 durations', () => {
    expect(parseOffset('-PT1H', 'x')).toBe(-3_600_000);
    expect(parseOffset('-P1DT6H30M15S', 'x')).toBe(-((30 * 60 + 30) * 60 + 15) * 1000);
    for (const bad of ['PT1H', '-P', '-PT', '-P1W', '-1H', '-PT1.5H']) expect(() => parseOffset(bad, 'x')).toThrow(/ISO-8601/);
  });
});
