/**
 * Schedules: the slot grid of each service (boot + offset + k × interval, scaled), `schedule.update`, and
 * the safety interval of a chained service: its timer, if it has one, fires only when no run of it
 * completed for a whole interval (e.g. prices runs after products reports changes, and at least every
 * interval even when products reports none).
 */
import { chainParentOf, parseTarget, scheduleOf, targetsOf } from './catalog.js';
import type { Accounts, MissedPolicy, ScheduleConfig, Service, ServiceCatalog, TargetId } from './catalog.js';
import { scaled } from './time.js';
import { emit, patchTarget, withContext, type Tx } from './transaction.js';
import type { TargetRecord } from './types.js';

/** Scaled period of an enabled timer, or `null` when the schedule never fires. */
function periodOf(schedule: ScheduleConfig, timeScale: number): number | null {
  if (!schedule.enabled || schedule.intervalMs === null || schedule.intervalMs <= 0) return null;
  return scaled(schedule.intervalMs, timeScale);
}

/** True when the service's timer is a safety interval: it chains after a parent and has an enabled timer. */
export function hasSafetyInterval(services: ServiceCatalog, schedules: Record<Service, ScheduleConfig>, service: Service): boolean {
  return chainParentOf(services, service) !== undefined && periodOf(scheduleOf(schedules, service), 1) !== null;
}

/**
 * A completed run of a chained service moves its safety slot to one interval after the completion: the
 * timer only fires when no chain trigger (or other request) ran it for a whole interval.
 */
export function rearmSafetyInterval(tx: Tx, target: TargetId): Tx {
  const service = tx.ctx.targets[target]?.service;
  if (service === undefined || !hasSafetyInterval(tx.ctx.services, tx.ctx.schedules, service)) return tx;
  const period = periodOf(scheduleOf(tx.ctx.schedules, service), tx.ctx.timeScale);
  return period === null ? tx : patchTarget(tx, target, { nextDueAt: tx.ctx.now + period });
}

/** First slot of a schedule: boot + offset (stagger), or `null` without an enabled timer. */
export function firstDueAt(bootAt: number, schedule: ScheduleConfig, timeScale: number): number | null {
  return periodOf(schedule, timeScale) === null ? null : bootAt + scaled(schedule.offsetMs, timeScale);
}

/** The first slot `bootAt + offset + k × interval` (k ≥ 0) strictly after `after`, or `null` without a timer. */
export function nextSlotAfter(bootAt: number, schedule: ScheduleConfig, timeScale: number, after: number): number | null {
  const period = periodOf(schedule, timeScale);
  if (period === null) return null;
  const first = bootAt + scaled(schedule.offsetMs, timeScale);
  if (first > after) return first;
  return first + (Math.floor((after - first) / period) + 1) * period;
}

/** Fresh per-target records for a configuration, with first due times from the stagger. */
export function initialTargets(
  services: ServiceCatalog,
  accounts: Accounts,
  schedules: Record<Service, ScheduleConfig>,
  bootAt: number,
  timeScale: number,
): Record<TargetId, TargetRecord> {
  const records: Record<TargetId, TargetRecord> = {};
  for (const target of targetsOf(services, accounts)) {
    const parsed = parseTarget(target);
    if (parsed === null) continue;
    records[target] = {
      target,
      ...parsed,
      nextDueAt: firstDueAt(bootAt, scheduleOf(schedules, parsed.service), timeScale),
      catchUpAt: null,
      retryAt: null,
      retryAttempt: 0,
      lastRun: null,
    };
  }
  return records;
}

/** `schedule.update`: merges the change and moves the service's targets to the next slot of the new grid. */
export function updateSchedule(
  tx: Tx,
  event: { service: Service; intervalMs?: number | null; offsetMs?: number; enabled?: boolean; missed?: MissedPolicy },
): Tx {
  const current = scheduleOf(tx.ctx.schedules, event.service);
  const schedule: ScheduleConfig = {
    intervalMs: event.intervalMs === undefined ? current.intervalMs : event.intervalMs,
    offsetMs: event.offsetMs ?? current.offsetMs,
    enabled: event.enabled ?? current.enabled,
    missed: event.missed ?? current.missed,
  };
  let next = withContext(tx, { schedules: { ...tx.ctx.schedules, [event.service]: schedule } });
  const nextDueAt = nextSlotAfter(tx.ctx.bootAt, schedule, tx.ctx.timeScale, tx.ctx.now);
  for (const record of Object.values(tx.ctx.targets)) {
    if (record.service === event.service) next = patchTarget(next, record.target, { nextDueAt });
  }
  return emit(next, { type: 'schedule.updated', at: tx.ctx.now, service: event.service, schedule });
}
