import { startBoundMs, topPriority } from '../machines/ageing.js';
import { serviceCatalog } from '../src/exports/registry.js';

/**
 * The soak's default wait bound per target: the start bound `machines/ageing.ts` states and proves for the
 * soak's cap, with each target's own priority, plus — for a target the soak never saw queued, which it
 * counts as waiting from its own start — the time until the target could first be queued.
 */

/** One service's schedule as `GET /api/sync/schedule` gives it (the fields the bound reads). */
export interface ScheduleRow {
  service: string;
  chainedAfter: string | null;
  /** Next due time per target (ISO), null without a timer of its own. */
  nextDueAt: Record<string, string | null>;
}

/** What the bound depends on besides the schedule. */
export interface WaitBoundContext {
  /** The service's SYNC_CONCURRENCY: c of the bound. */
  cap: number;
  timeScale: number;
  /** N: the targets watched. */
  targets: number;
  /** D: the longest run the soak saw (real ms). */
  longestRunMs: number;
  /** When the soak began watching (epoch ms): a never-queued target waits from here. */
  watchedSince: number;
}

/** The bound of one target once queued: the ageing bound for its service's catalogue priority. */
export function queuedBoundMs(target: string, context: WaitBoundContext): number {
  const services = serviceCatalog();
  const spec = services[target.split('@')[0] ?? ''];
  if (spec === undefined) throw new Error(`${target}: no such service in the catalogue`);
  return startBoundMs({
    priority: spec.priority,
    top: topPriority(services),
    targets: context.targets,
    longestRunMs: context.longestRunMs,
    timeScale: context.timeScale,
    cap: context.cap,
  });
}

/**
 * Latest time (ms after `watchedSince`) by which a target is queued: its first timer slot, or — for a
 * chained service without a timer of its own (ddt, invoices) — its parent's first slot plus the parent's
 * bound and one run, after which the parent's changes queue it (the simulator's data changes every run).
 */
export function firstQueuedByMs(target: string, schedules: readonly ScheduleRow[], context: WaitBoundContext): number {
  const [service = '', account = ''] = target.split('@');
  const row = schedules.find((candidate) => candidate.service === service);
  const due = row?.nextDueAt[target] ?? null;
  if (due !== null) return Math.max(0, Date.parse(due) - context.watchedSince);
  if (row?.chainedAfter == null) return 0;
  const parent = `${row.chainedAfter}@${account}`;
  return firstQueuedByMs(parent, schedules, context) + queuedBoundMs(parent, context) + context.longestRunMs;
}

/** A target's wait bound: the ageing bound, from the soak's start plus its first slot when it was never queued. */
export function waitBoundMs(target: string, neverQueued: boolean, schedules: readonly ScheduleRow[], context: WaitBoundContext): number {
  return queuedBoundMs(target, context) + (neverQueued ? firstQueuedByMs(target, schedules, context) : 0);
}
