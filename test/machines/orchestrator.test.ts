import { describe, expect, it } from 'vitest';
import { BREAKER_COOLDOWN_MS, CATCHUP_SPACING_MS, MAX_PREEMPTIONS } from '../../machines/catalog.js';
import type { Service, TargetId } from '../../machines/catalog.js';
import { selectLease, selectStatus, selectWhy } from '../../machines/orchestrator.machine.js';
import { BOOT, MINUTE, OrchestratorHarness, SECOND } from './harness.js';

const TWO_AGENTS = { service: 'svc', agents: ['anna', 'bruno'] };

/** Completes every live run (repeatedly, since completions may start others) with no changes. */
function completeAll(h: OrchestratorHarness): void {
  for (let live = h.runs.liveTargets(); live.length > 0; live = h.runs.liveTargets()) {
    for (const target of live) h.runs.live(target).complete();
  }
}

/** Walks virtual time step by step, completing every run as soon as it has started. */
function runFor(h: OrchestratorHarness, until: number, step = MINUTE): void {
  completeAll(h);
  while (h.clock.now() < until) {
    h.advanceBy(step);
    completeAll(h);
  }
}

function startsOf(h: OrchestratorHarness, service: Service): number[] {
  return h
    .events('sync.started')
    .filter((event) => event.target.startsWith(`${service}@`))
    .map((event) => (event.at - BOOT) / MINUTE);
}

describe('per-account mutex and global cap', () => {
  it('runs one sync at a time with the default concurrency of 1, in priority order, children only after parents changed', () => {
    const h = new OrchestratorHarness();
    h.send({ type: 'orchestrator.pause', reason: 'collect the requests first' });
    for (const service of ['customers', 'products', 'prices', 'orders', 'ddt', 'invoices'] as const) h.request(service);
    h.send({ type: 'orchestrator.resume' });
    const order: TargetId[] = [];
    for (let live = h.runs.liveTargets(); live.length > 0; live = h.runs.liveTargets()) {
      expect(live).toHaveLength(1);
      const target = live[0] as TargetId;
      order.push(target);
      h.runs.live(target).complete(target.startsWith('orders') ? { inserted: 2 } : {});
    }
    expect(order).toEqual(['orders@default', 'ddt@default', 'invoices@default', 'customers@default', 'products@default']);
    expect(h.skips('NO_PARENT_CHANGES').map((skip) => skip.target)).toEqual(['prices@default']);
    expect(h.state.dispatch).toBe('idle');
  });

  it('never runs two targets of one account together, even with spare global capacity', () => {
    const h = new OrchestratorHarness({ accounts: TWO_AGENTS, concurrency: 5 });
    h.request('orders', { account: 'anna' }).request('customers', { account: 'anna' });
    expect(h.runs.liveTargets()).toEqual(['orders@anna']);
    expect(selectWhy(h.actor.getSnapshot(), 'customers')[0]?.reasons.map((r) => r.code)).toEqual(['QUEUED', 'MUTEX_HELD']);
  });

  it('runs different accounts in parallel up to the concurrency cap', () => {
    const h = new OrchestratorHarness({ accounts: TWO_AGENTS, concurrency: 2 });
    h.request('orders').request('products');
    expect(h.runs.liveTargets()).toEqual(['orders@anna', 'orders@bruno']);
    h.runs.live('orders@anna').complete();
    expect(h.runs.liveTargets()).toEqual(['orders@bruno', 'products@svc']);
  });
});

describe('priority queue and coalescing', () => {
  it('starts waiting entries by priority, then by request time', () => {
    const h = new OrchestratorHarness();
    h.request('orders');
    h.request('prices');
    h.advanceBy(SECOND).request('products');
    h.advanceBy(SECOND).request('customers');
    expect(selectStatus(h.actor.getSnapshot()).queue.map((e) => [e.target, e.position])).toEqual([
      ['customers@default', 1],
      ['products@default', 2],
      ['prices@default', 3],
    ]);
    completeAll(h);
    expect(h.runs.startOrder()).toEqual(['orders@default', 'customers@default', 'products@default', 'prices@default']);
  });

  it('merges a second request into the queued entry, keeps the higher priority and records a COALESCED skip', () => {
    const h = new OrchestratorHarness();
    h.request('orders').request('prices').request('prices', { priority: 3 });
    expect(h.context.queue).toMatchObject([{ target: 'prices@default', priority: 3, merges: 1 }]);
    expect(h.skips('COALESCED')).toMatchObject([{ target: 'prices@default', trigger: 'manual' }]);
  });

  it('leaves exactly one entry to run after a running target requested again', () => {
    const h = new OrchestratorHarness();
    h.request('customers').request('customers').request('customers');
    expect(h.context.queue.map((e) => e.target)).toEqual(['customers@default']);
    h.runs.live('customers@default').complete();
    expect(h.runs.liveTargets()).toEqual(['customers@default']);
    h.runs.live('customers@default').complete();
    expect(h.state.dispatch).toBe('idle');
  });

  it('lets a ddt request ride on a pending orders run instead of running before it', () => {
    const h = new OrchestratorHarness();
    h.request('customers').request('orders').request('ddt');
    expect(h.skips('COALESCED')).toMatchObject([{ target: 'ddt@default', detail: expect.stringContaining('orders@default') }]);
    completeAll(h);
    expect(h.runs.startOrder()).toEqual(['customers@default', 'orders@default']);
    expect(h.skips('NO_PARENT_CHANGES').map((s) => s.target)).toEqual(['ddt@default', 'invoices@default']);
    expect(h.skips('NO_PARENT_CHANGES')[0]?.detail).toContain('force');
  });

  it('queues a forced ddt request on its own while orders is pending, so ddt runs although orders changed nothing', () => {
    const h = new OrchestratorHarness();
    h.request('customers').request('orders').request('ddt', { force: true });
    expect(h.skips('COALESCED')).toEqual([]);
    expect(h.context.queue.map((e) => [e.target, e.trigger])).toEqual([
      ['orders@default', 'manual'],
      ['ddt@default', 'manual'],
    ]);
    completeAll(h);
    expect(h.runs.startOrder()).toEqual(['customers@default', 'orders@default', 'ddt@default']);
    expect(h.skips('NO_PARENT_CHANGES').map((s) => s.target)).toEqual(['ddt@default', 'invoices@default']);
  });

  it('says in the COALESCED skip of an unforced ride that force would run it anyway', () => {
    const h = new OrchestratorHarness();
    h.request('orders').request('invoices');
    expect(h.skips('COALESCED')).toMatchObject([{ target: 'invoices@default', detail: expect.stringContaining('not forced') }]);
  });
});

describe('preemption-by-pause', () => {
  it('pauses the running products sync when orders is requested, runs orders, then resumes products from its checkpoint', () => {
    const h = new OrchestratorHarness();
    h.request('products');
    h.runs.live('products@default').progress('applying', 3, 10).checkpoint({ batch: 3 });
    h.request('orders');
    expect(h.runs.live('products@default').pauseRequested).toBe(true);
    expect(h.runs.liveTargets()).toEqual(['products@default']);
    h.runs.live('products@default').pause({ batch: 4 });
    expect(h.runs.liveTargets()).toEqual(['orders@default']);
    expect(selectWhy(h.actor.getSnapshot(), 'products')[0]?.reasons[0]).toMatchObject({ code: 'PREEMPTED', by: ['orders@default'] });
    h.runs.live('orders@default').complete();
    expect(h.runs.live('products@default').input).toMatchObject({ resumeFrom: { batch: 4 } });
    expect(h.events('sync.resumed').map((e) => e.target)).toEqual(['products@default']);
  });

  it('does not preempt when the margin is below PREEMPT_MARGIN (customers over products)', () => {
    const h = new OrchestratorHarness();
    h.request('products').request('customers');
    expect(h.runs.live('products@default').pauseRequested).toBe(false);
  });

  it(`lets a run finish after ${MAX_PREEMPTIONS} preemptions instead of pausing it again`, () => {
    const h = new OrchestratorHarness();
    h.request('products');
    for (let round = 1; round <= MAX_PREEMPTIONS; round += 1) {
      h.request('orders');
      h.runs.live('products@default').pause({ round });
      h.runs.live('orders@default').complete();
    }
    h.request('orders');
    expect(h.runs.live('products@default').pauseRequested).toBe(false);
    expect(h.runs.liveTargets()).toEqual(['products@default']);
    h.runs.live('products@default').complete();
    expect(h.runs.liveTargets()).toEqual(['orders@default']);
  });
});

describe('stagger', () => {
  it('fires orders at boot, customers at +15, products at +30, prices at +45 min, then every interval', () => {
    const h = new OrchestratorHarness({ timers: true });
    runFor(h, BOOT + 240 * MINUTE);
    expect(startsOf(h, 'orders')).toEqual([0, 60, 120, 180, 240]);
    expect(startsOf(h, 'customers')).toEqual([15, 45, 75, 105, 135, 165, 195, 225]);
    expect(startsOf(h, 'products')).toEqual([30, 150]);
    expect(startsOf(h, 'prices')).toEqual([45, 225]);
    expect(startsOf(h, 'ddt')).toEqual([]);
  });

  it('divides every interval and offset by TIME_SCALE', () => {
    const h = new OrchestratorHarness({ timers: true, timeScale: 60 });
    runFor(h, BOOT + 4 * MINUTE, SECOND);
    const seconds = (service: Service) => startsOf(h, service).map((m) => Math.round(m * 60));
    expect(seconds('orders')).toEqual([0, 60, 120, 180, 240]);
    expect(seconds('customers')).toEqual([15, 45, 75, 105, 135, 165, 195, 225]);
  });

  it('moves the next slot of a service when its schedule changes', () => {
    const h = new OrchestratorHarness({ timers: true });
    completeAll(h);
    h.advanceBy(5 * MINUTE).send({ type: 'schedule.update', service: 'orders', intervalMs: 20 * MINUTE });
    expect(h.context.targets['orders@default']?.nextDueAt).toBe(BOOT + 20 * MINUTE);
    expect(h.events('schedule.updated')).toHaveLength(1);
    runFor(h, BOOT + 41 * MINUTE);
    expect(startsOf(h, 'orders')).toEqual([0, 20, 40]);
  });
});

describe('missed runs after downtime', () => {
  it('runs each missed target once on restore, catch-ups spaced by CATCHUP_SPACING', () => {
    const h = new OrchestratorHarness({ timers: true });
    completeAll(h);
    h.restart(BOOT + 200 * MINUTE);
    runFor(h, BOOT + 210 * MINUTE);
    const catchUps = h.events('sync.started').filter((e) => e.trigger === 'catch-up');
    expect(catchUps.map((e) => [e.target, e.at - BOOT - 200 * MINUTE])).toEqual([
      ['customers@default', 0],
      ['products@default', CATCHUP_SPACING_MS],
      ['prices@default', 2 * CATCHUP_SPACING_MS],
      ['orders@default', 3 * CATCHUP_SPACING_MS],
    ]);
    expect(h.context.targets['orders@default']?.nextDueAt).toBe(BOOT + 240 * MINUTE);
  });

  it('records MISSED for services whose policy is skip and waits for their next slot', () => {
    const h = new OrchestratorHarness({ timers: true, schedules: { products: { missed: 'skip' } } });
    completeAll(h);
    h.restart(BOOT + 200 * MINUTE);
    runFor(h, BOOT + 210 * MINUTE);
    expect(h.skips('MISSED')).toMatchObject([{ target: 'products@default', trigger: 'schedule', at: BOOT + 200 * MINUTE }]);
    expect(startsOf(h, 'products')).toEqual([]);
    expect(startsOf(h, 'customers')).toEqual([200]);
    expect(h.context.targets['products@default']?.nextDueAt).toBe(BOOT + 270 * MINUTE);
  });
});

describe('chained syncs', () => {
  it('queues ddt and invoices (trigger chained) after orders reports changes', () => {
    const h = new OrchestratorHarness();
    h.request('orders');
    h.runs.live('orders@default').complete({ updated: 1 });
    expect(h.events('sync.queued').filter((e) => e.trigger === 'chained').map((e) => e.target)).toEqual(['ddt@default', 'invoices@default']);
    expect(h.runs.liveTargets()).toEqual(['ddt@default']);
  });

  it('records NO_PARENT_CHANGES skips instead when orders changed nothing', () => {
    const h = new OrchestratorHarness();
    h.request('orders');
    h.runs.live('orders@default').complete({ unchanged: 40 });
    expect(h.skips('NO_PARENT_CHANGES').map((s) => [s.target, s.trigger])).toEqual([
      ['ddt@default', 'chained'],
      ['invoices@default', 'chained'],
    ]);
    expect(h.state.dispatch).toBe('idle');
  });

  it('queues ddt and invoices after an orders run that changed nothing itself but carries changes of an earlier attempt', () => {
    const h = new OrchestratorHarness();
    h.request('orders');
    h.runs.live('orders@default').complete({ unchanged: 40, carriedChanges: true });
    expect(h.skips('NO_PARENT_CHANGES')).toEqual([]);
    expect(h.runs.liveTargets()).toEqual(['ddt@default']);
  });

  it('queues prices after products with changes, on the service account', () => {
    const h = new OrchestratorHarness({ accounts: TWO_AGENTS });
    h.request('products');
    h.runs.live('products@svc').complete({ inserted: 5 });
    expect(h.runs.liveTargets()).toEqual(['prices@svc']);
  });
});

describe('leases', () => {
  it('completes an acquire only when every running target in scope has paused', () => {
    const h = new OrchestratorHarness();
    h.request('products');
    h.advanceBy(SECOND).send({ type: 'lease.acquire', leaseId: 'L1', scope: 'default', ttlMs: 10 * MINUTE, reason: 'order entry' });
    expect(h.state.dispatch).toBe('paused.draining');
    expect(selectLease(h.actor.getSnapshot(), 'L1')).toMatchObject({ status: 'pending', waitingFor: ['products@default'] });
    expect(h.events('lease.acquired')).toEqual([]);
    h.advanceBy(2 * SECOND);
    h.runs.live('products@default').pause({ batch: 2 });
    expect(h.state.dispatch).toBe('paused.holding');
    expect(h.events('lease.acquired')).toEqual([
      { type: 'lease.acquired', at: BOOT + 3 * SECOND, leaseId: 'L1', scope: 'default', pausedTargets: ['products@default'], waitedMs: 2 * SECOND, expiresAt: BOOT + SECOND + 10 * MINUTE },
    ]);
  });

  it('completes an acquire at once when nothing runs in scope, and holds queued work', () => {
    const h = new OrchestratorHarness();
    h.send({ type: 'lease.acquire', leaseId: 'L1', scope: '*', reason: 'order entry' });
    expect(h.events('lease.acquired')).toMatchObject([{ leaseId: 'L1', waitedMs: 0, pausedTargets: [] }]);
    h.request('orders');
    expect(h.runs.liveTargets()).toEqual([]);
    expect(h.state.dispatch).toBe('paused.holding');
    expect(selectWhy(h.actor.getSnapshot(), 'orders')[0]?.reasons.map((r) => r.code)).toEqual(['QUEUED', 'LEASE']);
  });

  it('activates a second lease taken during draining together with the first, once the run pauses', () => {
    const h = new OrchestratorHarness();
    h.request('orders');
    h.send({ type: 'lease.acquire', leaseId: 'L1', scope: 'default', reason: 'first' });
    h.send({ type: 'lease.acquire', leaseId: 'L2', scope: '*', reason: 'second' });
    expect(h.state.dispatch).toBe('paused.draining');
    expect(h.runs.live('orders@default').pauseRequested).toBe(true);
    h.runs.live('orders@default').pause(null);
    expect(h.events('lease.acquired').map((e) => [e.leaseId, e.pausedTargets])).toEqual([
      ['L1', ['orders@default']],
      ['L2', ['orders@default']],
    ]);
  });

  it('keeps the account held until its last lease ends, then resumes paused runs before the queue', () => {
    const h = new OrchestratorHarness({ accounts: TWO_AGENTS });
    h.request('customers', { account: 'anna' });
    h.send({ type: 'lease.acquire', leaseId: 'L1', scope: 'anna', reason: 'a' });
    h.send({ type: 'lease.acquire', leaseId: 'L2', scope: 'anna', reason: 'b' });
    h.runs.live('customers@anna').pause({ batch: 1 });
    h.request('orders', { account: 'anna' });
    h.send({ type: 'lease.release', leaseId: 'L1' });
    expect(h.runs.liveTargets()).toEqual([]);
    expect(selectLease(h.actor.getSnapshot(), 'L2')?.refCount).toBe(1);
    h.send({ type: 'lease.release', leaseId: 'L2' });
    expect(h.runs.liveTargets()).toEqual(['customers@anna']);
    expect(h.runs.live('customers@anna').input.resumeFrom).toEqual({ batch: 1 });
    expect(h.events('lease.released').map((e) => [e.leaseId, e.reason])).toEqual([
      ['L1', 'released'],
      ['L2', 'released'],
    ]);
  });

  it('leaves other accounts running under a lease on one agent account', () => {
    const h = new OrchestratorHarness({ accounts: TWO_AGENTS, concurrency: 2 });
    h.request('orders');
    h.send({ type: 'lease.acquire', leaseId: 'L1', scope: 'anna', reason: 'order entry' });
    h.runs.live('orders@anna').pause(null);
    expect(h.runs.liveTargets()).toEqual(['orders@bruno']);
    expect(h.state.dispatch).toBe('running');
    expect(selectLease(h.actor.getSnapshot(), 'L1')?.status).toBe('active');
  });

  it('ends a lease at its absolute TTL deadline and lets the held run resume', () => {
    const h = new OrchestratorHarness();
    h.request('orders');
    h.send({ type: 'lease.acquire', leaseId: 'L1', scope: 'default', ttlMs: 2 * MINUTE, reason: 'crashed client' });
    h.runs.live('orders@default').pause(null);
    h.advanceTo(BOOT + 2 * MINUTE - 1);
    expect(h.context.leases).toHaveLength(1);
    h.advanceTo(BOOT + 2 * MINUTE);
    expect(h.events('lease.released')).toEqual([{ type: 'lease.released', at: BOOT + 2 * MINUTE, leaseId: 'L1', scope: 'default', reason: 'expired' }]);
    expect(h.runs.liveTargets()).toEqual(['orders@default']);
  });

  it('renews a lease acquired again with the same id instead of counting it twice', () => {
    const h = new OrchestratorHarness();
    h.send({ type: 'lease.acquire', leaseId: 'L1', scope: 'default', ttlMs: MINUTE, reason: 'r' });
    h.advanceBy(30 * SECOND).send({ type: 'lease.acquire', leaseId: 'L1', scope: 'default', ttlMs: MINUTE, reason: 'r' });
    expect(h.context.leases).toMatchObject([{ leaseId: 'L1', expiresAt: BOOT + 90 * SECOND }]);
  });
});

describe('operator pause', () => {
  it('drains every account, holds, and on resume restarts paused runs first', () => {
    const h = new OrchestratorHarness();
    h.request('products').send({ type: 'orchestrator.pause', reason: 'ERP maintenance' });
    expect(h.state.dispatch).toBe('paused.draining');
    h.runs.live('products@default').pause({ batch: 9 });
    h.request('customers');
    expect(h.state.dispatch).toBe('paused.holding');
    h.send({ type: 'orchestrator.resume' });
    expect(h.runs.live('products@default').input.resumeFrom).toEqual({ batch: 9 });
    expect(h.state.dispatch).toBe('running');
  });
});

describe('retries', () => {
  it('re-queues an erp-unreachable failure at its absolute retryAt and runs it through the queue', () => {
    const h = new OrchestratorHarness();
    h.request('customers');
    h.runs.live('customers@default').fail('erp-unreachable');
    const retryAt = h.context.targets['customers@default']?.retryAt ?? 0;
    expect(retryAt - BOOT).toBeGreaterThanOrEqual(4 * SECOND);
    expect(retryAt - BOOT).toBeLessThanOrEqual(6 * SECOND);
    h.request('customers');
    expect(h.state.dispatch).toBe('queued');
    expect(selectWhy(h.actor.getSnapshot(), 'customers')[0]?.reasons).toContainEqual(expect.objectContaining({ code: 'BACKOFF', attempt: 1, until: retryAt }));
    h.advanceTo(retryAt - 1);
    expect(h.runs.liveTargets()).toEqual([]);
    h.advanceTo(retryAt);
    expect(h.runs.live('customers@default').input).toMatchObject({ attempt: 2 });
  });

  it('makes a due retry wait for the account like any run', () => {
    const h = new OrchestratorHarness();
    h.request('customers');
    h.runs.live('customers@default').fail('store-error');
    h.request('orders');
    h.advanceBy(30 * SECOND);
    expect(h.runs.liveTargets()).toEqual(['orders@default']);
    h.runs.live('orders@default').complete();
    expect(h.runs.live('customers@default').input.attempt).toBe(2);
  });

  it('retries session-expired at once without releasing the account', () => {
    const h = new OrchestratorHarness();
    h.request('orders').request('customers');
    h.runs.live('orders@default').fail('session-expired');
    expect(h.runs.liveTargets()).toEqual(['orders@default']);
    expect(h.events('sync.failed')).toMatchObject([{ target: 'orders@default', retry: 'immediate' }]);
    expect(h.context.running['orders@default']?.trigger).toBe('retry');
  });

  it('fails export-invalid for good, without retry, and moves on', () => {
    const h = new OrchestratorHarness();
    h.request('orders').request('customers');
    h.runs.live('orders@default').fail('export-invalid', 'unknown layout');
    expect(h.context.targets['orders@default']).toMatchObject({ retryAt: null, lastRun: { outcome: 'failed', error: { class: 'export-invalid' } } });
    expect(h.targetState('orders@default')).toBe('failed');
    expect(h.runs.liveTargets()).toEqual(['customers@default']);
    h.advanceBy(10 * MINUTE);
    expect(h.runs.startOrder()).toEqual(['orders@default', 'customers@default']);
  });
});

describe('ERP circuit breaker', () => {
  /** Fails one orders target with erp-unreachable on three consecutive attempts (first run and two retries). */
  function tripBreaker(h: OrchestratorHarness, account = 'default'): void {
    h.request('orders', { account });
    for (let i = 0; i < 3; i += 1) {
      h.runs.live(`orders@${account}`).fail('erp-unreachable');
      const retryAt = h.context.targets[`orders@${account}`]?.retryAt;
      if (i < 2 && retryAt !== undefined && retryAt !== null) h.advanceTo(retryAt);
    }
  }

  it('opens after three consecutive erp-unreachable failures and holds every start until the cooldown ends', () => {
    const h = new OrchestratorHarness();
    tripBreaker(h);
    const opened = h.clock.now();
    expect(h.state.erp).toBe('open');
    expect(h.events('erp.circuit')).toMatchObject([{ state: 'open', until: opened + BREAKER_COOLDOWN_MS }]);
    h.request('customers');
    h.advanceTo(opened + BREAKER_COOLDOWN_MS - 1);
    expect(h.runs.liveTargets()).toEqual([]);
    expect(h.state.dispatch).toBe('queued');
    expect(selectWhy(h.actor.getSnapshot(), 'customers')[0]?.reasons.map((r) => r.code)).toContain('BREAKER_OPEN');
    h.advanceTo(opened + BREAKER_COOLDOWN_MS);
    expect(h.state.erp).toBe('halfOpen');
    expect(h.runs.liveTargets()).toHaveLength(1);
  });

  it('lets one probe run while half-open; its success closes the circuit and releases the queue', () => {
    const h = new OrchestratorHarness({ accounts: TWO_AGENTS, concurrency: 3 });
    tripBreaker(h, 'anna');
    h.request('customers');
    h.advanceBy(BREAKER_COOLDOWN_MS);
    const [probe] = h.runs.liveTargets();
    expect(h.runs.liveTargets()).toHaveLength(1);
    expect(h.context.breaker.probe).toBe(probe);
    h.runs.live(probe as TargetId).complete();
    expect(h.state.erp).toBe('closed');
    expect(h.runs.liveTargets().length).toBeGreaterThan(1);
  });

  it('reopens for another cooldown when the probe fails with erp-unreachable', () => {
    const h = new OrchestratorHarness();
    tripBreaker(h);
    h.request('customers');
    h.advanceBy(BREAKER_COOLDOWN_MS);
    const [probe] = h.runs.liveTargets();
    h.runs.live(probe as TargetId).fail('erp-unreachable');
    expect(h.state.erp).toBe('open');
    expect(h.context.breaker.openUntil).toBe(h.clock.now() + BREAKER_COOLDOWN_MS);
  });

  it('skips scheduled triggers while open (BREAKER_OPEN) instead of piling them up', () => {
    const h = new OrchestratorHarness({ timers: true, schedules: { orders: { enabled: false } } });
    tripBreaker(h);
    h.advanceTo(BOOT + 15 * MINUTE);
    expect(h.state.erp).toBe('halfOpen');
    const h2 = new OrchestratorHarness({ timers: true, schedules: { orders: { enabled: false }, customers: { offsetMs: 2 * MINUTE } } });
    tripBreaker(h2);
    h2.advanceTo(BOOT + 2 * MINUTE);
    expect(h2.skips('BREAKER_OPEN')).toMatchObject([{ target: 'customers@default', trigger: 'schedule' }]);
  });

  it('does not count failures of other classes, and a completed run resets the count', () => {
    const h = new OrchestratorHarness();
    h.request('orders');
    h.runs.live('orders@default').fail('erp-unreachable');
    h.request('customers');
    h.runs.live('customers@default').fail('store-error');
    h.request('products');
    h.runs.live('products@default').complete();
    expect(h.context.breaker).toMatchObject({ state: 'closed', failures: 0 });
  });
});

describe('status', () => {
  it('summarises regions, running progress, queue reasons, leases and per-target state', () => {
    const h = new OrchestratorHarness();
    h.request('orders').request('customers');
    h.runs.live('orders@default').progress('applying', 2, 5);
    const status = selectStatus(h.actor.getSnapshot());
    expect(status.state).toEqual({ dispatch: 'running', clock: 'waiting', erp: 'closed' });
    expect(status.running).toMatchObject([{ target: 'orders@default', phase: 'applying', done: 2, total: 5 }]);
    expect(status.queue).toMatchObject([{ target: 'customers@default', position: 1, reasons: [{ code: 'QUEUED' }, { code: 'MUTEX_HELD' }] }]);
    expect(status.targets.find((t) => t.target === 'orders@default')?.state).toBe('running.applying');
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
  });
});
