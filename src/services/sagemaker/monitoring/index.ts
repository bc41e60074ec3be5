/** Model Monitor's server side: processing jobs, data-quality job definitions, monitoring schedules and executions. */
import type { Sm } from '../context.js';
import type { HandlerImpl } from '../define.js';
import { executionHandlers } from './executions.js';
import { jobDefinitionHandlers } from './job-definitions.js';
import { Monitoring } from './monitoring.js';
import { processingJobHandlers } from './processing-jobs.js';
import { scheduleHandlers } from './schedules.js';

export { Monitoring } from './monitoring.js';
export { MONITORING_RULES } from './authz.js';

export function monitoringHandlers(sm: Sm, mon: Monitoring): Record<string, HandlerImpl> {
  return { ...processingJobHandlers(sm, mon), ...jobDefinitionHandlers(sm), ...scheduleHandlers(sm, mon), ...executionHandlers(sm) };
}

export const createMonitoring = (sm: Sm): Monitoring => new Monitoring(sm);
