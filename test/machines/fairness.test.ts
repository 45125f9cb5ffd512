/**
 * Fairness in virtual time, on the real orchestrator with fake runs: ageing bounds every wait in an
 * overloaded schedule, the global cap preempts like the account mutex, and a chained service keeps a
 * safety interval.
 */
import { describe, expect, it } from 'vitest';
import { startBoundMs, topPriority } from '../../machines/ageing.js';
import type { ScheduleConfig, Service, TargetId } from '../../machines/catalog.js';
import { compareQueued } from '../../machines/queue.js';
import type { QueueEntry } from '../../machines/types.js';
import { BOOT, MINUTE, noTimers, OrchestratorHarness, SECOND, SERVICES, type FakeRun } from './harness.js';

const TIME_SCALE = 60;
/** Every timer at 5 minutes, first slots at boot: at TIME_SCALE 60 a slot every 5 s. */
const FIVE_MINUTES: Partial<Record<Service, Partial<ScheduleConfig>>> = Object.fromEntries(
  Object.keys(SERVICES).map((service) => [service, { intervalMs: 5 * MINUTE, offsetMs: 0, enabled: true }]),
);
/** Each run holds its slot 4 s: four sync slots' worth of work arrive for each one the cap allows. */
const RUN_MS = 4 * SECOND;

/** A parent always reports changes, so ddt, invoices and prices are chained after every parent run. */
const CHANGES = { inserted: 1 };

interface Waits {
  /** Longest wait from request to start, per target. */
  longest: Map<TargetId, number>;
  /** Starts (not resumes) per target. */
  starts: Map<TargetId, number>;
}

/** How `drive` builds its orchestrator and what it asks for besides the timers. */
interface Load {
  accounts: { service: string; agents: string[] };
  concurrency: number;
  /** Catalogue timers at 5 minutes (true) or none (false). */
  timers: boolean;
  /** Manual requests sent every REQUEST_EVERY_MS, from boot on: service and account. */
  requests?: ReadonlyArray<{ service: Service; account: string }>;
}

/** Period of a load's manual requests. */
const REQUEST_EVERY_MS = SECOND;

/** The overloaded schedule: every timer at 5 minutes on two agents and the service account. */
function overload(concurrency: number, durationMs: number): { h: OrchestratorHarness; waits: Waits } {
  return drive({ accounts: { service: 'svc', agents: ['a1', 'a2'] }, concurrency, timers: true }, durationMs);
}

/**
 * Runs a load for `durationMs` of virtual time: every run takes RUN_MS of slot time in total (a preempted
 * run pauses at once and needs only its remaining time after resuming).
 */
function drive(load: Load, durationMs: number): { h: OrchestratorHarness; waits: Waits } {
  const h = new OrchestratorHarness({
    accounts: load.accounts,
    concurrency: load.concurrency,
    timeScale: TIME_SCALE,
    ...(load.timers ? { schedules: FIVE_MINUTES, timers: true } : {}),
  });
  h.runs.autoPause = true;
  /** Slot time each run still needs; a resumed run carries what its paused predecessor left. */
  const budget = new Map<FakeRun, number>();
  const carried = new Map<TargetId, number>();
  const settled = new Set<FakeRun>();
  const finishAt = (run: FakeRun) => run.startedAt + (budget.get(run) ?? RUN_MS);
  const end = BOOT + durationMs;
  const requests = load.requests ?? [];
  let nextRequestAt = BOOT;
  for (;;) {
    if (requests.length > 0 && h.clock.now() >= nextRequestAt) {
      for (const { service, account } of requests) h.request(service, { account });
      nextRequestAt += REQUEST_EVERY_MS;
    }
    // In start order, so a paused run hands its remaining time to its resume.
    for (const run of h.runs.started) {
      if (!budget.has(run)) {
        budget.set(run, carried.get(run.target) ?? RUN_MS);
        carried.delete(run.target);
      }
      if (run.finished && run.pauseRequested && run.endedAt !== null && !settled.has(run)) {
        settled.add(run);
        carried.set(run.target, finishAt(run) - run.endedAt);
      }
    }
    const live = h.runs.started.filter((run) => !run.finished && !run.stopped);
    const next = Math.min(end, ...live.map(finishAt), requests.length > 0 ? nextRequestAt : end);
    h.advanceTo(next);
    if (next >= end) break;
    for (const run of live.filter((r) => !r.finished && finishAt(r) <= next)) run.complete(CHANGES);
  }
  return { h, waits: waitsOf(h) };
}

/** Wait of every start: its time minus the request time of the entry it started (the last `sync.queued`). */
function waitsOf(h: OrchestratorHarness): Waits {
  const requestedAt = new Map<TargetId, number>();
  const waits: Waits = { longest: new Map(), starts: new Map() };
  for (const event of h.emitted) {
    if (event.type === 'sync.queued') requestedAt.set(event.target, event.at);
    if (event.type !== 'sync.started' || event.trigger === 'retry') continue;
    const wait = event.at - (requestedAt.get(event.target) ?? event.at);
    waits.longest.set(event.target, Math.max(waits.longest.get(event.target) ?? 0, wait));
    waits.starts.set(event.target, (waits.starts.get(event.target) ?? 0) + 1);
  }
  // An entry still queued at the end has waited too.
  for (const entry of h.context.queue) {
    const wait = h.clock.now() - entry.requestedAt;
    waits.longest.set(entry.target, Math.max(waits.longest.get(entry.target) ?? 0, wait));
  }
  return waits;
}

function boundOf(h: OrchestratorHarness, target: TargetId): number {
  const service = target.split('@')[0] as Service;
  return startBoundMs({
    priority: SERVICES[service]?.priority ?? 0,
    top: topPriority(SERVICES),
    targets: Object.keys(h.context.targets).length,
    longestRunMs: RUN_MS,
    timeScale: TIME_SCALE,
    cap: h.context.concurrency,
  });
}

/** Per target: started at least once, and its longest wait within the bound for the harness's cap. */
function withinBounds(h: OrchestratorHarness, waits: Waits) {
  return Object.keys(h.context.targets)
    .sort()
    .map((target) => ({
      target,
      started: (waits.starts.get(target) ?? 0) > 0,
      withinBound: (waits.longest.get(target) ?? 0) <= boundOf(h, target),
    }));
}

const everyOk = (h: OrchestratorHarness) =>
  Object.keys(h.context.targets)
    .sort()
    .map((target) => ({ target, started: true, withinBound: true }));

describe('ageing: no target starves in an overloaded schedule', () => {
  it.each([1, 3])('starts every target within the stated bound for its cap (cap %i, 5-minute timers at TIME_SCALE 60)', (concurrency) => {
    const { h, waits } = overload(concurrency, 30 * MINUTE);
    expect(Object.keys(h.context.targets)).toHaveLength(10);
    expect(withinBounds(h, waits)).toEqual(everyOk(h));
    // The high-rate stream is real: orders was requested far more often than it could run.
    expect(h.skips('COALESCED').filter((skip) => skip.target.startsWith('orders@')).length).toBeGreaterThan(0);
  });

  it('starts an entry whose account is kept busy while lower-ranked entries of other accounts fill the cap (cap 3)', () => {
    // a1 always has priority-4 work (orders every second, ddt and invoices chained after each); the three
    // other accounts always have work for the other slots; customers@a1 (3) asked once at boot.
    const others = [
      { service: 'products', account: 'svc' },
      { service: 'prices', account: 'svc' },
      { service: 'customers', account: 'a2' },
      { service: 'customers', account: 'a3' },
    ] as const;
    const load: Load = {
      accounts: { service: 'svc', agents: ['a1', 'a2', 'a3'] },
      concurrency: 3,
      timers: false,
      requests: [{ service: 'orders', account: 'a1' }, { service: 'customers', account: 'a1' }, ...others],
    };
    const { h, waits } = drive(load, 10 * MINUTE);
    const watched = Object.keys(h.context.targets).filter((target) => waits.starts.has(target) || waits.longest.has(target));
    expect(withinBounds(h, waits).filter((row) => watched.includes(row.target))).toEqual(
      everyOk(h).filter((row) => watched.includes(row.target)),
    );
    expect(waits.starts.get('customers@a1') ?? 0).toBeGreaterThan(1);
    // The case the cap-1 proof does not cover happened: while customers@a1 waited, lower-ranked runs of
    // other accounts started in the slots its busy account left.
    expect(startsOfOthersWhileWaiting(h, 'customers@a1').length).toBeGreaterThan(0);
  });

  it('states the bound from the rule: (P − p + 1) ageing steps plus (2N − 1) runs at cap 1', () => {
    const h = new OrchestratorHarness({ accounts: { service: 'svc', agents: ['a1', 'a2'] }, timeScale: TIME_SCALE });
    // customers (3): 2 steps of 10 s + 19 runs of 4 s; prices (1): 4 steps + 19 runs.
    expect(boundOf(h, 'customers@a1')).toBe(2 * 10 * SECOND + 19 * RUN_MS);
    expect(boundOf(h, 'prices@svc')).toBe(4 * 10 * SECOND + 19 * RUN_MS);
  });

  it('states the bound above cap 1: (P − p + PREEMPT_MARGIN) steps plus ((MAX_PREEMPTIONS + 2)(2N − 1) + 1) runs', () => {
    const h = new OrchestratorHarness({ accounts: { service: 'svc', agents: ['a1', 'a2'] }, concurrency: 3, timeScale: TIME_SCALE });
    // customers (3): 3 steps of 10 s + 77 runs of 4 s.
    expect(boundOf(h, 'customers@a1')).toBe(3 * 10 * SECOND + 77 * RUN_MS);
  });
});

/**
 * Starts of runs on other accounts that ranked behind `target`'s waiting entry at the moment they started
 * (queue order, `compareQueued`): the slots its busy account left went to lower-ranked work.
 */
function startsOfOthersWhileWaiting(h: OrchestratorHarness, target: TargetId): TargetId[] {
  const queued = new Map<TargetId, QueueEntry>();
  const found: TargetId[] = [];
  for (const event of h.emitted) {
    if (event.type === 'sync.queued') {
      const [service = '', account = ''] = event.target.split('@');
      queued.set(event.target, { target: event.target, service, account, priority: event.priority, trigger: event.trigger, requestedAt: event.at, merges: 0 });
    }
    if (event.type !== 'sync.started') continue;
    const waiting = queued.get(target);
    const started = queued.get(event.target);
    queued.delete(event.target);
    if (waiting === undefined || started === undefined || started.account === waiting.account) continue;
    const clock = { now: event.at, timeScale: TIME_SCALE };
    if (compareQueued(SERVICES, clock, waiting, started) < 0) found.push(event.target);
  }
  return found;
}

describe('preemption when the global cap blocks', () => {
  const accounts = { service: 'svc', agents: ['anna'] };

  it('pauses products on the service account for orders on an agent account at cap 1, then resumes products', () => {
    const h = new OrchestratorHarness({ accounts, concurrency: 1 });
    h.request('products');
    h.runs.live('products@svc').progress('applying', 2, 10).checkpoint({ batch: 2 });
    h.advanceBy(MINUTE).request('orders');
    const products = h.runs.live('products@svc');
    expect(products.pauseRequested).toBe(true);
    expect(h.runs.liveTargets()).toEqual(['products@svc']);
    products.pause({ batch: 2 });
    expect(h.runs.liveTargets()).toEqual(['orders@anna']);
    expect(h.context.paused['products@svc']).toMatchObject({ cause: { kind: 'preempt', by: 'orders@anna' }, preemptions: 1 });
    h.advanceBy(MINUTE);
    h.runs.live('orders@anna').complete();
    expect(h.runs.live('products@svc').input.resumeFrom).toEqual({ batch: 2 });
    expect(h.runs.startOrder()).toEqual(['products@svc', 'orders@anna', 'products@svc']);
  });

  it('does not preempt below PREEMPT_MARGIN across accounts (customers over products waits for the slot)', () => {
    const h = new OrchestratorHarness({ accounts, concurrency: 1 });
    h.request('products').request('customers');
    expect(h.runs.live('products@svc').pauseRequested).toBe(false);
    h.runs.live('products@svc').complete();
    expect(h.runs.liveTargets()).toEqual(['customers@anna']);
  });

  it('does not preempt while a slot is free: orders simply starts beside products', () => {
    const h = new OrchestratorHarness({ accounts, concurrency: 2 });
    h.request('products').request('orders');
    expect(h.runs.live('products@svc').pauseRequested).toBe(false);
    expect(h.runs.liveTargets()).toEqual(['products@svc', 'orders@anna']);
  });
});

describe('safety interval of a chained service', () => {
  const accounts = { service: 'default', agents: ['default'] };
  /** Only prices' timer: its catalogue schedule, 180 minutes, first slot at +45. */
  const pricesOnly = { ...noTimers(), prices: { enabled: true } };

  it('runs prices at least once per interval after its last run, chained runs included', () => {
    const h = new OrchestratorHarness({ accounts, schedules: pricesOnly });
    h.advanceTo(BOOT + 45 * MINUTE);
    h.advanceBy(5 * MINUTE).runs.live('prices@default').complete();
    expect(h.context.targets['prices@default']?.nextDueAt).toBe(BOOT + 230 * MINUTE);
    h.advanceTo(BOOT + 100 * MINUTE).request('products');
    h.advanceBy(10 * MINUTE).runs.live('products@default').complete(CHANGES);
    h.advanceBy(5 * MINUTE).runs.live('prices@default').complete();
    // The chained run at +115 moved the safety slot: nothing at the grid's +225 or the old +230.
    h.advanceTo(BOOT + 294 * MINUTE);
    expect(h.runs.liveTargets()).toEqual([]);
    h.advanceTo(BOOT + 295 * MINUTE);
    expect(h.runs.live('prices@default').input).toMatchObject({ target: 'prices@default' });
    expect(h.events('sync.started').map((e) => `${e.target}:${e.trigger}@${(e.at - BOOT) / MINUTE}`)).toEqual([
      'prices@default:schedule@45',
      'products@default:manual@100',
      'prices@default:chained@110',
      'prices@default:schedule@295',
    ]);
  });

  it('queues a safety slot on its own while the parent is pending, so it runs although the parent changes nothing', () => {
    const h = new OrchestratorHarness({ accounts, schedules: pricesOnly });
    h.advanceTo(BOOT + 40 * MINUTE).request('products');
    h.advanceTo(BOOT + 45 * MINUTE);
    expect(h.skips('COALESCED')).toEqual([]);
    expect(h.context.queue.map((entry) => `${entry.target}:${entry.trigger}`)).toEqual(['prices@default:schedule']);
    h.runs.live('products@default').complete();
    expect(h.runs.liveTargets()).toEqual(['prices@default']);
  });

  it('gives ddt a safety interval through schedule.update', () => {
    const h = new OrchestratorHarness({ accounts });
    h.send({ type: 'schedule.update', service: 'ddt', intervalMs: 240 * MINUTE, enabled: true });
    expect(h.context.targets['ddt@default']?.nextDueAt).toBe(BOOT + 240 * MINUTE);
    h.advanceTo(BOOT + 240 * MINUTE);
    expect(h.events('sync.started').map((e) => `${e.target}:${e.trigger}`)).toEqual(['ddt@default:schedule']);
  });
});
