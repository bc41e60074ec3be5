/**
 * The ISO-8601 durations Model Monitor takes as analysis-window offsets (`-PT1H`, `-P1D`, `-PT30M`, `-P1DT6H`):
 * StartTimeOffset / EndTimeOffset of an EndpointInput and DataAnalysisStartTime / EndTime of a ScheduleConfig.
 * Offsets point into the past, so SageMaker requires the leading minus; weeks, months and years are not accepted
 * (their length would be ambiguous).
 */
import { smErrors } from '../errors.js';

const PATTERN = /^-P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** The offset in milliseconds (≤ 0); `member` names the input member in the error. */
export function parseOffset(value: string, member: string): number {
  const m = PATTERN.exec(value);
  if (!m || value === '-P' || value.endsWith('T')) {
    throw smErrors.validation(`${member} '${value}' is not a valid negative ISO-8601 duration (for example -PT1H or -P1D).`);
  }
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0));
  return -(((d * 24 + h) * 60 + min) * 60 + s) * 1000;
}
