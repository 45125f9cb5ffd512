import { chainParentOf, scheduleOf, type OrchestratorCommand, type OrchestratorContext, type ScheduleConfig, type Service } from '../../machines/index.js';
import { exportNames, isExportName, serviceCatalog } from '../exports/registry.js';
import type { ScheduleOverride } from '../stores/orchestrator-store.js';
import { isoTime } from './iso-times.js';
import type { ScheduleUpdate, ScheduleView } from './orchestrator-port.js';

const MINUTE_MS = 60_000;

/** Shortest interval an operator may set: an ERP export takes minutes, and the ERP counts our logins. */
export const MIN_INTERVAL_MINUTES = 5;
/** Longest interval: once a day; rarer than that is "disabled". */
export const MAX_INTERVAL_MINUTES = 1_440;
/** Longest offset: a day, the longest interval. */
export const MAX_OFFSET_MINUTES = 1_440;

/**
 * The `schedule.update` command for an operator's change, in ms. Throws `RangeError` naming the bad field.
 * For a chained service (ddt, invoices, prices) `intervalMinutes` is a safety interval: it still runs after
 * its parent reports changes, and at least once per interval without one (`machines/schedule.ts`).
 * `current` is the service's live schedule: an offset alone cannot give a timer-less service a timer.
 */
export function scheduleCommand(
  update: ScheduleUpdate,
  now: number,
  current?: ScheduleConfig,
): Extract<OrchestratorCommand, { type: 'schedule.update' }> {
  const { service, intervalMinutes, offsetMinutes, enabled, missed } = update;
  if (typeof service !== 'string' || !isExportName(service)) {
    throw new RangeError(`unknown service ${JSON.stringify(service)}; services: ${exportNames().join(', ')}`);
  }
  if (current?.intervalMs === null && intervalMinutes === undefined && offsetMinutes !== undefined) {
    throw new RangeError(`${service} has no timer: set intervalMinutes with the offset${safetyHint(service)}`);
  }
  if (intervalMinutes !== undefined) checkMinutes('intervalMinutes', intervalMinutes, MIN_INTERVAL_MINUTES, MAX_INTERVAL_MINUTES);
  if (offsetMinutes !== undefined) checkMinutes('offsetMinutes', offsetMinutes, 0, MAX_OFFSET_MINUTES);
  if (enabled !== undefined && typeof enabled !== 'boolean') throw new RangeError(`enabled must be true or false, got ${JSON.stringify(enabled)}`);
  if (missed !== undefined && missed !== 'once' && missed !== 'skip') {
    throw new RangeError(`missed must be "once" (run once after downtime) or "skip", got ${JSON.stringify(missed)}`);
  }
  return {
    type: 'schedule.update',
    service,
    ...(intervalMinutes === undefined ? {} : { intervalMs: Math.round(intervalMinutes * MINUTE_MS) }),
    ...(offsetMinutes === undefined ? {} : { offsetMs: Math.round(offsetMinutes * MINUTE_MS) }),
    ...(enabled === undefined ? {} : { enabled }),
    ...(missed === undefined ? {} : { missed }),
    now,
  };
}

function safetyHint(service: Service): string {
  const parent = chainParentOf(serviceCatalog(), service);
  return parent === undefined ? '' : ` (a safety interval: it runs after ${parent} reports changes, and at least once per interval)`;
}

function checkMinutes(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${field} must be a number of minutes from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
}

/** The persisted form of a service's schedule. */
export function scheduleOverride(service: Service, schedule: ScheduleConfig): ScheduleOverride {
  return { service, intervalMs: schedule.intervalMs, offsetMs: schedule.offsetMs, enabled: schedule.enabled, missed: schedule.missed };
}

/** Persisted overrides as the machine's input `schedules`. */
export function schedulesInput(overrides: readonly ScheduleOverride[]): Partial<Record<Service, Partial<ScheduleConfig>>> {
  return Object.fromEntries(overrides.map(({ service, ...schedule }) => [service, schedule]));
}

/** Every service's schedule in minutes, with the next due time of each of its targets. */
export function scheduleViews(context: OrchestratorContext): ScheduleView[] {
  return Object.keys(context.services).map((service) => scheduleView(context, service));
}

/** One service's schedule in minutes. */
export function scheduleView(context: OrchestratorContext, service: Service): ScheduleView {
  const schedule = scheduleOf(context.schedules, service);
  const nextDueAt: Record<string, string | null> = {};
  for (const record of Object.values(context.targets)) {
    if (record.service === service) nextDueAt[record.target] = record.nextDueAt === null ? null : isoTime(record.nextDueAt);
  }
  return {
    service,
    chainedAfter: chainParentOf(context.services, service) ?? null,
    intervalMinutes: schedule.intervalMs === null ? null : schedule.intervalMs / MINUTE_MS,
    offsetMinutes: schedule.offsetMs / MINUTE_MS,
    enabled: schedule.enabled,
    missed: schedule.missed,
    nextDueAt,
  };
}
