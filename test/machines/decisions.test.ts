/** The orchestrator's pure decisions, subject by subject (queue, dispatch, holds, schedules, restore, retry, breaker, chain, why). */
import { describe, expect, it } from 'vitest';
import {
  BREAKER_COOLDOWN_MS,
  BREAKER_THRESHOLD,
  CATCHUP_SPACING_MS,
  MAX_PREEMPTIONS,
  MAX_TIMER_DELAY_MS,
  targetsOf,
  type ScheduleConfig,
  type TargetId,
} from '../../machines/catalog.js';
import { initialContext, planMissedRuns } from '../../machines/boot.js';
import { cooldownElapsed, tripsBreaker } from '../../machines/breaker.js';
import { chainedTargets } from '../../machines/chain.js';
import { armClock, dueWork, earliestDeadline } from '../../machines/clock.js';
import { dispatchMode, planPreemption, planStarts, type StartPlan } from '../../machines/dispatch.js';
import { expiredLeases, leaseRefCounts, planHoldPauses, readyLeases } from '../../machines/holds.js';
import { enqueue, orderQueue, queuePosition } from '../../machines/queue.js';
import { failureClassOf, nextRandom, retryDecision, retryDelayMs } from '../../machines/retry.js';
import { firstDueAt, nextSlotAfter } from '../../machines/schedule.js';
import { scaled } from '../../machines/time.js';
import { explain } from '../../machines/why.js';
import { SERVICES } from './harness.js';
import type { Lease, OrchestratorContext, PausedEntry, QueueEntry, RunningEntry } from '../../machines/types.js';

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const ACCOUNTS = { service: 'svc', agents: ['anna', 'bruno'] };
const AT_T0 = { now: T0, timeScale: 1 };

function context(overrides: Partial<OrchestratorContext> = {}): OrchestratorContext {
  return { ...initialContext({ services: SERVICES, accounts: ACCOUNTS, bootAt: T0 }), ...overrides };
}

function split(target: TargetId): { service: QueueEntry['service']; account: string } {
  const [service, account] = target.split('@') as [QueueEntry['service'], string];
  return { service, account };
}

function queued(target: TargetId, priority: number, requestedAt = T0): QueueEntry {
  return { target, ...split(target), priority, trigger: 'manual', requestedAt, merges: 0 };
}

function running(target: TargetId, priority: number, partial: Partial<RunningEntry> = {}): RunningEntry {
  return {
    ...queued(target, priority),
    startedAt: T0,
    preemptions: 0,
    pauseRequested: null,
    probe: false,
    phase: 'applying',
    done: 1,
    total: 10,
    ...partial,
  };
}

function paused(target: TargetId, priority: number, partial: Partial<PausedEntry> = {}): PausedEntry {
  return { ...queued(target, priority), pausedAt: T0, preemptions: 1, cause: { kind: 'operator' }, ...partial };
}

function lease(leaseId: string, scope: string, partial: Partial<Lease> = {}): Lease {
  return { leaseId, scope, reason: 'order entry', acquiredAt: T0, expiresAt: T0 + 5 * MINUTE, status: 'active', pausedTargets: [], ...partial };
}

function byTarget<T extends { target: TargetId }>(...entries: T[]): Record<TargetId, T> {
  return Object.fromEntries(entries.map((entry) => [entry.target, entry]));
}

const started = (plans: StartPlan[]): string[] => plans.map((plan) => `${plan.kind}:${plan.entry.target}`);

describe('queue order and coalescing', () => {
  it('orders the queue by priority (desc), then by request time', () => {
    const queue = [queued('prices@svc', 1, T0), queued('customers@anna', 3, T0 + 2), queued('orders@anna', 4, T0 + 5), queued('customers@bruno', 3, T0 + 1)];
    expect(orderQueue(queue, SERVICES, { now: T0 + 5, timeScale: 1 }).map((entry) => entry.target)).toEqual(['orders@anna', 'customers@bruno', 'customers@anna', 'prices@svc']);
  });

  it('keeps at most one entry per target: a second request merges, keeps the higher priority and counts the merge', () => {
    const first = enqueue([], { target: 'products@svc', priority: 2, trigger: 'schedule', at: T0 }, SERVICES);
    const second = enqueue(first.queue, { target: 'products@svc', priority: 5, trigger: 'manual', at: T0 + MINUTE }, SERVICES);
    expect(first.coalesced).toBe(false);
    expect(second.coalesced).toBe(true);
    expect(second.queue).toEqual([{ ...queued('products@svc', 5, T0), trigger: 'schedule', merges: 1 }]);
  });

  it('does not lower the priority of a queued entry when a lower-priority request merges', () => {
    const first = enqueue([], { target: 'orders@anna', priority: 6, trigger: 'manual', at: T0 }, SERVICES);
    const second = enqueue(first.queue, { target: 'orders@anna', priority: 4, trigger: 'schedule', at: T0 + 1 }, SERVICES);
    expect(second.entry.priority).toBe(6);
  });

  it('reports 1-based queue positions in dispatch order, 0 when absent', () => {
    const queue = [queued('prices@svc', 1), queued('orders@anna', 4)];
    expect(queuePosition(queue, 'orders@anna', SERVICES, AT_T0)).toBe(1);
    expect(queuePosition(queue, 'prices@svc', SERVICES, AT_T0)).toBe(2);
    expect(queuePosition(queue, 'ddt@anna', SERVICES, AT_T0)).toBe(0);
  });
});

describe('which entries start now', () => {
  it('starts one target per account even with spare global capacity', () => {
    const ctx = context({ concurrency: 4, queue: [queued('orders@anna', 4), queued('customers@anna', 3)] });
    expect(started(planStarts(ctx))).toEqual(['start:orders@anna']);
  });

  it('respects the global cap across accounts', () => {
    const queue = [queued('orders@anna', 4), queued('orders@bruno', 4, T0 + 1), queued('products@svc', 2)];
    expect(started(planStarts(context({ queue })))).toEqual(['start:orders@anna']);
    expect(started(planStarts(context({ queue, concurrency: 2 })))).toEqual(['start:orders@anna', 'start:orders@bruno']);
  });

  it('starts nothing on an account that already runs a target', () => {
    const ctx = context({ concurrency: 3, running: byTarget(running('products@svc', 2)), queue: [queued('prices@svc', 1), queued('orders@anna', 4)] });
    expect(started(planStarts(ctx))).toEqual(['start:orders@anna']);
  });

  it('holds accounts covered by a lease, every account under a * lease, and everything under an operator pause', () => {
    const queue = [queued('orders@anna', 4), queued('orders@bruno', 4, T0 + 1)];
    expect(started(planStarts(context({ queue, concurrency: 2, leases: [lease('l1', 'anna')] })))).toEqual(['start:orders@bruno']);
    expect(planStarts(context({ queue, concurrency: 2, leases: [lease('l1', '*')] }))).toEqual([]);
    expect(planStarts(context({ queue, concurrency: 2, operatorPause: { reason: 'maintenance', since: T0, transient: false } }))).toEqual([]);
  });

  it('starts nothing while the breaker is open, and a single probe while it is half-open', () => {
    const queue = [queued('orders@anna', 4), queued('orders@bruno', 4, T0 + 1)];
    const open = { state: 'open' as const, failures: 3, openUntil: T0 + MINUTE, probe: null };
    expect(planStarts(context({ queue, concurrency: 2, breaker: open }))).toEqual([]);
    const halfOpen = planStarts(context({ queue, concurrency: 2, breaker: { ...open, state: 'halfOpen' } }));
    expect(halfOpen).toHaveLength(1);
    expect(halfOpen[0]?.probe).toBe(true);
    expect(planStarts(context({ queue, breaker: { ...open, state: 'halfOpen', probe: 'orders@anna' } }))).toEqual([]);
  });

  it('does not start a target that is backing off', () => {
    const ctx = context({ now: T0, queue: [queued('orders@anna', 4)] });
    const record = ctx.targets['orders@anna'];
    if (record === undefined) throw new Error('missing target');
    const backingOff = { ...ctx, targets: { ...ctx.targets, 'orders@anna': { ...record, retryAt: T0 + 5 * SECOND, retryAttempt: 1 } } };
    expect(planStarts(backingOff)).toEqual([]);
    expect(started(planStarts({ ...backingOff, now: T0 + 5 * SECOND }))).toEqual(['start:orders@anna']);
  });

  it('resumes a paused run before the queue', () => {
    const ctx = context({ paused: byTarget(paused('products@svc', 2)), queue: [queued('prices@svc', 1)] });
    expect(started(planStarts(ctx))).toEqual(['resume:products@svc']);
  });

  it('lets a queued entry that outranks a preempted run by the margin go first', () => {
    const ctx = context({
      paused: byTarget(paused('customers@anna', 2, { cause: { kind: 'preempt', by: 'orders@anna' } })),
      queue: [queued('orders@anna', 4)],
    });
    expect(started(planStarts(ctx))).toEqual(['start:orders@anna']);
  });

  it('resumes a run whose preemption budget is spent even if outranked', () => {
    const ctx = context({
      paused: byTarget(paused('products@svc', 2, { preemptions: MAX_PREEMPTIONS })),
      queue: [{ ...queued('prices@svc', 4) }],
    });
    expect(started(planStarts(ctx))).toEqual(['resume:products@svc']);
  });

  it('does not start a queued entry for a target that is running or paused', () => {
    const ctx = context({ concurrency: 3, paused: byTarget(paused('orders@anna', 4)), queue: [queued('orders@anna', 4)], leases: [lease('l', 'anna')] });
    expect(planStarts(ctx)).toEqual([]);
  });
});

describe('preemption', () => {
  it('pauses products for orders on the same account (margin 2)', () => {
    const ctx = context({ running: byTarget(running('customers@anna', 2)), queue: [queued('orders@anna', 4)] });
    expect(planPreemption(ctx)).toEqual({ target: 'customers@anna', by: 'orders@anna' });
  });

  it('does not preempt for a margin below PREEMPT_MARGIN', () => {
    const ctx = context({ running: byTarget(running('customers@anna', 3)), queue: [queued('orders@anna', 4)] });
    expect(planPreemption(ctx)).toBeNull();
  });

  it('does not preempt across accounts for the account mutex (the cap has its own rule: ageing.test.ts)', () => {
    const ctx = context({ running: byTarget(running('products@svc', 2)), queue: [queued('orders@anna', 4)] });
    expect(planPreemption(ctx)).toBeNull();
  });

  it('stops preempting a run after MAX_PREEMPTIONS', () => {
    const ctx = context({ running: byTarget(running('products@svc', 1, { preemptions: MAX_PREEMPTIONS })), queue: [queued('prices@svc', 4)] });
    expect(planPreemption(ctx)).toBeNull();
  });

  it('does not preempt a run already pausing, nor while the breaker is not closed', () => {
    const pausing = running('products@svc', 1, { pauseRequested: { kind: 'operator' } });
    expect(planPreemption(context({ running: byTarget(pausing), queue: [queued('prices@svc', 4)] }))).toBeNull();
    const halfOpen = { state: 'halfOpen' as const, failures: 0, openUntil: null, probe: null };
    expect(planPreemption(context({ running: byTarget(running('products@svc', 1)), queue: [queued('prices@svc', 4)], breaker: halfOpen }))).toBeNull();
  });
});

describe('holds', () => {
  it('asks every run on a held account to pause, once', () => {
    const ctx = context({
      concurrency: 3,
      running: byTarget(running('orders@anna', 4), running('orders@bruno', 4), running('products@svc', 2, { pauseRequested: { kind: 'lease', leaseId: 'x' } })),
      leases: [lease('l1', 'anna', { status: 'pending' }), lease('x', 'svc')],
    });
    expect(planHoldPauses(ctx)).toEqual([{ target: 'orders@anna', cause: { kind: 'lease', leaseId: 'l1' } }]);
  });

  it('activates a pending lease only when nothing runs in its scope', () => {
    const pending = lease('l1', '*', { status: 'pending' });
    expect(readyLeases(context({ leases: [pending], running: byTarget(running('orders@anna', 4)) }))).toEqual([]);
    expect(readyLeases(context({ leases: [pending] }))).toEqual([pending]);
  });

  it('counts leases per scope and expires them at their absolute deadline', () => {
    const leases = [lease('a', 'anna'), lease('b', 'anna', { expiresAt: T0 + MINUTE }), lease('c', '*')];
    expect(leaseRefCounts(leases)).toEqual({ anna: 2, '*': 1 });
    expect(expiredLeases(leases, T0 + MINUTE - 1)).toEqual([]);
    expect(expiredLeases(leases, T0 + MINUTE).map((l) => l.leaseId)).toEqual(['b']);
  });
});

describe('dispatch mode', () => {
  it('is idle without work, queued when work cannot start, running with a run in flight', () => {
    expect(dispatchMode(context())).toBe('idle');
    expect(dispatchMode(context({ queue: [queued('orders@anna', 4)] }))).toBe('queued');
    expect(dispatchMode(context({ running: byTarget(running('orders@anna', 4)) }))).toBe('running');
  });

  it('is paused (draining, then holding) when holds cover every account with work', () => {
    const leases = [lease('l1', 'anna')];
    expect(dispatchMode(context({ leases, running: byTarget(running('orders@anna', 4)) }))).toBe('draining');
    expect(dispatchMode(context({ leases, paused: byTarget(paused('orders@anna', 4)) }))).toBe('holding');
    expect(dispatchMode(context({ leases }))).toBe('holding');
    expect(dispatchMode(context({ operatorPause: { reason: 'r', since: T0, transient: false } }))).toBe('holding');
  });

  it('keeps running when a lease covers only some accounts with work', () => {
    const ctx = context({ leases: [lease('l1', 'anna')], running: byTarget(running('orders@bruno', 4)), paused: byTarget(paused('orders@anna', 4)) });
    expect(dispatchMode(ctx)).toBe('running');
  });
});

describe('schedules', () => {
  const hourly: ScheduleConfig = { intervalMs: 60 * MINUTE, offsetMs: 15 * MINUTE, enabled: true, missed: 'once' };

  it('first fires at boot + offset, then every interval', () => {
    expect(firstDueAt(T0, hourly, 1)).toBe(T0 + 15 * MINUTE);
    expect(nextSlotAfter(T0, hourly, 1, T0)).toBe(T0 + 15 * MINUTE);
    expect(nextSlotAfter(T0, hourly, 1, T0 + 15 * MINUTE)).toBe(T0 + 75 * MINUTE);
    expect(nextSlotAfter(T0, hourly, 1, T0 + 200 * MINUTE)).toBe(T0 + 255 * MINUTE);
  });

  it('divides intervals and offsets by the time scale', () => {
    expect(firstDueAt(T0, hourly, 60)).toBe(T0 + 15 * SECOND);
    expect(nextSlotAfter(T0, hourly, 60, T0 + 15 * SECOND)).toBe(T0 + 75 * SECOND);
    expect(scaled(5 * SECOND, 10_000)).toBe(1);
  });

  it('never fires a disabled schedule or a service without a timer', () => {
    expect(firstDueAt(T0, { ...hourly, enabled: false }, 1)).toBeNull();
    expect(nextSlotAfter(T0, { ...hourly, intervalMs: null }, 1, T0)).toBeNull();
  });

  it('staggers the catalog: orders @0, customers @15, products @30, prices @45 min, no timer for ddt and invoices', () => {
    const ctx = context();
    const due = (target: TargetId) => ctx.targets[target]?.nextDueAt;
    expect([due('orders@anna'), due('customers@anna'), due('products@svc'), due('prices@svc')]).toEqual([
      T0,
      T0 + 15 * MINUTE,
      T0 + 30 * MINUTE,
      T0 + 45 * MINUTE,
    ]);
    expect([due('ddt@anna'), due('invoices@bruno')]).toEqual([null, null]);
    expect(earliestDeadline(ctx)).toBe(T0);
  });

  it('finds every kind of deadline that has passed', () => {
    const base = context();
    const ctx = { ...base, leases: [lease('l', 'anna', { expiresAt: T0 + 10 * MINUTE })] };
    const due = dueWork(ctx, T0 + 15 * MINUTE);
    expect(due.scheduled).toEqual(['customers@anna', 'customers@bruno', 'orders@anna', 'orders@bruno']);
    expect(due.expiredLeases.map((l) => l.leaseId)).toEqual(['l']);
  });

  it('caps the clock timer at MAX_TIMER_DELAY_MS and never arms it in the past', () => {
    expect(armClock(null, T0).wakeAt).toBe(T0 + MAX_TIMER_DELAY_MS);
    expect(armClock(T0 + 30 * 24 * 60 * MINUTE, T0).wakeAt).toBe(T0 + MAX_TIMER_DELAY_MS);
    expect(armClock(T0 - 1, T0).wakeAt).toBe(T0);
  });
});

describe('missed runs on restore', () => {
  it('runs each missed target once, catch-ups spaced by CATCHUP_SPACING, oldest and most urgent first', () => {
    const now = T0 + 200 * MINUTE;
    const plan = planMissedRuns(context(), now);
    expect(plan.catchUps.map((c) => c.target)).toEqual([
      'orders@anna',
      'orders@bruno',
      'customers@anna',
      'customers@bruno',
      'products@svc',
      'prices@svc',
    ]);
    expect(plan.catchUps.map((c) => c.at - now)).toEqual([0, 1, 2, 3, 4, 5].map((i) => i * CATCHUP_SPACING_MS));
    expect(plan.nextDueAt['orders@anna']).toBe(T0 + 240 * MINUTE);
    expect(plan.skipped).toEqual([]);
  });

  it('skips targets whose policy is skip and moves them to the next slot', () => {
    const base = context();
    const ctx = { ...base, schedules: { ...base.schedules, products: { ...(base.schedules.products as ScheduleConfig), missed: 'skip' as const } } };
    const plan = planMissedRuns(ctx, T0 + 200 * MINUTE);
    expect(plan.skipped).toEqual([{ target: 'products@svc', missedAt: T0 + 30 * MINUTE }]);
    expect(plan.nextDueAt['products@svc']).toBe(T0 + 270 * MINUTE);
    expect(plan.catchUps.map((c) => c.target)).not.toContain('products@svc');
  });

  it('leaves deadlines that have not passed alone', () => {
    const plan = planMissedRuns(context(), T0 + 10 * MINUTE);
    expect(plan.catchUps.map((c) => c.target)).toEqual(['orders@anna', 'orders@bruno']);
    expect(Object.keys(plan.nextDueAt)).toEqual(['orders@anna', 'orders@bruno']);
  });
});

describe('retries', () => {
  it('retries session-expired once at once, then with backoff', () => {
    expect(retryDecision('session-expired', 0, false)).toEqual({ kind: 'immediate' });
    expect(retryDecision('session-expired', 0, true)).toEqual({ kind: 'backoff', retry: 1 });
  });

  it('backs off erp-unreachable and store-error up to three times, then gives up', () => {
    expect([0, 1, 2, 3].map((done) => retryDecision('erp-unreachable', done, false).kind)).toEqual(['backoff', 'backoff', 'backoff', 'none']);
    expect(retryDecision('store-error', 2, false)).toEqual({ kind: 'backoff', retry: 3 });
  });

  it('never retries export-invalid', () => {
    expect(retryDecision('export-invalid', 0, false)).toEqual({ kind: 'none' });
  });

  it('backs off 5 s, 10 s, 20 s ± 20 % jitter, divided by the time scale', () => {
    expect([1, 2, 3].map((retry) => retryDelayMs(retry, 0.5, 1))).toEqual([5 * SECOND, 10 * SECOND, 20 * SECOND]);
    expect(retryDelayMs(1, 0, 1)).toBe(4 * SECOND);
    expect(retryDelayMs(3, 0.999999, 1)).toBeCloseTo(24 * SECOND, -1);
    expect(retryDelayMs(2, 0.5, 10)).toBe(SECOND);
  });

  it('draws deterministic jitter in [0, 1) from a persisted integer state', () => {
    const a = nextRandom(42);
    const b = nextRandom(a.state);
    expect(nextRandom(42)).toEqual(a);
    expect(a.value).not.toBe(b.value);
    for (const value of [a.value, b.value]) expect(value >= 0 && value < 1).toBe(true);
  });

  it('classifies unknown failures as store-error', () => {
    expect(failureClassOf('export-invalid')).toBe('export-invalid');
    expect(failureClassOf('boom')).toBe('store-error');
    expect(failureClassOf(undefined)).toBe('store-error');
  });
});

describe('breaker', () => {
  it('trips on the BREAKER_THRESHOLD-th consecutive erp-unreachable failure only', () => {
    const closed = { state: 'closed' as const, failures: BREAKER_THRESHOLD - 2, openUntil: null, probe: null };
    expect(tripsBreaker(closed, 'erp-unreachable')).toBe(false);
    expect(tripsBreaker({ ...closed, failures: BREAKER_THRESHOLD - 1 }, 'erp-unreachable')).toBe(true);
    expect(tripsBreaker({ ...closed, failures: BREAKER_THRESHOLD - 1 }, 'store-error')).toBe(false);
  });

  it('ends the cooldown at its absolute deadline', () => {
    const open = { state: 'open' as const, failures: 3, openUntil: T0 + BREAKER_COOLDOWN_MS, probe: null };
    expect(cooldownElapsed(open, T0 + BREAKER_COOLDOWN_MS - 1)).toBe(false);
    expect(cooldownElapsed(open, T0 + BREAKER_COOLDOWN_MS)).toBe(true);
  });
});

describe('chained syncs', () => {
  it('chains ddt and invoices after orders with changes, on the same account', () => {
    expect(chainedTargets(SERVICES, 'orders@anna', { parsed: 3, inserted: 1, updated: 0, unchanged: 2, deleted: 0, orphans: 0, unlinked: 0 })).toEqual({
      children: ['ddt@anna', 'invoices@anna'],
      changed: true,
    });
  });

  it('reports no changes when nothing was inserted or updated, and nothing for services without a chain', () => {
    const none = { parsed: 3, inserted: 0, updated: 0, unchanged: 3, deleted: 1, orphans: 0, unlinked: 0 };
    expect(chainedTargets(SERVICES, 'products@svc', none)).toEqual({ children: ['prices@svc'], changed: false });
    expect(chainedTargets(SERVICES, 'customers@anna', none)).toBeNull();
  });

  it('counts changes carried from an earlier attempt (committed, their completion lost) as changes', () => {
    const carried = { parsed: 3, inserted: 0, updated: 0, unchanged: 3, deleted: 0, orphans: 0, unlinked: 0, carriedChanges: true as const };
    expect(chainedTargets(SERVICES, 'orders@anna', carried)).toEqual({ children: ['ddt@anna', 'invoices@anna'], changed: true });
  });
});

describe('why', () => {
  it('explains a running target', () => {
    const why = explain(context({ running: byTarget(running('orders@anna', 4)) }), 'orders@anna', 'running');
    expect(why.reasons.map((r) => r.code)).toEqual(['RUNNING']);
  });

  it('explains a queued target held by the mutex, a lease and the breaker', () => {
    const ctx = context({
      concurrency: 2,
      running: byTarget(running('orders@anna', 4)),
      queue: [queued('customers@anna', 3)],
      leases: [lease('l1', 'anna', { expiresAt: T0 + MINUTE })],
      breaker: { state: 'open', failures: 3, openUntil: T0 + 5 * MINUTE, probe: null },
    });
    const why = explain(ctx, 'customers@anna', 'idle');
    expect(why.reasons.map((r) => [r.code, r.position ?? r.leaseId ?? r.by ?? r.until])).toEqual([
      ['QUEUED', 1],
      ['LEASE', 'l1'],
      ['MUTEX_HELD', ['orders@anna']],
      ['BREAKER_OPEN', T0 + 5 * MINUTE],
    ]);
  });

  it('names the global cap when another account holds the only slot', () => {
    const ctx = context({ running: byTarget(running('orders@bruno', 4)), queue: [queued('orders@anna', 4)] });
    expect(explain(ctx, 'orders@anna', 'idle').reasons[1]).toMatchObject({ code: 'MUTEX_HELD', by: ['orders@bruno'] });
  });

  it('explains preempted, paused-by-operator, backing-off, scheduled and timer-less targets', () => {
    const base = context({
      paused: byTarget(paused('products@svc', 2, { cause: { kind: 'preempt', by: 'prices@svc' } })),
      operatorPause: { reason: 'ERP upgrade', since: T0, transient: false },
    });
    const record = base.targets['customers@anna'];
    if (record === undefined) throw new Error('missing target');
    const ctx = { ...base, targets: { ...base.targets, 'customers@anna': { ...record, retryAt: T0 + 5 * SECOND, retryAttempt: 1 } } };
    const codes = (target: TargetId) => explain(ctx, target, 'idle').reasons.map((r) => r.code);
    expect(codes('products@svc')).toEqual(['PREEMPTED', 'OPERATOR_PAUSE']);
    expect(codes('customers@anna')).toEqual(['OPERATOR_PAUSE', 'BACKOFF', 'NEXT_DUE']);
    expect(explain(context(), 'ddt@anna', 'idle').reasons).toMatchObject([{ code: 'DISABLED' }]);
    expect(explain(context(), 'prices@svc', 'idle').reasons).toEqual([{ code: 'NEXT_DUE', detail: expect.any(String), at: T0 + 45 * MINUTE }]);
  });

  it('covers every configured target', () => {
    expect(targetsOf(SERVICES, ACCOUNTS)).toHaveLength(4 * 2 + 2);
  });
});
