/**
 * SageMaker Model Monitor's ScheduleExpression (sagemaker-monitor.md §7.1). SageMaker accepts only a handful of forms
 * of the six-field AWS cron, so validation admits exactly those; run times then come from cron-parser on the
 * equivalent standard five-field expression (UTC):
 *
 *   cron(0 * ? * * *)          hourly
 *   cron(0 H ? * * *)          daily at hour H (0..23, one or two digits)
 *   cron(0 H/N ? * * *)        every N hours (1..24) starting at hour H
 *   NOW                        one run, right away (DataAnalysisStartTime/EndTime then required)
 *
 * Minutes other than 0, days of month/week or months are refused: Model Monitor runs at most hourly, on the hour.
 */
import { CronExpressionParser } from 'cron-parser';
import { smErrors } from '../errors.js';

export type Schedule =
  | { kind: 'now' }
  /** Runs at minute 0 of every hour h with h ≥ start and (h - start) % every === 0, every day (UTC). */
  | { kind: 'hours'; start: number; every: number };

const HOUR_MS = 3_600_000;

function invalid(expr: string, why: string): Error {
  return smErrors.validation(`Invalid ScheduleExpression '${expr}': ${why}. Supported expressions are cron(0 * ? * * *) (hourly), `
    + 'cron(0 [00-23] ? * * *) (daily), cron(0 [00-23]/[01-24] ? * * *) (every N hours) and NOW.');
}

function hourField(expr: string, s: string, what: string, min: number, max: number): number {
  if (!/^\d{1,2}$/.test(s)) throw invalid(expr, `${what} must be a number from ${min} to ${max}`);
  const n = Number(s);
  if (n < min || n > max) throw invalid(expr, `${what} must be from ${min} to ${max}`);
  return n;
}

export function parseScheduleExpression(expr: string): Schedule {
  if (expr === 'NOW') return { kind: 'now' };
  const m = /^cron\((.*)\)$/.exec(expr.trim());
  if (!m) throw invalid(expr, 'expected cron(...) or NOW');
  const fields = m[1].trim().split(/\s+/);
  if (fields.length !== 6) throw invalid(expr, 'a cron expression has 6 fields (minutes hours day-of-month month day-of-week year)');
  const [minutes, hours, dom, month, dow, year] = fields;
  if (minutes !== '0' && minutes !== '00') throw invalid(expr, 'monitoring jobs start on the hour: the minutes field must be 0');
  if (dom !== '?' || month !== '*' || dow !== '*' || year !== '*') {
    throw invalid(expr, 'day-of-month must be ?, and month, day-of-week and year must be *');
  }
  if (hours === '*') return { kind: 'hours', start: 0, every: 1 };
  const slash = hours.split('/');
  if (slash.length > 2) throw invalid(expr, 'the hours field has more than one /');
  const start = hourField(expr, slash[0], 'the start hour', 0, 23);
  const every = slash.length === 2 ? hourField(expr, slash[1], 'the hour interval', 1, 24) : 24;
  return { kind: 'hours', start, every };
}

/** The standard cron expression (minute hour day month weekday) a recurring schedule stands for. */
function standardCron(s: Extract<Schedule, { kind: 'hours' }>): string {
  if (s.every === 1 && s.start === 0) return '0 * * * *';
  return s.every >= 24 ? `0 ${s.start} * * *` : `0 ${s.start}/${s.every} * * *`;
}

/** Scheduled run times in (after, upTo], oldest first. */
export function runsBetween(s: Schedule, after: Date, upTo: Date): Date[] {
  if (s.kind === 'now' || upTo.getTime() <= after.getTime()) return [];
  const runs = CronExpressionParser.parse(standardCron(s), { currentDate: after, tz: 'UTC' });
  const out: Date[] = [];
  for (let t = runs.next().toDate(); t.getTime() <= upTo.getTime(); t = runs.next().toDate()) out.push(t);
  return out;
}

/**
 * How far back a run at `at` looks by default: the time since the schedule's previous run (an hour for hourly, a
 * day for daily; for `H/N` the gap before the first run of a day wraps around midnight).
 */
export function defaultLookbackMs(s: Schedule, at: Date): number {
  if (s.kind === 'now') return HOUR_MS;
  const previous = CronExpressionParser.parse(standardCron(s), { currentDate: at, tz: 'UTC' }).prev().toDate();
  return at.getTime() - previous.getTime();
}
