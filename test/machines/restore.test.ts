import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { MACHINE_VERSION, withRunSync, type OrchestratorInput } from '../../machines/orchestrator.machine.js';
import { createRunSyncLogic, type RunControls, type RunOutcome, type RunSyncInput } from '../../machines/run-sync.js';
import { BOOT, MINUTE, OrchestratorHarness, SECOND, SERVICES, VirtualClock, noTimers, stats } from './harness.js';

describe('restore', () => {
  it('persists a versioned, JSON-safe snapshot', () => {
    const h = new OrchestratorHarness({ timers: true });
    h.send({ type: 'lease.acquire', leaseId: 'L1', scope: 'default', reason: 'r' });
    const persisted = h.actor.getPersistedSnapshot();
    expect(JSON.parse(JSON.stringify(persisted))).toEqual(persisted);
    expect(MACHINE_VERSION).toBe(1);
  });

  it('restores regions, queue, leases, paused runs and deadlines unchanged', () => {
    const h = new OrchestratorHarness({ timers: true });
    h.runs.live('orders@default').checkpoint({ batch: 1 });
    h.request('customers');
    h.send({ type: 'lease.acquire', leaseId: 'L1', scope: 'default', ttlMs: 20 * MINUTE, reason: 'r' });
    h.runs.live('orders@default').pause({ batch: 2 });
    const before = { state: h.state, context: h.context };
    h.restart(h.clock.now() + SECOND);
    expect(h.state).toEqual(before.state);
    expect({ ...h.context, now: 0, clock: null }).toEqual({ ...before.context, now: 0, clock: null });
    expect(h.targetState('orders@default')).toBe('paused');
  });

  it('fires schedule slots at their original absolute times after a restart', () => {
    const h = new OrchestratorHarness({ timers: true });
    h.runs.live('orders@default').complete();
    h.restart(BOOT + 10 * MINUTE);
    h.advanceTo(BOOT + 15 * MINUTE - 1);
    expect(h.runs.liveTargets()).toEqual([]);
    h.advanceTo(BOOT + 15 * MINUTE);
    expect(h.events('sync.started').at(-1)).toMatchObject({ target: 'customers@default', trigger: 'schedule', at: BOOT + 15 * MINUTE });
  });

  it('lifts a transient (shutdown) pause on restore but keeps an operator pause', () => {
    const shutdown = new OrchestratorHarness();
    shutdown.request('orders').send({ type: 'orchestrator.pause', reason: 'shutdown', transient: true });
    shutdown.runs.live('orders@default').pause({ batch: 5 });
    shutdown.restart();
    expect(shutdown.runs.live('orders@default').input.resumeFrom).toEqual({ batch: 5 });

    const operator = new OrchestratorHarness();
    operator.send({ type: 'orchestrator.pause', reason: 'ERP upgrade' }).restart();
    expect(operator.state.dispatch).toBe('paused.holding');
  });

  it('applies the concurrency and time scale carried by orchestrator.restored', () => {
    const h = new OrchestratorHarness({ accounts: { service: 'svc', agents: ['anna', 'bruno'] } });
    h.request('orders');
    expect(h.runs.liveTargets()).toEqual(['orders@anna']);
    h.restart(h.clock.now(), { concurrency: 2, timeScale: 10 });
    expect(h.runs.liveTargets().sort()).toEqual(['orders@anna', 'orders@bruno']);
    expect(h.context.timeScale).toBe(10);
  });

  it('passes a new time scale to the children: backoffs shrink with it', () => {
    const h = new OrchestratorHarness();
    h.restart(h.clock.now(), { timeScale: 10 });
    h.request('customers');
    h.runs.live('customers@default').fail('store-error');
    const retryAt = h.context.targets['customers@default']?.retryAt ?? 0;
    expect(retryAt - h.clock.now()).toBeLessThanOrEqual(600);
  });

  it('adds the targets of a new agent account and drops those of a removed one', () => {
    const h = new OrchestratorHarness({ timers: true, accounts: { service: 'svc', agents: ['anna', 'bruno'] } });
    h.send({ type: 'orchestrator.pause', reason: 'hold everything' }).request('customers');
    h.restart(BOOT + 5 * MINUTE, { accounts: { service: 'svc', agents: ['anna', 'carla'] } });
    expect(Object.keys(h.context.targets).filter((t) => t.startsWith('orders@')).sort()).toEqual(['orders@anna', 'orders@carla']);
    expect(h.context.queue.map((e) => e.target)).not.toContain('customers@bruno');
    expect(h.actor.getSnapshot().children['target:orders@bruno']).toBeUndefined();
    expect(h.context.targets['orders@carla']?.nextDueAt).toBe(BOOT + 60 * MINUTE);
    h.send({ type: 'orchestrator.resume' }).request('orders', { account: 'carla' });
    h.runs.live('orders@anna').complete();
    expect(h.runs.liveTargets()).toEqual(['orders@carla']);
  });

  it('re-runs a promise-style run in flight exactly once, from its latest checkpoint', async () => {
    const clock = new VirtualClock(BOOT);
    const calls: Array<{ input: RunSyncInput; controls: RunControls }> = [];
    const machine = withRunSync(
      createRunSyncLogic((input, controls) => {
        calls.push({ input, controls });
        return new Promise<RunOutcome>(() => undefined);
      }, clock),
    );
    const input: OrchestratorInput = { services: SERVICES, accounts: { service: 'default', agents: ['default'] }, bootAt: BOOT, schedules: noTimers() };
    const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

    const first = createActor(machine, { input, clock }).start();
    first.send({ type: 'sync.request', service: 'products', now: clock.now() });
    await settle();
    calls[0]?.controls.checkpoint({ file: 'products.pdf', batch: 12 });
    const persisted: unknown = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
    first.stop();
    expect(calls[0]?.controls.signal.aborted).toBe(true);

    clock.advanceBy(30 * SECOND);
    const second = createActor(machine, { input, clock, snapshot: persisted as never }).start();
    second.send({ type: 'orchestrator.restored', now: clock.now() });
    await settle();
    expect(calls.map((call) => call.input.resumeFrom)).toEqual([null, { file: 'products.pdf', batch: 12 }]);
    expect(second.getSnapshot().context.running['products@default']).toBeDefined();
    second.stop();
  });

  it('keeps completing normally after a restore', () => {
    const h = new OrchestratorHarness();
    h.request('orders');
    h.restart(h.clock.now() + SECOND);
    h.runs.live('orders@default').complete({ inserted: 1 });
    expect(h.events('sync.completed')).toMatchObject([{ target: 'orders@default', stats: stats({ inserted: 1 }) }]);
    expect(h.runs.liveTargets()).toEqual(['ddt@default']);
  });
});
