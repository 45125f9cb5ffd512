/** Ageing and preemption under the global cap, as pure decisions over hand-built contexts. */
import { describe, expect, it } from 'vitest';
import { ageingWindowMs, ageStepMs, effectivePriority, startBoundMs, topPriority } from '../../machines/ageing.js';
import { AGE_STEP_MS, MAX_PREEMPTIONS, type TargetId } from '../../machines/catalog.js';
import { initialContext } from '../../machines/boot.js';
import { planCapPreemption, planStarts } from '../../machines/dispatch.js';
import { compareQueued, orderQueue } from '../../machines/queue.js';
import { explain } from '../../machines/why.js';
import type { OrchestratorContext, PausedEntry, QueueEntry, RunningEntry } from '../../machines/types.js';
import { SERVICES } from './harness.js';

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);
const MINUTE = 60_000;
const STEP = AGE_STEP_MS;

function context(overrides: Partial<OrchestratorContext> = {}): OrchestratorContext {
  return { ...initialContext({ services: SERVICES, accounts: { service: 'svc', agents: ['anna', 'bruno'] }, bootAt: T0 }), ...overrides };
}

function queued(target: TargetId, priority: number, requestedAt = T0): QueueEntry {
  const [service = '', account = ''] = target.split('@');
  return { target, service, account, priority, trigger: 'schedule', requestedAt, merges: 0 };
}

function running(target: TargetId, priority: number, partial: Partial<RunningEntry> = {}): RunningEntry {
  return { ...queued(target, priority), startedAt: T0, preemptions: 0, pauseRequested: null, probe: false, phase: 'applying', done: 1, total: 9, ...partial };
}

function paused(target: TargetId, priority: number, partial: Partial<PausedEntry> = {}): PausedEntry {
  return { ...queued(target, priority), pausedAt: T0, preemptions: 1, cause: { kind: 'preempt', by: 'orders@anna' }, ...partial };
}

const byTarget = <T extends { target: TargetId }>(...entries: T[]) => Object.fromEntries(entries.map((e) => [e.target, e]));

describe('effective priority', () => {
  it('adds one level per ageing step waited, the step divided by TIME_SCALE', () => {
    const entry = queued('customers@anna', 3);
    expect(effectivePriority(entry, { now: T0 + STEP - 1, timeScale: 1 })).toBe(3);
    expect(effectivePriority(entry, { now: T0 + STEP, timeScale: 1 })).toBe(4);
    expect(effectivePriority(entry, { now: T0 + 3 * STEP, timeScale: 1 })).toBe(6);
    expect(ageStepMs(60)).toBe(STEP / 60);
    expect(effectivePriority(entry, { now: T0 + STEP / 60, timeScale: 60 })).toBe(4);
  });

  it('counts a paused run from its pause, not from its request', () => {
    const entry = paused('products@svc', 2, { requestedAt: T0 - 5 * STEP, pausedAt: T0 });
    expect(effectivePriority(entry, { now: T0 + STEP, timeScale: 1 })).toBe(3);
  });

  it('puts a fresh orders entry first, and a customers entry that waited a step ahead of a fresh orders entry', () => {
    const customers = queued('customers@anna', 3, T0);
    const orders = (at: number) => queued('orders@bruno', 4, at);
    const fresh = (at: number) => ({ now: at, timeScale: 1 });
    expect(orderQueue([customers, orders(T0 + STEP / 2)], SERVICES, fresh(T0 + STEP / 2)).map((e) => e.target)).toEqual(['orders@bruno', 'customers@anna']);
    expect(orderQueue([customers, orders(T0 + STEP)], SERVICES, fresh(T0 + STEP)).map((e) => e.target)).toEqual(['customers@anna', 'orders@bruno']);
  });

  it('never ranks an entry requested a whole ageing window later ahead, whatever the priorities and the instant', () => {
    const top = topPriority(SERVICES);
    for (let p = 1; p <= top; p += 1) {
      const window = ageingWindowMs(p, top, 1);
      expect(window).toBe((top - p + 1) * STEP);
      for (let q = 1; q <= top; q += 1) {
        for (const late of [0, 1, STEP / 2, 7 * STEP + 3]) {
          const e = queued('ddt@anna', p, T0);
          const f = queued('orders@bruno', q, T0 + window + late);
          for (const wait of [0, 1, STEP - 1, STEP, 5 * STEP + 7]) {
            expect(compareQueued(SERVICES, { now: f.requestedAt + wait, timeScale: 1 }, e, f), `p ${p}, q ${q}`).toBeLessThan(0);
          }
        }
      }
    }
  });

  it('states the bound: the ageing window plus (2N − 1) longest runs', () => {
    expect(startBoundMs({ priority: 1, top: 4, targets: 6, longestRunMs: 5 * MINUTE, timeScale: 1, cap: 1 })).toBe(4 * STEP + 11 * 5 * MINUTE);
    expect(startBoundMs({ priority: 4, top: 4, targets: 6, longestRunMs: 5 * MINUTE, timeScale: 1, cap: 1 })).toBe(STEP + 11 * 5 * MINUTE);
  });

  it('states the bound above cap 1: PREEMPT_MARGIN more in the window and (MAX_PREEMPTIONS + 2)(2N − 1) + 1 runs', () => {
    const runs = (MAX_PREEMPTIONS + 2) * 11 + 1;
    expect(startBoundMs({ priority: 1, top: 4, targets: 6, longestRunMs: 5 * MINUTE, timeScale: 1, cap: 3 })).toBe(5 * STEP + runs * 5 * MINUTE);
    expect(startBoundMs({ priority: 4, top: 4, targets: 6, longestRunMs: 5 * MINUTE, timeScale: 1, cap: 2 })).toBe(2 * STEP + runs * 5 * MINUTE);
    expect(() => startBoundMs({ priority: 4, top: 4, targets: 6, longestRunMs: 0, timeScale: 1, cap: 0 })).toThrow(/cap must be an integer ≥ 1/);
  });
});

describe('preemption when the global cap blocks', () => {
  it('pauses the lowest-priority run on another account for the entry that starts next', () => {
    const ctx = context({ running: byTarget(running('products@svc', 2)), queue: [queued('orders@anna', 4)] });
    expect(planCapPreemption(ctx)).toEqual({ target: 'products@svc', by: 'orders@anna' });
    const two = context({ concurrency: 2, running: byTarget(running('products@svc', 2), running('customers@bruno', 3)), queue: [queued('orders@anna', 4)] });
    expect(planCapPreemption(two)).toEqual({ target: 'products@svc', by: 'orders@anna' });
  });

  it('does not preempt while a slot is free or one is already being freed', () => {
    expect(planCapPreemption(context({ concurrency: 2, running: byTarget(running('products@svc', 2)), queue: [queued('orders@anna', 4)] }))).toBeNull();
    const pausing = running('customers@bruno', 2, { pauseRequested: { kind: 'preempt', by: 'orders@anna' } });
    expect(planCapPreemption(context({ concurrency: 2, running: byTarget(running('products@svc', 2), pausing), queue: [queued('orders@anna', 4)] }))).toBeNull();
  });

  it('lets only the head of the start order preempt, within the margin and the budget', () => {
    const agedCustomers = queued('customers@bruno', 3, T0 - STEP);
    const aged = context({ now: T0, running: byTarget(running('products@svc', 2)), queue: [queued('orders@anna', 4), agedCustomers] });
    expect(planCapPreemption(aged)).toEqual({ target: 'products@svc', by: 'customers@bruno' });
    const resumeFirst = paused('customers@bruno', 3, { preemptions: 0, cause: { kind: 'operator' } });
    const headIsPaused = context({ running: byTarget(running('products@svc', 2)), paused: byTarget(resumeFirst), queue: [queued('orders@anna', 4)] });
    expect(planCapPreemption(headIsPaused)).toBeNull();
    const spent = context({ running: byTarget(running('products@svc', 2, { preemptions: MAX_PREEMPTIONS })), queue: [queued('orders@anna', 4)] });
    expect(planCapPreemption(spent)).toBeNull();
  });

  it('follows the resource guard: preempts within its lowered cap, never while it holds starts', () => {
    const base = context({ concurrency: 2, running: byTarget(running('products@svc', 2)), queue: [queued('orders@anna', 4)] });
    const lowered = { ...base, resourceGuard: { ...base.resourceGuard, cap: 1 } };
    expect(planCapPreemption(lowered)).toEqual({ target: 'products@svc', by: 'orders@anna' });
    const held = { ...base, concurrency: 1, resourceGuard: { ...base.resourceGuard, held: true } };
    expect(planCapPreemption(held)).toBeNull();
  });

  it('does not preempt a run that started on its ageing with a fresh entry of its effective priority', () => {
    const aged = running('prices@svc', 1, { startPriority: 4 });
    expect(planCapPreemption(context({ running: byTarget(aged), queue: [queued('orders@anna', 4)] }))).toBeNull();
  });

  it('resumes a run paused for the cap only after its preemptor, even across accounts', () => {
    const ctx = context({ paused: byTarget(paused('products@svc', 2)), queue: [queued('orders@anna', 4)] });
    expect(planStarts(ctx).map((plan) => `${plan.kind}:${plan.entry.target}`)).toEqual(['start:orders@anna']);
  });
});

describe('why shows ageing', () => {
  it('gives a queued entry its priority, effective priority and wait', () => {
    const ctx = context({ now: T0 + 2 * STEP + MINUTE, queue: [queued('customers@anna', 3)] });
    expect(explain(ctx, 'customers@anna', 'idle').reasons[0]).toEqual({
      code: 'QUEUED',
      detail: 'position 1 in the queue; priority 3, effective 5 after waiting 1260 s (one level per 600 s waited)',
      position: 1,
      priority: 3,
      effectivePriority: 5,
      waitedMs: 2 * STEP + MINUTE,
    });
  });
});
