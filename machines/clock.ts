/**
 * The clock region: one timer for the earliest absolute deadline in context, and what fires when it is
 * reached (scheduled slots, catch-ups, retries, lease expiries).
 */
import { MAX_TIMER_DELAY_MS, scheduleOf } from './catalog.js';
import type { TargetId } from './catalog.js';
import { endedAccountHolds, releaseEndedAccountHolds } from './account-holds.js';
import { erpWindowOf, requestWithinHours } from './erp-hours.js';
import { releaseLease } from './holds.js';
import { hasSafetyInterval, nextSlotAfter } from './schedule.js';
import { patchTarget, withContext, type Tx } from './transaction.js';
import type { ClockArm, Lease, OrchestratorContext, TargetRecord } from './types.js';

/** Targets whose deadline of the given kind has passed, in a stable order. */
function dueBy(targets: Record<TargetId, TargetRecord>, now: number, key: 'nextDueAt' | 'catchUpAt' | 'retryAt'): TargetId[] {
  return Object.values(targets)
    .filter((record) => record[key] !== null && (record[key] as number) <= now)
    .map((record) => record.target)
    .sort();
}

/** What became due at `now`: scheduled slots, planned catch-ups, backoff ends and lease TTLs. */
export interface DueWork {
  scheduled: TargetId[];
  catchUps: TargetId[];
  retries: TargetId[];
  expiredLeases: Lease[];
}

/** Everything whose absolute deadline is at or before `now`. */
export function dueWork(context: OrchestratorContext, now: number): DueWork {
  return {
    scheduled: dueBy(context.targets, now, 'nextDueAt'),
    catchUps: dueBy(context.targets, now, 'catchUpAt'),
    retries: dueBy(context.targets, now, 'retryAt'),
    expiredLeases: context.leases.filter((lease) => lease.expiresAt <= now),
  };
}

/**
 * The earliest absolute deadline the clock region must wake up for, or `null` when there is none. The
 * ERP window's next boundary and the end of every account hold are deadlines too: the chart must wake
 * at the opening (deferred catch-ups start) and at the closing (the `hours` region moves).
 */
export function earliestDeadline(context: OrchestratorContext): number | null {
  const deadlines: number[] = [];
  for (const record of Object.values(context.targets)) {
    for (const at of [record.nextDueAt, record.catchUpAt, record.retryAt]) if (at !== null) deadlines.push(at);
  }
  for (const lease of context.leases) deadlines.push(lease.expiresAt);
  if (context.breaker.state === 'open' && context.breaker.openUntil !== null) deadlines.push(context.breaker.openUntil);
  const window = erpWindowOf(context);
  if (window.until !== null) deadlines.push(window.until);
  for (const hold of Object.values(context.accountHolds ?? {})) deadlines.push(hold.until);
  return deadlines.length === 0 ? null : Math.min(...deadlines);
}

/** The clock region's timer for a deadline: never longer than MAX_TIMER_DELAY_MS, never in the past. */
export function armClock(deadline: number | null, now: number): ClockArm {
  const cap = now + MAX_TIMER_DELAY_MS;
  return { deadline, armedAt: now, wakeAt: deadline === null ? cap : Math.max(now, Math.min(deadline, cap)) };
}

/** Arms the clock region for the earliest deadline. */
export function armClockStep(tx: Tx): Tx {
  return withContext(tx, { clock: armClock(earliestDeadline(tx.ctx), tx.ctx.now) });
}

/** The timer fired: time is now (at least) the instant it was armed for. */
export function advanceToWake(tx: Tx): Tx {
  return withContext(tx, { now: Math.max(tx.ctx.now, tx.ctx.clock.wakeAt) });
}

/**
 * Enqueues due slots (advancing them), due catch-ups and retries — or, while the ERP window is closed,
 * defers each to a spaced catch-up after the opening —, ends expired leases and account holds. A chained
 * service's safety slot is forced: it does not ride on a pending parent, whose run may report no changes.
 */
export function fireDueDeadlines(tx: Tx): Tx {
  const { now, bootAt, timeScale, schedules } = tx.ctx;
  const due = dueWork(tx.ctx, now);
  let next = tx;
  for (const target of due.scheduled) {
    const service = tx.ctx.targets[target]?.service;
    if (service === undefined) continue;
    next = patchTarget(next, target, { nextDueAt: nextSlotAfter(bootAt, scheduleOf(schedules, service), timeScale, now) });
    next = requestWithinHours(next, target, 'schedule', hasSafetyInterval(tx.ctx.services, schedules, service));
  }
  for (const target of due.catchUps) next = requestWithinHours(patchTarget(next, target, { catchUpAt: null }), target, 'catch-up');
  for (const target of due.retries) next = requestWithinHours(patchTarget(next, target, { retryAt: null }), target, 'retry');
  for (const lease of due.expiredLeases) next = releaseLease(next, lease.leaseId, 'expired');
  return endedAccountHolds(next.ctx).length === 0 ? next : releaseEndedAccountHolds(next);
}
