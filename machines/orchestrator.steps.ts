/**
 * The orchestrator's actions as pure steps: each takes a transaction (the next context plus the events to
 * emit and the commands to send to children) and returns it extended. `orchestrator.machine.ts` names them
 * in `setup` and commits a transaction with one `assign`, its `emit`s and its `sendTo`s.
 */
import { CATALOG, DEFAULT_CONCURRENCY, LEASE_DEFAULT_TTL_MS, SERVICES, parseTarget, targetsOf } from './catalog.js';
import type { Accounts, MissedPolicy, ScheduleConfig, Service, TargetId, Trigger } from './catalog.js';
import {
  breakerReopensAt,
  chainedTargets,
  coveringLeases,
  defaultPriority,
  dueWork,
  enqueue,
  laterOf,
  nextRandom,
  nextSlotAfter,
  pendingChainParent,
  planHoldPauses,
  planMissedRuns,
  planPreemption,
  planStarts,
  queuePosition,
  readyLeases,
  armClock,
  earliestDeadline,
  initialTargets,
} from './policy.js';
import type { StartPlan } from './policy.js';
import type { SyncTargetCommand, SyncTargetReport } from './sync-target.machine.js';
import type {
  BreakerState,
  Checkpoint,
  HoldCause,
  Lease,
  OrchestratorContext,
  OrchestratorInput,
  Phase,
  RunningEntry,
  RunStats,
  Skip,
  SkipReason,
  TargetRecord,
} from './types.js';
import type { FailureClass } from './catalog.js';

/** Facts the root emits (`actor.on(type, …)`); the runtime records and streams them. Times are epoch ms. */
export type OrchestratorEmitted =
  | { type: 'sync.queued'; at: number; target: TargetId; trigger: Trigger; priority: number; position: number }
  | { type: 'sync.started'; at: number; target: TargetId; trigger: Trigger; probe: boolean }
  | { type: 'sync.progress'; at: number; target: TargetId; phase: Phase; done: number; total: number }
  | { type: 'sync.paused'; at: number; target: TargetId; cause: HoldCause; checkpoint: Checkpoint | null }
  | { type: 'sync.resumed'; at: number; target: TargetId; trigger: Trigger; restored: boolean }
  | { type: 'sync.completed'; at: number; target: TargetId; trigger: Trigger; stats: RunStats }
  | {
      type: 'sync.failed';
      at: number;
      target: TargetId;
      trigger: Trigger;
      class: FailureClass;
      message: string;
      /** Retry number that follows (0: none); `immediate` for the at-once session-expired retry. */
      retry: number | 'immediate';
      retryAt: number | null;
    }
  | ({ type: 'sync.skipped' } & Skip)
  | {
      type: 'lease.acquired';
      at: number;
      leaseId: string;
      scope: string;
      pausedTargets: TargetId[];
      waitedMs: number;
      expiresAt: number;
    }
  | { type: 'lease.released'; at: number; leaseId: string; scope: string; reason: 'released' | 'expired' }
  | { type: 'erp.circuit'; at: number; state: BreakerState['state']; until: number | null; failures: number }
  | { type: 'schedule.updated'; at: number; service: Service; schedule: ScheduleConfig };

/** A command for the child of `to`. */
export interface ChildCommand {
  to: TargetId;
  event: SyncTargetCommand;
}

/** The next context and its effects, built step by step. */
export interface Tx {
  ctx: OrchestratorContext;
  emitted: OrchestratorEmitted[];
  commands: ChildCommand[];
  /** Targets whose child actor must be spawned (accounts added on restore). */
  spawned: TargetId[];
  /** Targets whose child actor must be stopped (accounts removed on restore). */
  stopped: TargetId[];
}

/** Starts a transaction at the later of the context's time and the event's `now`. */
export function begin(context: OrchestratorContext, eventNow?: number): Tx {
  return { ctx: { ...context, now: laterOf(context.now, eventNow) }, emitted: [], commands: [], spawned: [], stopped: [] };
}

/** The root's context at first boot: stagger deadlines from `bootAt`, empty queue, closed breaker. */
export function initialContext(input: OrchestratorInput): OrchestratorContext {
  const timeScale = input.timeScale ?? 1;
  const schedules = Object.fromEntries(
    SERVICES.map((service) => [service, { ...CATALOG[service].schedule, ...input.schedules?.[service] }]),
  ) as Record<Service, ScheduleConfig>;
  const context: OrchestratorContext = {
    now: input.bootAt,
    bootAt: input.bootAt,
    timeScale,
    concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
    accounts: input.accounts,
    schedules,
    targets: initialTargets(input.accounts, schedules, input.bootAt, timeScale),
    queue: [],
    running: {},
    paused: {},
    leases: [],
    operatorPause: null,
    breaker: { state: 'closed', failures: 0, openUntil: null, probe: null },
    rngState: input.random ?? input.bootAt,
    clock: armClock(null, input.bootAt),
  };
  return { ...context, clock: armClock(earliestDeadline(context), input.bootAt) };
}

// ─── helpers ───────────────────────────────────────────────────────────────────────────────────────

function withContext(tx: Tx, patch: Partial<OrchestratorContext>): Tx {
  return { ...tx, ctx: { ...tx.ctx, ...patch } };
}

function emit(tx: Tx, event: OrchestratorEmitted): Tx {
  return { ...tx, emitted: [...tx.emitted, event] };
}

function command(tx: Tx, to: TargetId, event: SyncTargetCommand): Tx {
  return { ...tx, commands: [...tx.commands, { to, event }] };
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}

function patchTarget(tx: Tx, target: TargetId, patch: Partial<TargetRecord>): Tx {
  const record = tx.ctx.targets[target];
  return record === undefined ? tx : withContext(tx, { targets: { ...tx.ctx.targets, [target]: { ...record, ...patch } } });
}

function patchRunning(tx: Tx, target: TargetId, patch: Partial<RunningEntry>): Tx {
  const entry = tx.ctx.running[target];
  return entry === undefined ? tx : withContext(tx, { running: { ...tx.ctx.running, [target]: { ...entry, ...patch } } });
}

function skip(tx: Tx, target: TargetId, trigger: Trigger, reason: SkipReason, detail: string): Tx {
  return emit(tx, { type: 'sync.skipped', at: tx.ctx.now, target, trigger, reason, detail });
}

function drawJitter(tx: Tx): { tx: Tx; jitter: number } {
  const { value, state } = nextRandom(tx.ctx.rngState);
  return { tx: withContext(tx, { rngState: state }), jitter: value };
}

// ─── requests ──────────────────────────────────────────────────────────────────────────────────────

const TIMER_TRIGGERS: readonly Trigger[] = ['schedule', 'catch-up'];

/**
 * Queues one target, coalescing into its queued entry (skip COALESCED). A request for a chain child whose
 * parent is pending rides on the parent's chain (skip COALESCED). Timer triggers are skipped (BREAKER_OPEN)
 * while the breaker is open: the next slot comes soon enough and the ERP is down anyway.
 */
export function requestTarget(tx: Tx, target: TargetId, trigger: Trigger, priority?: number): Tx {
  const parsed = parseTarget(target);
  if (parsed === null || tx.ctx.targets[target] === undefined) {
    return skip(tx, target, trigger, 'UNKNOWN_TARGET', `${target} is not a configured target`);
  }
  if (TIMER_TRIGGERS.includes(trigger) && tx.ctx.breaker.state === 'open') {
    return skip(tx, target, trigger, 'BREAKER_OPEN', `ERP circuit open until ${tx.ctx.breaker.openUntil}`);
  }
  const parent = trigger === 'chained' ? null : pendingChainParent(tx.ctx, target);
  if (parent !== null) {
    return skip(tx, target, trigger, 'COALESCED', `rides on ${parent}: runs chained if ${parent} reports changes`);
  }
  const request = { target, trigger, priority: priority ?? defaultPriority(parsed.service), at: tx.ctx.now };
  const result = enqueue(tx.ctx.queue, request);
  const next = withContext(tx, { queue: result.queue });
  if (result.coalesced) {
    const detail = `merged into the queued ${result.entry.trigger} entry (${result.entry.merges} merges, priority ${result.entry.priority})`;
    return skip(next, target, trigger, 'COALESCED', detail);
  }
  const position = queuePosition(result.queue, target);
  return emit(next, { type: 'sync.queued', at: tx.ctx.now, target, trigger, priority: request.priority, position });
}

/** `sync.request`: one account, or every account of the service. */
export function requestSync(
  tx: Tx,
  event: { service: Service; account?: string; priority?: number; trigger?: Trigger },
): Tx {
  const accounts =
    event.account !== undefined
      ? [event.account]
      : Object.values(tx.ctx.targets)
          .filter((record) => record.service === event.service)
          .map((record) => record.account);
  return accounts.reduce(
    (acc, account) => requestTarget(acc, `${event.service}@${account}`, event.trigger ?? 'manual', event.priority),
    tx,
  );
}

// ─── dispatch rules ────────────────────────────────────────────────────────────────────────────────

/** Starts or resumes everything `planStarts` allows, drawing each run's backoff jitter. */
export function startWork(tx: Tx): Tx {
  return planStarts(tx.ctx).reduce(applyStart, tx);
}

function applyStart(tx: Tx, plan: StartPlan): Tx {
  const drawn = drawJitter(tx);
  const now = tx.ctx.now;
  const target = plan.entry.target;
  const running: RunningEntry = {
    ...plan.entry,
    startedAt: now,
    preemptions: plan.kind === 'resume' ? plan.entry.preemptions : 0,
    pauseRequested: null,
    probe: plan.probe,
    phase: null,
    done: 0,
    total: 0,
  };
  const base = withContext(drawn.tx, {
    running: { ...drawn.tx.ctx.running, [target]: running },
    ...(plan.kind === 'start'
      ? { queue: drawn.tx.ctx.queue.filter((entry) => entry.target !== target) }
      : { paused: without(drawn.tx.ctx.paused, target) }),
    ...(plan.probe ? { breaker: { ...drawn.tx.ctx.breaker, probe: target } } : {}),
  });
  if (plan.kind === 'resume') {
    const resumed = command(base, target, { type: 'target.resume', now, jitter: drawn.jitter, timeScale: base.ctx.timeScale });
    return emit(resumed, { type: 'sync.resumed', at: now, target, trigger: running.trigger, restored: false });
  }
  const started = command(patchTarget(base, target, { retryAt: null }), target, {
    type: 'target.start',
    trigger: running.trigger,
    now,
    jitter: drawn.jitter,
    timeScale: base.ctx.timeScale,
  });
  return emit(started, { type: 'sync.started', at: now, target, trigger: running.trigger, probe: plan.probe });
}

/** Tells every run on a held account to pause at its next checkpoint. */
export function pauseHeldRuns(tx: Tx): Tx {
  return planHoldPauses(tx.ctx).reduce(
    (acc, { target, cause }) =>
      command(patchRunning(acc, target, { pauseRequested: cause }), target, { type: 'target.pause', now: acc.ctx.now }),
    tx,
  );
}

/** Pauses the run outranked by a queued entry on its account, spending one of its preemptions. */
export function preemptRun(tx: Tx): Tx {
  const preemption = planPreemption(tx.ctx);
  const entry = preemption === null ? undefined : tx.ctx.running[preemption.target];
  if (preemption === null || entry === undefined) return tx;
  const patched = patchRunning(tx, preemption.target, {
    pauseRequested: { kind: 'preempt', by: preemption.by },
    preemptions: entry.preemptions + 1,
  });
  return command(patched, preemption.target, { type: 'target.pause', now: tx.ctx.now });
}

/** Pending leases with nothing left running in scope become active (the HTTP call returns then). */
export function activateReadyLeases(tx: Tx): Tx {
  const ready = new Set(readyLeases(tx.ctx).map((lease) => lease.leaseId));
  const leases = tx.ctx.leases.map((lease) => (ready.has(lease.leaseId) ? { ...lease, status: 'active' as const } : lease));
  return leases
    .filter((lease) => ready.has(lease.leaseId))
    .reduce(
      (acc, lease) =>
        emit(acc, {
          type: 'lease.acquired',
          at: acc.ctx.now,
          leaseId: lease.leaseId,
          scope: lease.scope,
          pausedTargets: lease.pausedTargets,
          waitedMs: acc.ctx.now - lease.acquiredAt,
          expiresAt: lease.expiresAt,
        }),
      withContext(tx, { leases }),
    );
}

// ─── leases and operator pause ─────────────────────────────────────────────────────────────────────

/** `lease.acquire`: a new pending lease, or a renewal (new TTL) of a lease already held. */
export function acquireLease(
  tx: Tx,
  event: { leaseId: string; scope: string; ttlMs?: number; reason: string },
): Tx {
  const expiresAt = tx.ctx.now + (event.ttlMs !== undefined && event.ttlMs > 0 ? event.ttlMs : LEASE_DEFAULT_TTL_MS);
  const existing = tx.ctx.leases.find((lease) => lease.leaseId === event.leaseId);
  if (existing !== undefined) {
    const renewed = { ...existing, expiresAt, reason: event.reason };
    return withContext(tx, { leases: tx.ctx.leases.map((lease) => (lease === existing ? renewed : lease)) });
  }
  const lease: Lease = {
    leaseId: event.leaseId,
    scope: event.scope,
    reason: event.reason,
    acquiredAt: tx.ctx.now,
    expiresAt,
    status: 'pending',
    pausedTargets: [],
  };
  return withContext(tx, { leases: [...tx.ctx.leases, lease] });
}

/** Ends a lease (`lease.release` or TTL expiry); the account frees when its last covering lease ends. */
export function releaseLease(tx: Tx, leaseId: string, reason: 'released' | 'expired'): Tx {
  const lease = tx.ctx.leases.find((candidate) => candidate.leaseId === leaseId);
  if (lease === undefined) return tx;
  const next = withContext(tx, { leases: tx.ctx.leases.filter((candidate) => candidate !== lease) });
  return emit(next, { type: 'lease.released', at: tx.ctx.now, leaseId, scope: lease.scope, reason });
}

/** `orchestrator.pause`: like a `*` lease without TTL. */
export function pauseForOperator(tx: Tx, event: { reason: string; transient?: boolean }): Tx {
  return withContext(tx, { operatorPause: { reason: event.reason, since: tx.ctx.now, transient: event.transient ?? false } });
}

/** `orchestrator.resume`. */
export function resumeForOperator(tx: Tx): Tx {
  return withContext(tx, { operatorPause: null });
}

// ─── reports from children ─────────────────────────────────────────────────────────────────────────

type Report<T extends SyncTargetReport['type']> = Extract<SyncTargetReport, { type: T }>;

/** `target.progress`. */
export function recordProgress(tx: Tx, event: Report<'target.progress'>): Tx {
  const { target, phase, done, total } = event;
  return emit(patchRunning(tx, target, { phase, done, total }), { type: 'sync.progress', at: tx.ctx.now, target, phase, done, total });
}

/** `target.paused`: the run left its account at a checkpoint; it waits in `paused` to resume. */
export function recordPaused(tx: Tx, event: Report<'target.paused'>): Tx {
  const entry = tx.ctx.running[event.target];
  if (entry === undefined) return tx;
  const cause: HoldCause = entry.pauseRequested ?? { kind: 'runtime' };
  const { pauseRequested: _p, probe: _probe, startedAt: _s, phase: _phase, done: _d, total: _t, ...kept } = entry;
  const leases = tx.ctx.leases.map((lease) =>
    lease.status === 'pending' && coveringLeases([lease], entry.account).length > 0
      ? { ...lease, pausedTargets: [...lease.pausedTargets, entry.target] }
      : lease,
  );
  const next = withContext(tx, {
    running: without(tx.ctx.running, event.target),
    paused: { ...tx.ctx.paused, [event.target]: { ...kept, pausedAt: tx.ctx.now, cause } },
    leases,
  });
  return emit(next, { type: 'sync.paused', at: tx.ctx.now, target: event.target, cause, checkpoint: event.checkpoint });
}

/** `target.completed`. */
export function recordCompleted(tx: Tx, event: Report<'target.completed'>): Tx {
  const trigger = tx.ctx.running[event.target]?.trigger ?? 'manual';
  const next = patchTarget(withContext(tx, { running: without(tx.ctx.running, event.target) }), event.target, {
    retryAt: null,
    retryAttempt: 0,
    lastRun: { outcome: 'completed', at: tx.ctx.now, trigger, stats: event.stats, error: null },
  });
  return emit(next, { type: 'sync.completed', at: tx.ctx.now, target: event.target, trigger, stats: event.stats });
}

/** `target.failed`: a retry deadline (absolute) or a final failure. */
export function recordFailed(tx: Tx, event: Report<'target.failed'>): Tx {
  const trigger = tx.ctx.running[event.target]?.trigger ?? 'manual';
  const error = { class: event.class, message: event.message };
  const next = patchTarget(withContext(tx, { running: without(tx.ctx.running, event.target) }), event.target, {
    retryAt: event.retryAt,
    retryAttempt: event.retryAt === null ? 0 : event.retry,
    lastRun: { outcome: 'failed', at: tx.ctx.now, trigger, stats: null, error },
  });
  return emit(next, { type: 'sync.failed', at: tx.ctx.now, target: event.target, trigger, ...error, retry: event.retry, retryAt: event.retryAt });
}

/** `target.restarted`: the immediate session-expired retry; the run keeps its account. */
export function recordRestarted(tx: Tx, event: Report<'target.restarted'>): Tx {
  const entry = tx.ctx.running[event.target];
  if (entry === undefined) return tx;
  const at = tx.ctx.now;
  const failed = emit(patchRunning(tx, event.target, { trigger: 'retry', phase: null, done: 0, total: 0 }), {
    type: 'sync.failed',
    at,
    target: event.target,
    trigger: entry.trigger,
    class: event.class,
    message: event.message,
    retry: 'immediate',
    retryAt: at,
  });
  return emit(failed, { type: 'sync.started', at, target: event.target, trigger: 'retry', probe: entry.probe });
}

/** Orders (products) with changes: queue ddt + invoices (prices) on the same account, trigger `chained`. */
export function enqueueChained(tx: Tx, event: Report<'target.completed'>): Tx {
  const chain = chainedTargets(event.target, event.stats);
  return (chain?.children ?? []).reduce((acc, child) => requestTarget(acc, child, 'chained'), tx);
}

/** Orders (products) without changes: their children are skipped with NO_PARENT_CHANGES. */
export function skipChained(tx: Tx, event: Report<'target.completed'>): Tx {
  const chain = chainedTargets(event.target, event.stats);
  const detail = `${event.target} completed without inserted or updated rows`;
  return (chain?.children ?? []).reduce((acc, child) => skip(acc, child, 'chained', 'NO_PARENT_CHANGES', detail), tx);
}

// ─── breaker ───────────────────────────────────────────────────────────────────────────────────────

function setBreaker(tx: Tx, breaker: BreakerState): Tx {
  const next = withContext(tx, { breaker });
  return emit(next, { type: 'erp.circuit', at: tx.ctx.now, state: breaker.state, until: breaker.openUntil, failures: breaker.failures });
}

/** Opens the breaker for a cooldown from now. */
export function openBreaker(tx: Tx): Tx {
  const failures = tx.ctx.breaker.failures + 1;
  return setBreaker(tx, { state: 'open', failures, openUntil: breakerReopensAt(tx.ctx.now, tx.ctx.timeScale), probe: null });
}

/** Cooldown over: one probe run may start. */
export function halfOpenBreaker(tx: Tx): Tx {
  return setBreaker(tx, { ...tx.ctx.breaker, state: 'halfOpen', probe: null });
}

/** The probe proved the ERP reachable. */
export function closeBreaker(tx: Tx): Tx {
  return setBreaker(tx, { state: 'closed', failures: 0, openUntil: null, probe: null });
}

/** One more consecutive ERP failure while closed. */
export function countErpFailure(tx: Tx): Tx {
  return withContext(tx, { breaker: { ...tx.ctx.breaker, failures: tx.ctx.breaker.failures + 1 } });
}

/** A completed run proves the ERP reachable: the consecutive count restarts. */
export function resetErpFailures(tx: Tx): Tx {
  return tx.ctx.breaker.failures === 0 ? tx : withContext(tx, { breaker: { ...tx.ctx.breaker, failures: 0 } });
}

/** The probe paused before deciding: another probe may start. */
export function releaseProbe(tx: Tx): Tx {
  return withContext(tx, { breaker: { ...tx.ctx.breaker, probe: null } });
}

// ─── clock ─────────────────────────────────────────────────────────────────────────────────────────

/** Arms the clock region for the earliest deadline. */
export function armClockStep(tx: Tx): Tx {
  return withContext(tx, { clock: armClock(earliestDeadline(tx.ctx), tx.ctx.now) });
}

/** The timer fired: time is now (at least) the instant it was armed for. */
export function advanceToWake(tx: Tx): Tx {
  return withContext(tx, { now: Math.max(tx.ctx.now, tx.ctx.clock.wakeAt) });
}

/** Enqueues due slots (advancing them), due catch-ups and retries, and ends expired leases. */
export function fireDueDeadlines(tx: Tx): Tx {
  const { now, bootAt, timeScale, schedules } = tx.ctx;
  const due = dueWork(tx.ctx, now);
  let next = tx;
  for (const target of due.scheduled) {
    const service = tx.ctx.targets[target]?.service;
    if (service === undefined) continue;
    next = patchTarget(next, target, { nextDueAt: nextSlotAfter(bootAt, schedules[service], timeScale, now) });
    next = requestTarget(next, target, 'schedule');
  }
  for (const target of due.catchUps) next = requestTarget(patchTarget(next, target, { catchUpAt: null }), target, 'catch-up');
  for (const target of due.retries) next = requestTarget(patchTarget(next, target, { retryAt: null }), target, 'retry');
  for (const lease of due.expiredLeases) next = releaseLease(next, lease.leaseId, 'expired');
  return next;
}

// ─── schedules and restore ─────────────────────────────────────────────────────────────────────────

/** `schedule.update`: merges the change and moves the service's targets to the next slot of the new grid. */
export function updateSchedule(
  tx: Tx,
  event: { service: Service; intervalMs?: number | null; offsetMs?: number; enabled?: boolean; missed?: MissedPolicy },
): Tx {
  const current = tx.ctx.schedules[event.service];
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

/**
 * `orchestrator.restored`: reconciles the configuration (accounts, concurrency, time scale: the snapshot's
 * context wins over the input otherwise), applies the missed-run policy to slots that passed while down,
 * lifts a transient (shutdown) pause, and tells every run that was in flight to restart from its last
 * checkpoint.
 */
export function restoreAfterRestart(
  tx: Tx,
  event: { accounts?: Accounts; concurrency?: number; timeScale?: number },
): Tx {
  const operatorPause = tx.ctx.operatorPause?.transient === true ? null : tx.ctx.operatorPause;
  let next = withContext(tx, {
    operatorPause,
    concurrency: event.concurrency ?? tx.ctx.concurrency,
    timeScale: event.timeScale ?? tx.ctx.timeScale,
  });
  if (event.accounts !== undefined) next = reconcileAccounts(next, event.accounts);
  next = applyMissedRuns(next);
  for (const entry of Object.values(next.ctx.running)) {
    next = command(next, entry.target, { type: 'target.restore', now: next.ctx.now });
    next = emit(next, { type: 'sync.resumed', at: next.ctx.now, target: entry.target, trigger: entry.trigger, restored: true });
  }
  return next;
}

/**
 * Adds the targets of new accounts (first slot after now, no catch-up for a past they never had) and drops
 * the targets of removed accounts with their queue entries and runs; their child actors follow.
 */
function reconcileAccounts(tx: Tx, accounts: Accounts): Tx {
  const { ctx } = tx;
  const wanted = new Set(targetsOf(accounts));
  const fresh = initialTargets(accounts, ctx.schedules, ctx.bootAt, ctx.timeScale);
  const added = [...wanted].filter((target) => ctx.targets[target] === undefined);
  const removed = Object.keys(ctx.targets).filter((target) => !wanted.has(target));
  const gone = new Set(removed);
  const targets: Record<TargetId, TargetRecord> = {};
  for (const [target, record] of Object.entries(ctx.targets)) if (!gone.has(target)) targets[target] = record;
  for (const target of added) {
    const record = fresh[target];
    if (record === undefined) continue;
    const schedule = ctx.schedules[record.service];
    targets[target] = { ...record, nextDueAt: nextSlotAfter(ctx.bootAt, schedule, ctx.timeScale, ctx.now) };
  }
  const keep = <T>(record: Record<TargetId, T>) => Object.fromEntries(Object.entries(record).filter(([target]) => !gone.has(target)));
  const next = withContext(tx, {
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
