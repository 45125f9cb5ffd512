/**
 * `why`: explains a target from the root's context: what it is doing, or everything that keeps it from
 * running now (the reason codes of `GET /api/sync/:service/why`).
 */
import { ageStepMs, effectivePriority, waitedMs } from './ageing.js';
import { RESOURCE_HYSTERESIS, RESOURCE_RECOVERY_SAMPLES, chainParentOf, scheduleOf } from './catalog.js';
import type { Service, ServiceCatalog, TargetId } from './catalog.js';
import { accountHoldOf } from './account-holds.js';
import { describeHours, erpWindowOf } from './erp-hours.js';
import { coveringLeases } from './holds.js';
import { describeLayoutDrift } from './layout-drift.js';
import { queuePosition } from './queue.js';
import { describeBreach, startCap } from './resource-guard.js';
import type { BreakerState, HoldCause, OrchestratorContext, QueueEntry, ResourceMetric, RunningEntry, TargetRecord } from './types.js';

/** Reason codes of `GET /api/sync/:service/why`. */
export type WhyCode =
  | 'RUNNING'
  | 'MUTEX_HELD'
  | 'QUEUED'
  | 'LEASE'
  | 'OPERATOR_PAUSE'
  | 'PREEMPTED'
  | 'BACKOFF'
  | 'BREAKER_OPEN'
  | 'OUTSIDE_ERP_HOURS'
  | 'LOGIN_BUDGET_EXHAUSTED'
  | 'RESOURCE_GUARD'
  | 'NEXT_DUE'
  | 'DISABLED'
  | 'LAYOUT_DRIFT';

/** One reason; the structured fields repeat what `detail` says in words. Times are epoch ms. */
export interface WhyReason {
  code: WhyCode;
  detail: string;
  until?: number;
  at?: number;
  by?: TargetId[];
  position?: number;
  leaseId?: string;
  attempt?: number;
  /** RESOURCE_GUARD: the metric over its limit, its value and limit, and the targets that may run now. */
  metric?: ResourceMetric;
  value?: number;
  limit?: number;
  concurrency?: number;
  /** A queued entry's own priority. */
  priority?: number;
  /** Its priority plus ageing: one level per ageing step waited (`ageing.ts`). */
  effectivePriority?: number;
  /** How long it has waited since its request. */
  waitedMs?: number;
}

/** Why a target is (not) running now (DESIGN §7 `Why`). */
export interface Why {
  target: TargetId;
  state: string;
  reasons: WhyReason[];
}

/**
 * Explains a target from the root's context and the child's state name: what it is doing, or everything
 * that keeps it from running now, most immediate first.
 */
export function explain(context: OrchestratorContext, target: TargetId, state: string): Why {
  const running = context.running[target];
  const reasons = running !== undefined ? [runningReason(running)] : waitingReasons(context, target);
  return { target, state, reasons: [...reasons, ...driftReasons(context.targets[target])] };
}

/** A warning, not a hold: the last completed run's export lacked columns or had unknown ones. */
function driftReasons(record: TargetRecord | undefined): WhyReason[] {
  const drift = record?.lastRun?.stats?.layoutDrift;
  if (drift === undefined) return [];
  return [{ code: 'LAYOUT_DRIFT', detail: `the last export's columns differ from the table's: ${describeLayoutDrift(drift)}` }];
}

function runningReason(entry: RunningEntry): WhyReason {
  const progress = entry.phase === null ? 'starting' : `${entry.phase} ${entry.done}/${entry.total}`;
  const pausing = entry.pauseRequested === null ? '' : `, pausing at the next checkpoint (${describeHold(entry.pauseRequested)})`;
  return { code: 'RUNNING', detail: `${entry.trigger} run ${progress}${pausing}` };
}

function describeHold(cause: HoldCause): string {
  switch (cause.kind) {
    case 'lease':
      return `lease ${cause.leaseId}`;
    case 'operator':
      return 'operator pause';
    case 'preempt':
      return `preempted by ${cause.by}`;
    case 'runtime':
      return 'stopped by the runtime';
  }
}

function waitingReasons(context: OrchestratorContext, target: TargetId): WhyReason[] {
  const record = context.targets[target];
  if (record === undefined) return [];
  const paused = context.paused[target];
  const position = queuePosition(context.queue, target, context.services, context);
  const entry = context.queue.find((queued) => queued.target === target);
  const waiting = paused !== undefined || position > 0;
  return [
    ...(paused?.cause.kind === 'preempt'
      ? [{ code: 'PREEMPTED' as const, detail: `paused at a checkpoint for ${paused.cause.by}`, by: [paused.cause.by] }]
      : []),
    ...(entry === undefined ? [] : [queuedReason(context, entry, position)]),
    ...holdReasons(context, record.account),
    ...accountHoldReasons(context, record.account),
    ...(waiting ? mutexReasons(context, record.account) : []),
    ...erpHoursReasons(context),
    ...(waiting ? resourceReasons(context) : []),
    ...breakerReasons(context.breaker),
    ...backoffReasons(record),
    ...(waiting ? [] : scheduleReasons(context, record)),
  ];
}

function queuedReason(context: OrchestratorContext, entry: QueueEntry, position: number): WhyReason {
  const waited = waitedMs(entry, context);
  const effective = effectivePriority(entry, context);
  const step = Math.round(ageStepMs(context.timeScale) / 1000);
  const ageing = `priority ${entry.priority}, effective ${effective} after waiting ${Math.round(waited / 1000)} s (one level per ${step} s waited)`;
  return { code: 'QUEUED', detail: `position ${position} in the queue; ${ageing}`, position, priority: entry.priority, effectivePriority: effective, waitedMs: waited };
}

function holdReasons(context: OrchestratorContext, account: string): WhyReason[] {
  const reasons: WhyReason[] = coveringLeases(context.leases, account).map((lease) => ({
    code: 'LEASE',
    detail: `lease ${lease.leaseId} (${lease.reason}) on ${lease.scope} until ${iso(lease.expiresAt)}`,
    leaseId: lease.leaseId,
    until: lease.expiresAt,
  }));
  const pause = context.operatorPause;
  return pause === null ? reasons : [{ code: 'OPERATOR_PAUSE', detail: `paused by the operator: ${pause.reason}` }, ...reasons];
}

function mutexReasons(context: OrchestratorContext, account: string): WhyReason[] {
  const running = Object.values(context.running);
  const sameAccount = running.filter((entry) => entry.account === account).map((entry) => entry.target);
  if (sameAccount.length > 0) {
    return [{ code: 'MUTEX_HELD', detail: `account ${account} is busy with ${sameAccount.join(', ')}`, by: sameAccount }];
  }
  if (running.length < context.concurrency) return [];
  const by = running.map((entry) => entry.target).sort();
  return [{ code: 'MUTEX_HELD', detail: `global concurrency cap ${context.concurrency} held by ${by.join(', ')}`, by }];
}

/** The resource guard, when it is what keeps a waiting entry from starting: held, or its lowered cap full. */
function resourceReasons(context: OrchestratorContext): WhyReason[] {
  const { held, cause } = context.resourceGuard;
  const cap = startCap(context);
  if (cause === null || (!held && Object.keys(context.running).length < cap)) return [];
  const recovery = `every reading below ${RESOURCE_HYSTERESIS * 100} % of its limit for ${RESOURCE_RECOVERY_SAMPLES} samples`;
  const detail = held
    ? `${describeBreach(cause)} over ${cause.limit}: new starts held until ${recovery}`
    : `${describeBreach(cause)} over ${cause.limit}: concurrency stepped down to ${cap} of ${context.concurrency} until ${recovery}`;
  return [{ code: 'RESOURCE_GUARD', detail, metric: cause.metric, value: cause.value, limit: cause.limit, concurrency: cap }];
}

function breakerReasons(breaker: BreakerState): WhyReason[] {
  if (breaker.state === 'open' && breaker.openUntil !== null) {
    return [{ code: 'BREAKER_OPEN', detail: `ERP circuit open until ${iso(breaker.openUntil)}`, until: breaker.openUntil }];
  }
  if (breaker.state === 'halfOpen' && breaker.probe !== null) {
    return [{ code: 'BREAKER_OPEN', detail: `ERP circuit half-open: waiting for probe ${breaker.probe}`, by: [breaker.probe] }];
  }
  return [];
}

function accountHoldReasons(context: OrchestratorContext, account: string): WhyReason[] {
  const hold = accountHoldOf(context, account);
  if (hold === null) return [];
  const detail = `LOGIN_BUDGET_EXHAUSTED(${account}, resets at ${iso(hold.until)}): no run of ${account} starts before midnight ${context.erpTimeZone} (${hold.message})`;
  return [{ code: 'LOGIN_BUDGET_EXHAUSTED', detail, until: hold.until, by: [hold.target] }];
}

function erpHoursReasons(context: OrchestratorContext): WhyReason[] {
  const window = erpWindowOf(context);
  if (window.state !== 'closed') return [];
  return [{ code: 'OUTSIDE_ERP_HOURS', detail: `the ERP is used only ${describeHours(context)}: opens at ${iso(window.until)}`, until: window.until }];
}

function backoffReasons(record: TargetRecord): WhyReason[] {
  if (record.retryAt === null) return [];
  const detail = `retry ${record.retryAttempt} after a failure, at ${iso(record.retryAt)}`;
  return [{ code: 'BACKOFF', detail, attempt: record.retryAttempt, until: record.retryAt }];
}

function scheduleReasons(context: OrchestratorContext, record: TargetRecord): WhyReason[] {
  if (record.catchUpAt !== null) {
    return [{ code: 'NEXT_DUE', detail: `catch-up of a missed slot at ${iso(record.catchUpAt)}`, at: record.catchUpAt }];
  }
  if (record.nextDueAt !== null) {
    const parent = chainParentOf(context.services, record.service);
    const slot = parent === undefined ? 'next slot' : `runs after ${parent} reports changes; safety slot`;
    return [{ code: 'NEXT_DUE', detail: `${slot} at ${iso(record.nextDueAt)}`, at: record.nextDueAt }];
  }
  const schedule = scheduleOf(context.schedules, record.service);
  const detail =
    schedule.intervalMs === null
      ? `${record.service} has no timer: it runs on request${chainedHint(context.services, record.service)}`
      : `the ${record.service} schedule is disabled`;
  return [{ code: 'DISABLED', detail }];
}

function chainedHint(services: ServiceCatalog, service: Service): string {
  const parent = chainParentOf(services, service);
  return parent === undefined ? '' : ` or after ${parent} reports changes`;
}

/** An epoch-ms time as operators read it in a reason's detail (the `until`/`at` fields keep the number). */
function iso(ms: number | null): string {
  return ms === null ? 'unknown' : new Date(ms).toISOString();
}
