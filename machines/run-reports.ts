/**
 * What the root does with its children's reports: progress, paused at a checkpoint, completed, failed,
 * restarted at once.
 */
import { coveringLeases } from './holds.js';
import { rearmSafetyInterval } from './schedule.js';
import { emit, type Report, patchRunning, patchTarget, without, withContext, type Tx } from './transaction.js';
import type { HoldCause } from './types.js';

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

/** `target.completed`; a chained service's safety slot moves to one interval after it. */
export function recordCompleted(tx: Tx, event: Report<'target.completed'>): Tx {
  const trigger = tx.ctx.running[event.target]?.trigger ?? 'manual';
  const next = patchTarget(withContext(tx, { running: without(tx.ctx.running, event.target) }), event.target, {
    retryAt: null,
    retryAttempt: 0,
    lastRun: { outcome: 'completed', at: tx.ctx.now, trigger, stats: event.stats, error: null },
  });
  return emit(rearmSafetyInterval(next, event.target), { type: 'sync.completed', at: tx.ctx.now, target: event.target, trigger, stats: event.stats });
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
