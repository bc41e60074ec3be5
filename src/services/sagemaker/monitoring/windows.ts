/**
 * The slice of time one monitoring run analyses (sagemaker-monitor.md §7.1, §1.4). A run scheduled at T looks at
 * [T − lookback, T): the previous hour for an hourly schedule, the previous day for a daily one. Offsets move the
 * window: ScheduleConfig.DataAnalysisStartTime/EndTime (required for NOW) take precedence over the endpoint input's
 * StartTimeOffset/EndTimeOffset; both are relative to T.
 */
import { smErrors } from '../errors.js';
import { parseOffset } from './durations.js';
import { defaultLookbackMs, parseScheduleExpression, type Schedule } from './schedule-expression.js';

export interface WindowConfig {
  ScheduleExpression: string;
  DataAnalysisStartTime?: string;
  DataAnalysisEndTime?: string;
  StartTimeOffset?: string;
  EndTimeOffset?: string;
}

export interface Window { start: Date; end: Date }

const MAX_NOW_WINDOW_MS = 24 * 3_600_000;

/** Checks a schedule's expression and offsets at create/update time; returns the parsed schedule. */
export function checkWindowConfig(c: WindowConfig): Schedule {
  const schedule = parseScheduleExpression(c.ScheduleExpression);
  const hasStart = c.DataAnalysisStartTime !== undefined;
  const hasEnd = c.DataAnalysisEndTime !== undefined;
  if (hasStart !== hasEnd) throw smErrors.validation('DataAnalysisStartTime and DataAnalysisEndTime must be specified together.');
  if (schedule.kind === 'now' && !hasStart) {
    throw smErrors.validation('DataAnalysisStartTime and DataAnalysisEndTime are required when ScheduleExpression is NOW.');
  }
  if (hasStart) {
    const start = parseOffset(c.DataAnalysisStartTime!, 'DataAnalysisStartTime');
    const end = parseOffset(c.DataAnalysisEndTime!, 'DataAnalysisEndTime');
    if (start >= end) throw smErrors.validation('DataAnalysisStartTime must be earlier than DataAnalysisEndTime.');
    if (schedule.kind === 'now' && end - start > MAX_NOW_WINDOW_MS) {
      throw smErrors.validation('The analysis window of a NOW schedule must not exceed 24 hours.');
    }
  }
  if (c.StartTimeOffset !== undefined) parseOffset(c.StartTimeOffset, 'StartTimeOffset');
  if (c.EndTimeOffset !== undefined) parseOffset(c.EndTimeOffset, 'EndTimeOffset');
  return schedule;
}

export function analysisWindow(c: WindowConfig, runAt: Date): Window {
  const schedule = parseScheduleExpression(c.ScheduleExpression);
  const at = runAt.getTime();
  if (c.DataAnalysisStartTime !== undefined && c.DataAnalysisEndTime !== undefined) {
    return { start: new Date(at + parseOffset(c.DataAnalysisStartTime, 'DataAnalysisStartTime')),
      end: new Date(at + parseOffset(c.DataAnalysisEndTime, 'DataAnalysisEndTime')) };
  }
  const start = c.StartTimeOffset !== undefined ? at + parseOffset(c.StartTimeOffset, 'StartTimeOffset') : at - defaultLookbackMs(schedule, runAt);
  const end = c.EndTimeOffset !== undefined ? at + parseOffset(c.EndTimeOffset, 'EndTimeOffset') : at;
  return { start: new Date(start), end: new Date(end) };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * The capture hour folders (`yyyy/mm/dd/hh`, UTC) that hold records of a window: every hour that overlaps it. The
 * container reads whole folders, as SageMaker's does.
 */
export function hourFolders(w: Window): string[] {
  const hour = 3_600_000;
  const out: string[] = [];
  for (let t = Math.floor(w.start.getTime() / hour) * hour; t < w.end.getTime(); t += hour) {
    const d = new Date(t);
    out.push(`${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCHours())}`);
  }
  return out;
}

/** `2019-12-01T15:00:00Z`: how the container's start_time / end_time are written (second precision, UTC). */
export const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
