/**
 * Dispatch: which paused runs resume and which queued entries start, who preempts whom, and the state the
 * `dispatch` region shows. Each decision sits next to the step that applies it.
 */
import { effectivePriority, waitingSince } from './ageing.js';
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

/** A preemption decided by `planPreemption` or `planCapPreemption`: pause `target` so that `by` can start. */
export interface Preemption {
  target: TargetId;
  by: TargetId;
}

interface Candidate {
  plan: StartPlan;
  account: string;
  /** Priority plus ageing (`ageing.ts`) at the context's `now`. */
  effective: number;
  /** Waiting since: the request of a queued entry, the pause of a paused run. */
  since: number;
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
  return orderQueue(context.queue, context.services, context).filter(
    (entry) =>
      context.running[entry.target] === undefined &&
      context.paused[entry.target] === undefined &&
      !inBackoff(context, entry.target),
  );
}

/**
 * True when `challenger` may pause a run of `victim` priority that was preempted `preemptions` times. The
 * challenger's priority is its effective one now, the victim's the one it started with (`standing`).
 */
export function outranks(challenger: number, victim: number, preemptions: number): boolean {
  return preemptions < MAX_PREEMPTIONS && challenger >= victim + PREEMPT_MARGIN;
}

/** The priority a run or paused run defends itself with against preemption. */
export function standing(entry: RunningEntry | PausedEntry): number {
  return entry.startPriority ?? entry.priority;
}

/**
 * Paused runs and queued entries in start order: rank, effective priority (desc), chain depth, waiting
 * since, target. A paused run is outranked by a rival on any account: on its own account the rival waits
 * for the mutex, elsewhere for the cap (`planCapPreemption`); either way it must not resume ahead of it.
 */
function startCandidates(context: OrchestratorContext): Candidate[] {
  const queue = eligibleQueue(context);
  const paused = Object.values(context.paused);
  const rivals = [...queue, ...paused];
  const candidate = (plan: StartPlan, rank: 0 | 1): Candidate => ({
    plan,
    account: plan.entry.account,
    effective: effectivePriority(plan.entry, context),
    since: waitingSince(plan.entry),
    rank,
  });
  const fromPaused = paused.map((entry) => {
    // The preemption that paused this run is already counted: it still yields to its preemptor.
    const spent = entry.cause.kind === 'preempt' ? entry.preemptions - 1 : entry.preemptions;
    const outranked = rivals.some(
      (rival) => rival.target !== entry.target && outranks(effectivePriority(rival, context), standing(entry), spent),
    );
    return candidate({ kind: 'resume', entry, probe: false }, outranked ? 1 : 0);
  });
  const fromQueue = queue.map((entry) => candidate({ kind: 'start', entry, probe: false }, 1));
  return [...fromPaused, ...fromQueue].sort(
    (a, b) =>
      a.rank - b.rank ||
      b.effective - a.effective ||
      chainDepth(context.services, a.plan.entry.service) - chainDepth(context.services, b.plan.entry.service) ||
      a.since - b.since ||
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
    if (busy.has(candidate.account) || isHeld(context, candidate.account)) continue;
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
export function planPreemption(context: OrchestratorContext): Preemption | null {
  if (context.breaker.state !== 'closed' || erpWindowOf(context).state === 'closed') return null;
  const queue = eligibleQueue(context);
  for (const entry of pausableRuns(context)) {
    const urgent = queue.find(
      (q) => q.account === entry.account && outranks(effectivePriority(q, context), standing(entry), entry.preemptions),
    );
    if (urgent !== undefined) return { target: entry.target, by: urgent.target };
  }
  return null;
}

/**
 * A running target to pause because the global cap, not an account, blocks the entry that starts next:
 * every slot of the cap (lowered by the resource guard, never while it holds starts) is taken by a run not
 * already pausing, and the head of the start order among entries whose account is free and unheld is a
 * queued entry that outranks the lowest-standing run by PREEMPT_MARGIN while that run's preemption budget
 * lasts. Only the head preempts, so the freed slot is its own.
 */
export function planCapPreemption(context: OrchestratorContext): Preemption | null {
  if (context.breaker.state !== 'closed' || erpWindowOf(context).state === 'closed') return null;
  const running = Object.values(context.running);
  // Blocked by the cap (the guard's, `startCap`), and one pause is enough to let the head start.
  const cap = startCap(context);
  if (cap === 0 || running.filter((entry) => entry.pauseRequested === null).length !== cap) return null;
  const busy = new Set(running.map((entry) => entry.account));
  const head = startCandidates(context).find(
    (c) => !busy.has(c.account) && !isHeld(context, c.account),
  );
  if (head === undefined || head.plan.kind !== 'start') return null;
  const victim = pausableRuns(context).find((entry) => outranks(head.effective, standing(entry), entry.preemptions));
  return victim === undefined ? null : { target: victim.target, by: head.plan.entry.target };
}

/**
 * True when nothing may start on `account`: a lease or the operator holds it (`holdOf`), or its own hold
 * does (an exhausted login budget, `accountHoldOf`).
 */
function isHeld(context: OrchestratorContext, account: string): boolean {
  return holdOf(context, account) !== null || accountHoldOf(context, account) !== null;
}

/**
 * Runs that a preemption may pause, lowest standing first: not already pausing, on an account held neither
 * by a lease or the operator nor by itself (an account hold).
 */
function pausableRuns(context: OrchestratorContext): RunningEntry[] {
  return Object.values(context.running)
    .filter((entry) => entry.pauseRequested === null && !isHeld(context, entry.account))
    .sort((a, b) => standing(a) - standing(b) || a.target.localeCompare(b.target));
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
    startPriority: Math.max(effectivePriority(plan.entry, tx.ctx), plan.kind === 'resume' ? standing(plan.entry) : 0),
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
  return applyPreemption(tx, planPreemption(tx.ctx));
}

/** Pauses the run outranked by the queued entry the global cap blocks, spending one of its preemptions. */
export function preemptForCap(tx: Tx): Tx {
  return applyPreemption(tx, planCapPreemption(tx.ctx));
}

function applyPreemption(tx: Tx, preemption: Preemption | null): Tx {
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
