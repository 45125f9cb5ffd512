/**
 * Boot and restore: the root's context at first boot, and how a restored snapshot is reconciled with the
 * configuration and the slots missed while the process was down.
 */
import { CATCHUP_SPACING_MS, DEFAULT_CONCURRENCY, DEFAULT_ERP_TIME_ZONE, scheduleOf, targetsOf } from './catalog.js';
import type { Accounts, ScheduleConfig, Service, ServiceCatalog, TargetId } from './catalog.js';
import { armClock, earliestDeadline } from './clock.js';
import type { RestoredSettings } from './orchestrator.events.js';
import { initialResourceGuard, resetResourceGuard } from './resource-guard.js';
import { initialTargets, nextSlotAfter } from './schedule.js';
import { scaled } from './time.js';
import { command, emit, patchTarget, skip, withContext, type Tx } from './transaction.js';
import type { OrchestratorContext, OrchestratorInput, ResourceReadings, TargetRecord } from './types.js';

/** The root's context at first boot: stagger deadlines from `bootAt`, empty queue, closed breaker. */
export function initialContext(input: OrchestratorInput): OrchestratorContext {
  const timeScale = input.timeScale ?? 1;
  const schedules = schedulesOf(input.services, {}, input.schedules);
  const context: OrchestratorContext = {
    now: input.bootAt,
    bootAt: input.bootAt,
    timeScale,
    concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
    accounts: input.accounts,
    services: input.services,
    schedules,
    targets: initialTargets(input.services, input.accounts, schedules, input.bootAt, timeScale),
    queue: [],
    running: {},
    paused: {},
    leases: [],
    operatorPause: null,
    breaker: { state: 'closed', failures: 0, openUntil: null, probe: null },
    rngState: input.random ?? input.bootAt,
    clock: armClock(null, input.bootAt),
    erpHours: input.erpHours ?? null,
    erpTimeZone: input.erpTimeZone ?? DEFAULT_ERP_TIME_ZONE,
    accountHolds: {},
    resourceGuard: initialResourceGuard(input.resourceLimits),
  };
  return { ...context, clock: armClock(earliestDeadline(context), input.bootAt) };
}

/**
 * The live schedule of every catalogued service: the one already in context, else the catalogue's default
 * with the persisted overrides merged in.
 */
function schedulesOf(
  services: ServiceCatalog,
  current: Readonly<Record<Service, ScheduleConfig>>,
  overrides: OrchestratorInput['schedules'] = {},
): Record<Service, ScheduleConfig> {
  return Object.fromEntries(
    Object.values(services).map((spec) => [spec.service, current[spec.service] ?? { ...spec.schedule, ...overrides[spec.service] }]),
  );
}

/** A restore's decision for the schedule slots that passed while the process was down. */
export interface MissedRunPlan {
  /** Missed policy `once` (and catch-ups already planned): one run each, CATCHUP_SPACING apart. */
  catchUps: Array<{ target: TargetId; at: number }>;
  /** Missed policy `skip`: recorded as MISSED. */
  skipped: Array<{ target: TargetId; missedAt: number }>;
  /** New `nextDueAt` of every target whose slot passed: the first slot after `now`. */
  nextDueAt: Record<TargetId, number | null>;
}

/** Applies the missed-run policy of each service to every deadline that passed before `now`. */
export function planMissedRuns(context: OrchestratorContext, now: number): MissedRunPlan {
  const plan: MissedRunPlan = { catchUps: [], skipped: [], nextDueAt: {} };
  const spacing = scaled(CATCHUP_SPACING_MS, context.timeScale);
  for (const record of missedTargets(context, now)) {
    const schedule = scheduleOf(context.schedules, record.service);
    const slotMissed = record.nextDueAt !== null && record.nextDueAt < now;
    if (slotMissed) plan.nextDueAt[record.target] = nextSlotAfter(context.bootAt, schedule, context.timeScale, now);
    if (schedule.missed === 'once' || record.catchUpAt !== null) {
      plan.catchUps.push({ target: record.target, at: now + plan.catchUps.length * spacing });
    } else {
      plan.skipped.push({ target: record.target, missedAt: record.nextDueAt ?? now });
    }
  }
  return plan;
}

/** Targets with a slot or a catch-up in the past, oldest first, then by priority. */
function missedTargets(context: OrchestratorContext, now: number): TargetRecord[] {
  const missedAt = (record: TargetRecord): number => Math.min(record.catchUpAt ?? now, record.nextDueAt ?? now);
  return Object.values(context.targets)
    .filter((record) => missedAt(record) < now)
    .sort(
      (a, b) =>
        missedAt(a) - missedAt(b) ||
        priorityOf(context.services, b.service) - priorityOf(context.services, a.service) ||
        a.target.localeCompare(b.target),
    );
}

function priorityOf(services: ServiceCatalog, service: Service): number {
  return services[service]?.priority ?? 0;
}

/**
 * `orchestrator.restored`: reconciles the configuration (accounts, concurrency, time scale, resource limits:
 * the snapshot's context wins over the input otherwise) and the ERP window, resets the resource guard to
 * full concurrency (the new process's readings are not the old one's), applies the missed-run policy to slots that passed while down,
 * lifts a transient (shutdown) pause, and tells every run that was in flight to restart from its last
 * checkpoint.
 */
export function restoreAfterRestart(
  tx: Tx,
  event: RestoredSettings,
): Tx {
  const operatorPause = tx.ctx.operatorPause?.transient === true ? null : tx.ctx.operatorPause;
  // A snapshot saved before the ERP window existed has none of its fields: no window, no holds.
  let next = withContext(tx, {
    operatorPause,
    concurrency: event.concurrency ?? tx.ctx.concurrency,
    timeScale: event.timeScale ?? tx.ctx.timeScale,
    erpHours: event.erpHours !== undefined ? event.erpHours : (tx.ctx.erpHours ?? null),
    erpTimeZone: event.erpTimeZone ?? tx.ctx.erpTimeZone ?? DEFAULT_ERP_TIME_ZONE,
    accountHolds: tx.ctx.accountHolds ?? {},
  });
  next = resetResourceGuard(next, event.resourceLimits);
  if (event.services !== undefined || event.accounts !== undefined) {
    next = reconcileTargets(next, event.services ?? next.ctx.services, event.accounts ?? next.ctx.accounts);
  }
  next = applyMissedRuns(next);
  for (const entry of Object.values(next.ctx.running)) {
    next = command(next, entry.target, { type: 'target.restore', now: next.ctx.now });
    next = emit(next, { type: 'sync.resumed', at: next.ctx.now, target: entry.target, trigger: entry.trigger, restored: true });
  }
  return next;
}

/**
 * Adds the targets of new accounts and services (first slot after now, no catch-up for a past they never
 * had) and drops the targets of removed ones with their queue entries and runs; their child actors follow.
 */
function reconcileTargets(tx: Tx, services: ServiceCatalog, accounts: Accounts): Tx {
  const { ctx } = tx;
  const schedules = schedulesOf(services, ctx.schedules);
  const wanted = new Set(targetsOf(services, accounts));
  const fresh = initialTargets(services, accounts, schedules, ctx.bootAt, ctx.timeScale);
  const added = [...wanted].filter((target) => ctx.targets[target] === undefined);
  const removed = Object.keys(ctx.targets).filter((target) => !wanted.has(target));
  const gone = new Set(removed);
  const targets: Record<TargetId, TargetRecord> = {};
  for (const [target, record] of Object.entries(ctx.targets)) if (!gone.has(target)) targets[target] = record;
  for (const target of added) {
    const record = fresh[target];
    if (record === undefined) continue;
    const schedule = scheduleOf(schedules, record.service);
    targets[target] = { ...record, nextDueAt: nextSlotAfter(ctx.bootAt, schedule, ctx.timeScale, ctx.now) };
  }
  const keep = <T>(record: Record<TargetId, T>) => Object.fromEntries(Object.entries(record).filter(([target]) => !gone.has(target)));
  const next = withContext(tx, {
    services,
    schedules,
    accounts,
    targets,
    queue: ctx.queue.filter((entry) => !gone.has(entry.target)),
    running: keep(ctx.running),
    paused: keep(ctx.paused),
  });
  return { ...next, spawned: [...next.spawned, ...added], stopped: [...next.stopped, ...removed] };
}

function applyMissedRuns(tx: Tx): Tx {
  const plan = planMissedRuns(tx.ctx, tx.ctx.now);
  let next = tx;
  for (const [target, nextDueAt] of Object.entries(plan.nextDueAt)) next = patchTarget(next, target, { nextDueAt });
  for (const { target, at } of plan.catchUps) next = patchTarget(next, target, { catchUpAt: at });
  for (const { target, missedAt } of plan.skipped) {
    next = skip(next, target, 'schedule', 'MISSED', `slot at ${missedAt} passed while the orchestrator was down`);
  }
  return next;
}
