/**
 * Dispatch: which paused runs resume and which queued entries start, who preempts whom, and the state the
 * `dispatch` region shows. Each decision sits next to the step that applies it.
 */
import { MAX_PREEMPTIONS, PREEMPT_MARGIN } from './catalog.js';
import type { TargetId } from './catalog.js';
import { accountHoldOf } from './account-holds.js';
import { erpWindowOf } from './erp-hours.js';
import { holdOf } from './holds.js';
import { chainDepth, orderQueue } from './queue.js';
import { startCap } from './resource-guard.js';
import { nextRandom } from './retry.js';
import { command, emit, patchRunning, patchTarget, without, withContext, type Tx } from './transaction.js';
import type { OrchestratorContext, PausedEntry, QueueEntry, RunningEntry } from './types.js';

/** The `dispatch` region's state, as derived from the context. */
export type DispatchMode = 'idle' | 'queued' | 'running' | 'draining' | 'holding';

/** One start decided by `planStarts`. */
export type StartPlan =
  | { kind: 'start'; entry: QueueEntry; probe: boolean }
  | { kind: 'resume'; entry: PausedEntry; probe: boolean };

interface Candidate {
  plan: StartPlan;
  account: string;
  priority: number;
  requestedAt: number;
  /** 0: a paused run that nothing outranks by PREEMPT_MARGIN resumes before the queue. */
  rank: 0 | 1;
}

/** True while a target is backing off after a failure. */
export function inBackoff(context: OrchestratorContext, target: TargetId): boolean {
  const retryAt = context.targets[target]?.retryAt ?? null;
  return retryAt !== null && retryAt > context.now;
}

/** Queued entries that could run if their account were free: not running, not paused, not backing off. */
function eligibleQueue(context: OrchestratorContext): QueueEntry[] {
  return orderQueue(context.queue, context.services).filter(
    (entry) =>
      context.running[entry.target] === undefined &&
      context.paused[entry.target] === undefined &&
      !inBackoff(context, entry.target),
  );
}

/** True when `challenger` may pause a run of `victim` priority that was preempted `preemptions` times. */
export function outranks(challenger: number, victim: number, preemptions: number): boolean {
  return preemptions < MAX_PREEMPTIONS && challenger >= victim + PREEMPT_MARGIN;
}

/** Paused runs and queued entries in start order: rank, priority (desc), request time, target. */
function startCandidates(context: OrchestratorContext): Candidate[] {
  const queue = eligibleQueue(context);
  const paused = Object.values(context.paused);
  const rivals = [...queue, ...paused];
  const fromPaused = paused.map((entry): Candidate => {
    // The preemption that paused this run is already counted: it still yields to its preemptor.
    const spent = entry.cause.kind === 'preempt' ? entry.preemptions - 1 : entry.preemptions;
    const outranked = rivals.some(
      (rival) => rival.account === entry.account && rival.target !== entry.target && outranks(rival.priority, entry.priority, spent),
    );
    return { plan: { kind: 'resume', entry, probe: false }, ...entry, rank: outranked ? 1 : 0 };
  });
  const fromQueue = queue.map((entry): Candidate => ({ plan: { kind: 'start', entry, probe: false }, ...entry, rank: 1 }));
  return [...fromPaused, ...fromQueue].sort(
    (a, b) =>
      a.rank - b.rank ||
      b.priority - a.priority ||
      chainDepth(context.services, a.plan.entry.service) - chainDepth(context.services, b.plan.entry.service) ||
      a.requestedAt - b.requestedAt ||
      a.plan.entry.target.localeCompare(b.plan.entry.target),
  );
}

/**
 * Which paused runs resume and which queued entries start now: at most one running target per account,
 * at most `concurrency` in total, nothing on an account held by a lease, the operator or its own hold
 * (an exhausted login budget), nothing outside the ERP window or while the breaker is open, and a single
 * probe while it is half-open. Runs already in flight when the window closes finish: only starts wait.
 * The resource guard lowers the total (`startCap`), to 0 while it holds new starts.
 */
export function planStarts(context: OrchestratorContext): StartPlan[] {
  const { breaker } = context;
  if (breaker.state === 'open' || (breaker.state === 'halfOpen' && breaker.probe !== null)) return [];
  if (erpWindowOf(context).state === 'closed') return [];
  const running = Object.values(context.running);
  const busy = new Set(running.map((entry) => entry.account));
  const plans: StartPlan[] = [];
  const free = startCap(context) - running.length;
  const slots = breaker.state === 'halfOpen' ? Math.min(1, free) : free;
  for (const candidate of startCandidates(context)) {
    if (plans.length >= slots) break;
    if (busy.has(candidate.account) || holdOf(context, candidate.account) !== null || accountHoldOf(context, candidate.account) !== null) continue;
    busy.add(candidate.account);
    plans.push({ ...candidate.plan, probe: breaker.state === 'halfOpen' });
  }
  return plans;
}

/**
 * A running target to pause because a queued entry on its account outranks it by PREEMPT_MARGIN, while
 * its preemption budget lasts; `null` when none. Only with a closed breaker, inside the ERP window and on
 * an account not held by itself: the urgent entry must be able to start once the account is free.
 */
export function planPreemption(context: OrchestratorContext): { target: TargetId; by: TargetId } | null {
  if (context.breaker.state !== 'closed' || erpWindowOf(context).state === 'closed') return null;
  const queue = eligibleQueue(context);
  for (const entry of Object.values(context.running).sort((a, b) => a.priority - b.priority)) {
    if (entry.pauseRequested !== null || holdOf(context, entry.account) !== null || accountHoldOf(context, entry.account) !== null) continue;
    const urgent = queue.find((q) => q.account === entry.account && outranks(q.priority, entry.priority, entry.preemptions));
    if (urgent !== undefined) return { target: entry.target, by: urgent.target };
  }
  return null;
}

/**
 * The dispatch region's state: `paused` when the operator paused or leases cover every account with work
 * (`draining` while a covered run has not reported paused, then `holding`); otherwise `running` with a run
 * in flight, `queued` with work that cannot start, `idle` without work.
 */
export function dispatchMode(context: OrchestratorContext): DispatchMode {
  const running = Object.values(context.running);
  const paused = Object.values(context.paused);
  const workAccounts = new Set([...context.queue, ...running, ...paused].map((entry) => entry.account));
  const everyHeld = [...workAccounts].every((account) => holdOf(context, account) !== null);
  if (context.operatorPause !== null || (context.leases.length > 0 && everyHeld)) {
    return running.length > 0 ? 'draining' : 'holding';
  }
  if (running.length > 0) return 'running';
  return context.queue.length > 0 || paused.length > 0 ? 'queued' : 'idle';
}

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

/** Draws the next backoff jitter from the context's PRNG, advancing its state. */
export function drawJitter(tx: Tx): { tx: Tx; jitter: number } {
  const { value, state } = nextRandom(tx.ctx.rngState);
  return { tx: withContext(tx, { rngState: state }), jitter: value };
}
