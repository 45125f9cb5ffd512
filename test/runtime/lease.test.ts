import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRecordStore } from '../../src/stores/sqlite-record-store.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { LeaseTimeoutError } from '../../src/runtime/orchestrator-port.js';
import { noTimers } from '../machines/harness.js';
import { LARGE_ORDERS, ScriptedSource, fact, nextEvent, recordEvents, tempDir, testConfig, writeLargeOrders } from './support.js';

const exports = tempDir('runtime-lease-exports-');
beforeAll(() => writeLargeOrders(exports.path), 60_000);
afterAll(() => exports.remove());

let dir: ReturnType<typeof tempDir>;
let orchestrator: Runtime;
afterEach(async () => {
  await orchestrator.close();
  dir.remove();
});

function start(source?: ScriptedSource): Runtime {
  dir = tempDir('runtime-lease-');
  orchestrator = createRuntime({ config: testConfig(dir.path, exports.path), schedules: noTimers(), ...(source ? { source } : {}) });
  return orchestrator;
}

const ordersRows = (): number => {
  const store = openRecordStore(dir.path, 'orders');
  try {
    return store.db.prepare('SELECT COUNT(*) FROM orders').pluck().get() as number;
  } finally {
    store.close();
  }
};

describe('priority leases', () => {
  it('returns from acquire once the run that was applying paused at its checkpoint', async () => {
    const { orchestrator: runtime } = start();
    const applying = nextEvent(runtime, (e) => fact('sync.progress', 'orders@default')(e) && e.phase === 'applying');
    runtime.request('orders');
    expect(await applying).toMatchObject({ done: 500, total: LARGE_ORDERS });

    const grant = await runtime.acquireLease({ reason: 'creating an order', account: 'default' });

    expect(grant).toMatchObject({ pausedTargets: ['orders@default'], leaseId: expect.stringMatching(/^lease-/) });
    const status = runtime.status();
    expect(status.running).toEqual([]);
    expect(status.paused).toMatchObject([{ target: 'orders@default', cause: { kind: 'lease', leaseId: grant.leaseId } }]);
    expect(status.state.dispatch).toBe('paused.holding');
    expect(status.targets.find((t) => t.target === 'orders@default')?.state).toBe('paused');
    expect(ordersRows()).toBe(500);
    expect(runtime.runs()).toMatchObject([{ target: 'orders@default', outcome: 'paused', stats: { inserted: 500 } }]);
  });

  it('resumes the paused run from its checkpoint when the lease is released', async () => {
    const { orchestrator: runtime } = start();
    const applying = nextEvent(runtime, (e) => fact('sync.progress', 'orders@default')(e) && e.phase === 'applying');
    runtime.request('orders');
    await applying;
    const grant = await runtime.acquireLease({ reason: 'creating an order' });
    const after = recordEvents(runtime);
    const completed = nextEvent(runtime, fact('sync.completed', 'orders@default'));

    expect(runtime.releaseLease(grant.leaseId)).toBe(true);
    await completed;

    expect(after.map((e) => e.type).slice(0, 3)).toEqual(['lease.released', 'sync.resumed', 'orchestrator.state']);
    const resumedAt = after.find((e) => e.type === 'sync.progress' && e.phase === 'applying');
    expect(resumedAt?.done).toBe(1_000);
    expect(ordersRows()).toBe(LARGE_ORDERS);
    const [run, ...others] = runtime.runs({ service: 'orders' });
    expect(others).toEqual([]);
    expect(run).toMatchObject({ outcome: 'completed', trigger: 'manual', stats: { parsed: LARGE_ORDERS, inserted: LARGE_ORDERS, updated: 0 } });
    expect(runtime.releaseLease(grant.leaseId)).toBe(false);
  });

  it('is granted at once when nothing runs, and holds requested syncs until released', async () => {
    const { orchestrator: runtime } = start();
    const grant = await runtime.acquireLease({ reason: 'creating an order', ttlMs: 60_000 });
    expect(grant.pausedTargets).toEqual([]);
    expect(runtime.request('customers').queued).toEqual([{ target: 'customers@default', position: 1, coalesced: false }]);
    expect(runtime.why('customers')[0]?.reasons.map((r) => r.code)).toEqual(['QUEUED', 'LEASE']);
    const started = nextEvent(runtime, fact('sync.started', 'customers@default'));
    runtime.releaseLease(grant.leaseId);
    await started;
  });

  it('rejects with LeaseTimeoutError naming the run that could not pause in time, and holds nothing', async () => {
    const source = new ScriptedSource(exports.path);
    source.mode = { kind: 'stubborn' };
    const { orchestrator: runtime } = start(source);
    runtime.request('orders');

    const error = await runtime.acquireLease({ reason: 'creating an order' }, 300).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LeaseTimeoutError);
    expect((error as LeaseTimeoutError).notPaused).toEqual(['orders@default']);
    expect((error as Error).message).toMatch(/not granted within 300 ms: still running orders@default/);
    expect(runtime.status().leases).toEqual([]);
    const completed = nextEvent(runtime, fact('sync.completed', 'orders@default'));
    source.mode = { kind: 'pass' };
    source.release();
    await completed;
    expect(ordersRows()).toBe(LARGE_ORDERS);
  });

  it('refuses an account no target runs on', async () => {
    const { orchestrator: runtime } = start();
    await expect(runtime.acquireLease({ reason: 'x', account: 'nobody' })).rejects.toThrow(/unknown account "nobody"/);
    expect(runtime.status().leases).toEqual([]);
  });
});

