/**
 * Model-based tests: `xstate/graph` walks an abstract model of the root (no invoke, no `after`, one account,
 * products as the everyday run and orders as the urgent one) and every path drives the REAL orchestrator
 * with fake runs on a virtual clock. After every step the real actor's region states and live runs must
 * match the model state. Paths: the shortest path to every model state followed by every transition out
 * of it, and the same followed by a crash/restore (`RESTART`) and then every transition — time-driven
 * transitions check that deadlines fire at their original absolute times after the restore.
 */
import { describe, expect, it } from 'vitest';
import { assign, getInitialSnapshot, getNextSnapshot, setup, type SnapshotFrom } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { BREAKER_THRESHOLD, MAX_PREEMPTIONS, MAX_RETRY_ATTEMPTS } from '../../machines/catalog.js';
import { MINUTE, OrchestratorHarness } from './harness.js';

interface ModelContext {
  /** Consecutive erp-unreachable failures (the breaker's count). */
  failures: number;
  /** Backoff retries used by the current products run. */
  retries: number;
  /** Preemptions spent by the current products run. */
  preemptions: number;
  /** Leases held. */
  leases: number;
  /** Products is paused under the lease. */
  pausedRun: boolean;
}

type ModelEvent =
  | { type: 'REQUEST_PRODUCTS' }
  | { type: 'REQUEST_ORDERS' }
  | { type: 'COMPLETE' }
  | { type: 'FAIL_UNREACHABLE' }
  | { type: 'CHECKPOINT_PAUSE' }
  | { type: 'ACQUIRE_LEASE' }
  | { type: 'RELEASE_LEASE' }
  | { type: 'LEASE_EXPIRES' }
  | { type: 'BACKOFF_ELAPSES' }
  | { type: 'COOLDOWN_ELAPSES' }
  | { type: 'RESTART' };

const fresh = { failures: 0, retries: 0, preemptions: 0 };

/** The abstract model: its states are the root's observable situations, its events the abstract inputs. */
const model = setup({
  types: { context: {} as ModelContext, events: {} as ModelEvent },
  guards: {
    tripsBreaker: ({ context }) => context.failures + 1 >= BREAKER_THRESHOLD,
    retriesLeft: ({ context }) => context.retries < MAX_RETRY_ATTEMPTS,
    canPreempt: ({ context }) => context.preemptions < MAX_PREEMPTIONS,
    oneLease: ({ context }) => context.leases === 1,
    runPaused: ({ context }) => context.pausedRun,
  },
  actions: {
    reset: assign(fresh),
    resetRetries: assign({ retries: 0 }),
    // The count only matters while closed: capping it keeps the model finite.
    fail: assign(({ context }) => ({ failures: Math.min(context.failures + 1, BREAKER_THRESHOLD), retries: context.retries + 1 })),
    failFinally: assign({ failures: BREAKER_THRESHOLD }),
    preempt: assign(({ context }) => ({ preemptions: context.preemptions + 1 })),
    addLease: assign(({ context }) => ({ leases: context.leases + 1 })),
    dropLease: assign(({ context }) => ({ leases: context.leases - 1 })),
    pauseRun: assign({ pausedRun: true }),
    resumeRun: assign({ pausedRun: false }),
  },
}).createMachine({
  id: 'model',
  context: { ...fresh, leases: 0, pausedRun: false },
  initial: 'idle',
  states: {
    idle: { on: { REQUEST_PRODUCTS: 'running', ACQUIRE_LEASE: { target: 'holding', actions: 'addLease' } } },
    running: {
      on: {
        COMPLETE: { target: 'idle', actions: 'reset' },
        REQUEST_ORDERS: { guard: 'canPreempt', target: 'preempting', actions: 'preempt' },
        FAIL_UNREACHABLE: [
          { guard: 'tripsBreaker', target: 'open', actions: 'fail' },
          { target: 'backoff', actions: 'fail' },
        ],
        ACQUIRE_LEASE: { target: 'draining', actions: 'addLease' },
      },
    },
    preempting: { on: { CHECKPOINT_PAUSE: 'preempted', RESTART: 'preempted' } },
    preempted: { on: { COMPLETE: 'running' } },
    draining: {
      on: {
        CHECKPOINT_PAUSE: { target: 'holding', actions: 'pauseRun' },
        RESTART: { target: 'holding', actions: 'pauseRun' },
        ACQUIRE_LEASE: { guard: 'oneLease', target: 'draining', actions: 'addLease' },
      },
    },
    holding: {
      on: {
        RELEASE_LEASE: [
          { guard: 'oneLease', target: 'afterHold', actions: 'dropLease' },
          { target: 'holding', actions: 'dropLease' },
        ],
        LEASE_EXPIRES: { guard: 'oneLease', target: 'afterHold', actions: 'dropLease' },
      },
    },
    afterHold: {
      always: [{ guard: 'runPaused', target: 'running', actions: 'resumeRun' }, { target: 'idle' }],
    },
    backoff: { on: { REQUEST_PRODUCTS: 'retryQueued', BACKOFF_ELAPSES: 'running' } },
    retryQueued: { on: { BACKOFF_ELAPSES: 'running' } },
    open: { on: { BACKOFF_ELAPSES: 'openQueued', REQUEST_PRODUCTS: 'openQueued' } },
    openQueued: { on: { COOLDOWN_ELAPSES: 'probing' } },
    probing: {
      on: {
        COMPLETE: { target: 'idle', actions: 'reset' },
        FAIL_UNREACHABLE: [
          { guard: 'retriesLeft', target: 'open', actions: 'fail' },
          { target: 'reopened', actions: 'failFinally' },
        ],
      },
    },
    reopened: {
      on: {
        REQUEST_PRODUCTS: { target: 'openQueued', actions: 'resetRetries' },
        COOLDOWN_ELAPSES: 'halfOpenIdle',
      },
    },
    halfOpenIdle: { on: { REQUEST_PRODUCTS: { target: 'probing', actions: 'resetRetries' } } },
  },
});

type ModelSnapshot = SnapshotFrom<typeof model>;
type ModelState = Exclude<ModelSnapshot['value'], 'afterHold'>;

/** What the real root must show in each model state. */
const EXPECTED: Record<ModelState, { dispatch: string; erp: string; live: string[] }> = {
  idle: { dispatch: 'idle', erp: 'closed', live: [] },
  running: { dispatch: 'running', erp: 'closed', live: ['products@default'] },
  preempting: { dispatch: 'running', erp: 'closed', live: ['products@default'] },
  preempted: { dispatch: 'running', erp: 'closed', live: ['orders@default'] },
  draining: { dispatch: 'paused.draining', erp: 'closed', live: ['products@default'] },
  holding: { dispatch: 'paused.holding', erp: 'closed', live: [] },
  backoff: { dispatch: 'idle', erp: 'closed', live: [] },
  retryQueued: { dispatch: 'queued', erp: 'closed', live: [] },
  open: { dispatch: 'idle', erp: 'open', live: [] },
  openQueued: { dispatch: 'queued', erp: 'open', live: [] },
  probing: { dispatch: 'running', erp: 'halfOpen', live: ['products@default'] },
  reopened: { dispatch: 'idle', erp: 'open', live: [] },
  halfOpenIdle: { dispatch: 'idle', erp: 'halfOpen', live: [] },
};

const LEASE_TTL = 10 * MINUTE;
const RESTART_DOWNTIME = 500;

/** Drives the real actor for one abstract path, remembering the deadlines it was promised. */
class Driver {
  readonly h = new OrchestratorHarness();
  private readonly leases: Array<{ id: string; expiresAt: number }> = [];
  private checkpoints = 0;

  exec(event: ModelEvent): void {
    this[event.type]();
  }

  check(state: ModelSnapshot, label: string): void {
    const expected = EXPECTED[state.value as ModelState];
    expect({ ...this.h.state, live: this.h.runs.liveTargets() }, label).toEqual({ ...expected, clock: 'waiting' });
  }

  private single() {
    const [target, ...others] = this.h.runs.liveTargets();
    expect(others).toEqual([]);
    return this.h.runs.live(target ?? 'none');
  }

  REQUEST_PRODUCTS(): void {
    this.h.request('products');
  }

  REQUEST_ORDERS(): void {
    this.h.request('orders');
  }

  COMPLETE(): void {
    this.single().complete();
  }

  FAIL_UNREACHABLE(): void {
    this.single().fail('erp-unreachable');
  }

  CHECKPOINT_PAUSE(): void {
    const run = this.single();
    expect(run.pauseRequested).toBe(true);
    run.pause({ batch: (this.checkpoints += 1) });
  }

  ACQUIRE_LEASE(): void {
    const id = `L${this.leases.length + 1}`;
    this.leases.push({ id, expiresAt: this.h.clock.now() + LEASE_TTL });
    this.h.send({ type: 'lease.acquire', leaseId: id, scope: 'default', ttlMs: LEASE_TTL, reason: 'model' });
  }

  RELEASE_LEASE(): void {
    const lease = this.leases.pop();
    this.h.send({ type: 'lease.release', leaseId: lease?.id ?? 'none' });
  }

  LEASE_EXPIRES(): void {
    const lease = this.leases.pop();
    if (lease === undefined) throw new Error('no lease to expire');
    this.h.advanceTo(lease.expiresAt - 1);
    expect(this.h.context.leases.map((l) => l.leaseId)).toEqual([lease.id]);
    this.h.advanceTo(lease.expiresAt);
    expect(this.h.events('lease.released').at(-1)).toMatchObject({ leaseId: lease.id, reason: 'expired', at: lease.expiresAt });
  }

  BACKOFF_ELAPSES(): void {
    const retryAt = this.h.events('sync.failed').at(-1)?.retryAt;
    if (retryAt === undefined || retryAt === null) throw new Error('no retry was promised');
    const started = this.h.runs.started.length;
    this.h.advanceTo(retryAt - 1);
    expect(this.h.context.targets['products@default']?.retryAt).toBe(retryAt);
    expect(this.h.runs.started).toHaveLength(started);
    this.h.advanceTo(retryAt);
    expect(this.h.context.targets['products@default']?.retryAt ?? null).toBeNull();
  }

  COOLDOWN_ELAPSES(): void {
    const until = this.h.events('erp.circuit').filter((e) => e.state === 'open').at(-1)?.until;
    if (until === undefined || until === null) throw new Error('no cooldown was promised');
    this.h.advanceTo(until - 1);
    expect(this.h.state.erp).toBe('open');
    this.h.advanceTo(until);
    expect(this.h.state.erp).toBe('halfOpen');
  }

  /**
   * Crash and restore. A run in flight restarts from its last checkpoint (the old one is abandoned); a run
   * that was pausing stops there, paused at that checkpoint.
   */
  RESTART(): void {
    const checkpoint = { batch: (this.checkpoints += 1) };
    const old = this.h.runs.liveTargets().map((target) => this.h.runs.live(target).checkpoint(checkpoint));
    this.h.restart(this.h.clock.now() + RESTART_DOWNTIME);
    for (const run of old) {
      expect(run.stopped).toBe(true);
      if (run.pauseRequested) {
        expect(this.h.targetState(run.target)).toBe('paused');
        expect(this.h.context.paused[run.target]).toBeDefined();
      } else {
        expect(this.h.runs.live(run.target).input.resumeFrom).toEqual(checkpoint);
      }
    }
  }
}

const EVENTS: ModelEvent[] = [
  'REQUEST_PRODUCTS',
  'REQUEST_ORDERS',
  'COMPLETE',
  'FAIL_UNREACHABLE',
  'CHECKPOINT_PAUSE',
  'ACQUIRE_LEASE',
  'RELEASE_LEASE',
  'LEASE_EXPIRES',
  'BACKOFF_ELAPSES',
  'COOLDOWN_ELAPSES',
].map((type) => ({ type }) as ModelEvent);

const shortest = getShortestPaths(model, { events: EVENTS });
const adjacency = getAdjacencyMap(model, { events: EVENTS });
const serialize = (snapshot: ModelSnapshot) => JSON.stringify({ value: snapshot.value, context: snapshot.context });

interface Case {
  name: string;
  steps: Array<{ event: ModelEvent; state: ModelSnapshot }>;
}

function restartStep(state: ModelSnapshot): { event: ModelEvent; state: ModelSnapshot } {
  return { event: { type: 'RESTART' }, state: getNextSnapshot(model, state, { type: 'RESTART' }) };
}

/** `running [failures 1, retries 1, preemptions 0, leases 0]`. */
function label(state: ModelSnapshot): string {
  const { failures, retries, preemptions, leases } = state.context;
  return `${state.value as string} [failures ${failures}, retries ${retries}, preemptions ${preemptions}, leases ${leases}]`;
}

/** Every transition out of every reachable model state, directly and after a restore. */
function cases(): Case[] {
  const all: Case[] = [];
  for (const path of shortest) {
    // The first step is xstate's init event: the harness starts in the initial state already.
    const prefix = path.steps.slice(1) as Case['steps'];
    const at = label(path.state);
    const transitions = Object.values(adjacency[serialize(path.state) as keyof typeof adjacency]?.transitions ?? {}).filter(
      ({ event }) => path.state.can(event as ModelEvent),
    );
    const restored = restartStep(path.state);
    all.push({ name: `${at} --RESTART--> ${restored.state.value as string}`, steps: [...prefix, restored] });
    for (const { event, state } of transitions) {
      const step = { event: event as ModelEvent, state: state as ModelSnapshot };
      all.push({ name: `${at} --${event.type}--> ${state.value as string}`, steps: [...prefix, step] });
      if (restored.state.value === path.state.value) {
        all.push({ name: `${at} --RESTART, ${event.type}--> ${state.value as string}`, steps: [...prefix, restored, step] });
      }
    }
  }
  return all;
}

const ALL = cases();

describe('orchestrator, model-based', () => {
  it('reaches every state of the model (and through it every root state)', () => {
    const reached = new Set(shortest.map((path) => path.state.value));
    expect([...reached].sort()).toEqual(Object.keys(EXPECTED).sort());
    const combos = new Set(Object.values(EXPECTED).map((e) => `${e.dispatch}/${e.erp}`));
    for (const dispatch of ['idle', 'queued', 'running', 'paused.draining', 'paused.holding']) {
      expect([...combos].some((c) => c.startsWith(`${dispatch}/`)), dispatch).toBe(true);
    }
    for (const erp of ['closed', 'open', 'halfOpen']) expect([...combos].some((c) => c.endsWith(`/${erp}`)), erp).toBe(true);
  });

  it.each(ALL.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const driver = new Driver();
    driver.check(getInitialSnapshot(model), 'initial');
    for (const [index, step] of testCase.steps.entries()) {
      driver.exec(step.event);
      driver.check(step.state, `step ${index + 1}: ${step.event.type} → ${step.state.value as string}`);
    }
  });
});
