import { afterEach, describe, expect, it } from 'vitest';
import { selectRegionStates, selectTargetState, type Service } from '../../machines/index.js';
import { openOrchestratorDb } from '../../src/stores/orchestrator-db.js';
import { SnapshotVersionError } from '../../src/runtime/restore.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { BOOT, MINUTE, SECOND, VirtualClock, noTimers } from '../machines/harness.js';
import { ScriptedSource, crash, fact, nextEvent, recordEvents, tempDir, testConfig } from './support.js';

/**
 * Restore: the runtime persists the root actor's snapshot in `orchestrator.db`; a new runtime on the same
 * data dir restores it. Time is virtual (the runtime's clock and `now` are a `VirtualClock`), so deadlines
 * are checked to the millisecond of virtual time; downloads are scripted so that runs stay where a test
 * puts them.
 */

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

interface World {
  clock: VirtualClock;
  source: ScriptedSource;
  orchestrator: Runtime;
  dataDir: string;
  /** Simulates a crash (nothing more is written) and starts a new runtime on the same data dir at `at`. */
  restart(at?: number): Runtime;
}

function world(schedules: Partial<Record<Service, { enabled?: boolean }>> = noTimers()): World {
  const dir = tempDir('runtime-restore-');
  const clock = new VirtualClock(BOOT);
  const source = new ScriptedSource();
  const boot = (): Runtime => {
    const started = createRuntime({ config: testConfig(dir.path), clock, source, schedules, random: 42 });
    cleanup.push(() => started.close());
    return started;
  };
  const w: World = {
    clock,
    source,
    orchestrator: boot(),
    dataDir: dir.path,
    restart(at = clock.now()) {
      crash(w.orchestrator);
      clock.advanceTo(at);
      w.orchestrator = boot();
      return w.orchestrator;
    },
  };
  cleanup.push(() => dir.remove());
  return w;
}

/** Everything a restore must bring back: region states, every child's state, the root's context. */
function observable(orchestrator: Runtime) {
  const snapshot = orchestrator.actor.getSnapshot();
  const targets = Object.keys(snapshot.context.targets);
  return {
    regions: selectRegionStates(snapshot),
    children: Object.fromEntries(targets.map((target) => [target, selectTargetState(snapshot, target)])),
    // `now` is the restart's time and `clock` is re-armed from it: both are meant to differ.
    context: { ...snapshot.context, now: 0, clock: null },
  };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const iso = (ms: number) => new Date(ms).toISOString();

describe('restore', () => {
  it('restores an idle orchestrator unchanged', () => {
    const w = world();
    const before = observable(w.orchestrator);
    expect(before.regions).toEqual({ dispatch: 'idle', clock: 'waiting', erp: 'closed' });
    expect(observable(w.restart(BOOT + MINUTE))).toEqual(before);
    expect(w.orchestrator.restoredFrom).toBe(BOOT);
  });

  it('restores a running target and re-runs it, continuing the same ledger row', async () => {
    const w = world();
    w.source.mode = { kind: 'hold' };
    w.orchestrator.orchestrator.request('orders');
    await settle();
    const before = observable(w.orchestrator);
    expect(before.regions.dispatch).toBe('running');
    expect(before.children['orders@default']).toBe('running.downloading');

    w.restart(BOOT + 30 * SECOND);
    expect(observable(w.orchestrator)).toEqual(before);
    await settle();
    expect(w.source.requested).toEqual(['orders@default', 'orders@default']);
    // A row the restored snapshot had no run for would have been cancelled.
    expect(w.orchestrator.orchestrator.runs()).toMatchObject([{ id: 1, target: 'orders@default', outcome: 'running' }]);
  });

  it('restores a queued entry waiting on a backoff, and starts it at the original retry time', async () => {
    const w = world();
    w.source.mode = { kind: 'fail', failure: 'erp-unreachable' };
    const failed = nextEvent(w.orchestrator.orchestrator, fact('sync.failed', 'customers@default'));
    w.orchestrator.orchestrator.request('customers');
    const retryAt = Date.parse((await failed).retryAt as string);
    w.orchestrator.orchestrator.request('customers');
    const before = observable(w.orchestrator);
    expect(before.regions.dispatch).toBe('queued');
    expect(w.orchestrator.orchestrator.why('customers')[0]?.reasons.map((r) => r.code)).toEqual(['QUEUED', 'BACKOFF']);

    const { orchestrator: runtime } = w.restart(BOOT + SECOND);
    expect(observable(w.orchestrator)).toEqual(before);
    w.source.mode = { kind: 'hold' };
    const events = recordEvents(runtime);
    w.clock.advanceTo(retryAt - SECOND);
    expect(events.filter((e) => e.type === 'sync.started')).toEqual([]);
    w.clock.advanceTo(retryAt + SECOND);
    const started = events.find((e) => e.type === 'sync.started');
    expect(started).toMatchObject({ target: 'customers@default' });
    expect(Math.abs(Date.parse(started?.at as string) - retryAt)).toBeLessThanOrEqual(SECOND);
  });

  it('restores a target backing off after a failure, and retries it at the original retry time', async () => {
    const w = world();
    w.source.mode = { kind: 'fail', failure: 'erp-unreachable' };
    const failed = nextEvent(w.orchestrator.orchestrator, fact('sync.failed', 'products@default'));
    w.orchestrator.orchestrator.request('products');
    const retryAt = Date.parse((await failed).retryAt as string);
    const before = observable(w.orchestrator);
    expect(before.children['products@default']).toBe('retrying');

    const { orchestrator: runtime } = w.restart(BOOT + 2 * SECOND);
    expect(observable(w.orchestrator)).toEqual(before);
    w.source.mode = { kind: 'hold' };
    const started = nextEvent(runtime, fact('sync.started', 'products@default'));
    w.clock.advanceTo(retryAt);
    expect(await started).toMatchObject({ trigger: 'retry', at: iso(retryAt) });
  });

  it('restores a run paused by a lease (paused.holding), and ends the lease at its original expiry', async () => {
    const w = world();
    w.source.mode = { kind: 'hold' };
    w.orchestrator.orchestrator.request('orders');
    await settle();
    const grant = await w.orchestrator.orchestrator.acquireLease({ reason: 'creating an order', ttlMs: 10 * MINUTE });
    expect(grant.pausedTargets).toEqual(['orders@default']);
    const before = observable(w.orchestrator);
    expect(before.regions.dispatch).toBe('paused.holding');
    expect(before.children['orders@default']).toBe('paused');

    const { orchestrator: runtime } = w.restart(BOOT + MINUTE);
    expect(observable(w.orchestrator)).toEqual(before);
    const events = recordEvents(runtime);
    w.clock.advanceTo(Date.parse(grant.expiresAt) - SECOND);
    expect(runtime.status().leases.map((l) => l.leaseId)).toEqual([grant.leaseId]);
    w.clock.advanceTo(Date.parse(grant.expiresAt));
    expect(events.filter((e) => e.type === 'lease.released' || e.type === 'sync.resumed')).toMatchObject([
      { type: 'lease.released', leaseId: grant.leaseId, reason: 'expired', at: grant.expiresAt },
      { type: 'sync.resumed', target: 'orders@default', restored: false },
    ]);
  });

  it('restores an open ERP breaker, and half-opens it at the original end of its cooldown', async () => {
    const w = world();
    w.source.mode = { kind: 'fail', failure: 'erp-unreachable' };
    const opened = nextEvent(w.orchestrator.orchestrator, (e) => e.type === 'erp.circuit' && e.state === 'open');
    w.orchestrator.orchestrator.request('orders');
    for (let failures = 1; failures < 3; failures++) {
      const failed = await nextEvent(w.orchestrator.orchestrator, fact('sync.failed', 'orders@default'));
      w.clock.advanceTo(Date.parse(failed.retryAt as string));
    }
    const until = Date.parse((await opened).until as string);
    const before = observable(w.orchestrator);
    expect(before.regions.erp).toBe('open');

    const { orchestrator: runtime } = w.restart(w.clock.now() + SECOND);
    expect(observable(w.orchestrator)).toEqual(before);
    w.source.mode = { kind: 'hold' };
    const events = recordEvents(runtime);
    w.clock.advanceTo(until - SECOND);
    expect(selectRegionStates(w.orchestrator.actor.getSnapshot()).erp).toBe('open');
    w.clock.advanceTo(until);
    expect(events.find((e) => e.type === 'erp.circuit')).toMatchObject({ state: 'halfOpen', at: iso(until) });
  });

  it('fires schedule slots at their original absolute times after a restart', () => {
    const w = world({ orders: { enabled: false } });
    w.source.mode = { kind: 'hold' };
    w.clock.advanceTo(BOOT + 5 * MINUTE);
    const { orchestrator: runtime } = w.restart(BOOT + 10 * MINUTE);
    const events = recordEvents(runtime);
    w.clock.advanceTo(BOOT + 15 * MINUTE - SECOND);
    expect(events.filter((e) => e.type === 'sync.started')).toEqual([]);
    w.clock.advanceTo(BOOT + 15 * MINUTE);
    expect(events.filter((e) => e.type === 'sync.started')).toMatchObject([
      { target: 'customers@default', trigger: 'schedule', at: iso(BOOT + 15 * MINUTE) },
    ]);
  });

  it('refuses to start from a snapshot of an unknown machine version, saying what to do', () => {
    const dir = tempDir('runtime-restore-');
    cleanup.push(() => dir.remove());
    const store = openOrchestratorDb(dir.path);
    store.write({ envelope: { machineVersion: 999, savedAt: BOOT, snapshot: {} } });
    store.close();
    const start = () => createRuntime({ config: testConfig(dir.path), source: new ScriptedSource() });
    expect(start).toThrow(SnapshotVersionError);
    expect(start).toThrow(/machine version 999, but this build reads version 1\. Start the build that wrote it, or discard the snapshot/);
  });

  it.each([
    ['the service catalogue', 'services'],
    ['the resource guard', 'resourceGuard'],
  ])('restores a snapshot saved before %s was part of the context, with the one of this start', async (_what, field) => {
    const w = world();
    w.orchestrator.orchestrator.request('orders');
    await nextEvent(w.orchestrator.orchestrator, fact('sync.completed', 'orders@default'));
    w.orchestrator.persistence.flush();
    const before = observable(w.orchestrator);
    // Rewrite the saved envelope in the older form: the same snapshot without that context field.
    crash(w.orchestrator);
    const store = openOrchestratorDb(w.dataDir);
    const envelope = store.loadEnvelope();
    const snapshot = envelope?.snapshot as { context: Record<string, unknown> };
    const { [field]: removed, ...olderContext } = snapshot.context;
    expect(removed).toBeDefined();
    store.write({ envelope: { machineVersion: envelope!.machineVersion, savedAt: envelope!.savedAt, snapshot: { ...snapshot, context: olderContext } } });
    store.close();

    w.clock.advanceTo(BOOT + MINUTE);
    w.orchestrator = createRuntime({ config: testConfig(w.dataDir), clock: w.clock, source: w.source, schedules: noTimers(), random: 42 });
    cleanup.push(() => w.orchestrator.close());
    const restored = w.orchestrator;
    expect(observable(restored)).toEqual(before);
    restored.orchestrator.request('ddt');
    await nextEvent(restored.orchestrator, fact('sync.completed', 'ddt@default'));
  });
});
