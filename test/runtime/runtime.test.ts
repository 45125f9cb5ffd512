import { afterEach, describe, expect, it } from 'vitest';
import type { OrchestratorInput } from '../../machines/index.js';
import { openOrchestratorDb } from '../../src/stores/orchestrator-db.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { UnknownAccountError } from '../../src/runtime/orchestrator-port.js';
import { BOOT, MINUTE, SECOND, VirtualClock, noTimers } from '../machines/harness.js';
import { ScriptedSource, fact, nextEvent, recordEvents, tempDir, testConfig } from './support.js';

/** The `OrchestratorPort` surface over the real actor, on virtual time with scripted downloads. */

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

interface Setup {
  env?: Record<string, string>;
  schedules?: OrchestratorInput['schedules'];
}

function setup({ env = {}, schedules = noTimers() }: Setup = {}) {
  const dir = tempDir('runtime-api-');
  cleanup.push(() => dir.remove());
  const clock = new VirtualClock(BOOT);
  const source = new ScriptedSource();
  const boot = (bootEnv: Record<string, string> = env): Runtime => {
    const started = createRuntime({ config: testConfig(dir.path, undefined, bootEnv), clock, source, schedules, random: 7 });
    cleanup.push(() => started.close());
    return started;
  };
  let runtime = boot();
  return {
    clock,
    source,
    dir: dir.path,
    get runtime() {
      return runtime;
    },
    get orchestrator() {
      return runtime.orchestrator;
    },
    /** A crash (the last flush survives) and a new start on the same data dir. */
    restart(bootEnv?: Record<string, string>) {
      runtime.persistence.flush();
      runtime.persistence.stop();
      runtime.actor.stop();
      runtime = boot(bootEnv);
      return runtime.orchestrator;
    },
  };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const iso = (ms: number) => new Date(ms).toISOString();

describe('status and events', () => {
  it('answers the status with ISO times, the uptime and the export source', async () => {
    const s = setup();
    s.source.mode = { kind: 'hold' };
    s.orchestrator.request('orders');
    s.orchestrator.request('customers');
    s.clock.advanceBy(90 * SECOND);
    const status = s.orchestrator.status();
    expect(status).toMatchObject({ now: iso(BOOT + 90 * SECOND), uptimeSeconds: 90, source: 'scripted', state: { dispatch: 'running' } });
    expect(status.running).toMatchObject([{ target: 'orders@default', startedAt: iso(BOOT), requestedAt: iso(BOOT) }]);
    expect(status.queue).toMatchObject([{ target: 'customers@default', position: 1, requestedAt: iso(BOOT) }]);
    expect(status.queue[0]?.reasons.map((r) => r.code)).toEqual(['QUEUED', 'MUTEX_HELD']);
    expect(status.targets.every((t) => t.nextDueAt === null)).toBe(true);
  });

  it('streams every emitted fact with ISO times, and each change of the region states', async () => {
    const s = setup();
    s.source.mode = { kind: 'hold' };
    const events = recordEvents(s.orchestrator);
    s.orchestrator.request('orders');
    expect(events.map((e) => e.type)).toEqual(['sync.queued', 'sync.started', 'orchestrator.state']);
    expect(events[2]).toMatchObject({ at: iso(BOOT), state: { dispatch: 'running', clock: 'waiting', erp: 'closed' } });
    expect(events.every((e) => ISO.test(e.at))).toBe(true);
  });
});

describe('requests', () => {
  it('reports each target’s queue position: 0 for the one that started at once', () => {
    const s = setup({ env: { ERP_ACCOUNTS: 'anna,bruno' } });
    s.source.mode = { kind: 'hold' };
    expect(s.orchestrator.request('orders').queued).toEqual([
      { target: 'orders@anna', position: 0, coalesced: false },
      { target: 'orders@bruno', position: 1, coalesced: false },
    ]);
    expect(s.orchestrator.request('orders', { account: 'bruno', priority: 9 }).queued).toEqual([{ target: 'orders@bruno', position: 1, coalesced: true }]);
    expect(s.orchestrator.status().queue).toMatchObject([{ target: 'orders@bruno', priority: 9, merges: 1 }]);
  });

  it('refuses an account the service does not run on, before queuing anything', () => {
    const s = setup({ env: { ERP_ACCOUNTS: 'anna,bruno' } });
    s.source.mode = { kind: 'hold' };
    expect(() => s.orchestrator.request('products', { account: 'anna' })).toThrow(UnknownAccountError);
    expect(() => s.orchestrator.request('orders', { account: 'carla' })).toThrow(/unknown account "carla"; configured accounts: anna, bruno/);
    expect(s.orchestrator.status().running).toEqual([]);
    expect(s.orchestrator.targets().map((t) => t.target)).toEqual([
      'customers@anna',
      'customers@bruno',
      'products@default',
      'prices@default',
      'orders@anna',
      'orders@bruno',
      'ddt@anna',
      'ddt@bruno',
      'invoices@anna',
      'invoices@bruno',
    ]);
  });
});

describe('schedules', () => {
  it('changes a schedule in minutes, moves its next due time, and keeps it across a restart', () => {
    const s = setup();
    const view = s.orchestrator.updateSchedule({ service: 'customers', intervalMinutes: 10, offsetMinutes: 2, enabled: true, missed: 'skip' });
    expect(view).toEqual({
      service: 'customers',
      chainedAfter: null,
      intervalMinutes: 10,
      offsetMinutes: 2,
      enabled: true,
      missed: 'skip',
      nextDueAt: { 'customers@default': iso(BOOT + 2 * MINUTE) },
    });
    expect(s.restart().schedules().find((v) => v.service === 'customers')).toEqual(view);
  });

  it('gives a chained service a safety interval, kept across a restart', () => {
    const s = setup();
    const view = s.orchestrator.updateSchedule({ service: 'ddt', intervalMinutes: 240, enabled: true });
    expect(view).toMatchObject({ service: 'ddt', chainedAfter: 'orders', intervalMinutes: 240, enabled: true });
    expect(view.nextDueAt['ddt@default']).toBe(iso(BOOT + 240 * MINUTE));
    expect(s.restart().schedules().find((v) => v.service === 'ddt')).toEqual(view);
  });

  it('boots fresh with the saved overrides when the snapshot is gone', () => {
    const s = setup();
    s.orchestrator.updateSchedule({ service: 'orders', intervalMinutes: 15, enabled: false });
    s.runtime.persistence.flush();
    const store = openOrchestratorDb(s.dir);
    store.db.exec('DELETE FROM snapshots');
    store.close();
    expect(s.restart().schedules().find((v) => v.service === 'orders')).toMatchObject({ intervalMinutes: 15, enabled: false });
  });

  it('rejects out-of-range values with a readable RangeError and changes nothing', () => {
    const s = setup();
    const before = s.orchestrator.schedules();
    const attempts: Array<[Parameters<typeof s.orchestrator.updateSchedule>[0], RegExp]> = [
      [{ service: 'orders', intervalMinutes: 4 }, /intervalMinutes must be a number of minutes from 5 to 1440, got 4/],
      [{ service: 'orders', intervalMinutes: 1441 }, /from 5 to 1440, got 1441/],
      [{ service: 'orders', offsetMinutes: -1 }, /offsetMinutes must be a number of minutes from 0 to 1440, got -1/],
      [{ service: 'ddt', offsetMinutes: 30 }, /ddt has no timer: set intervalMinutes with the offset \(a safety interval: it runs after orders reports changes/],
      [{ service: 'orders', missed: 'sometimes' as never }, /missed must be "once" \(run once after downtime\) or "skip"/],
      [{ service: 'nothing' as never }, /unknown service "nothing"/],
    ];
    for (const [update, message] of attempts) {
      expect(() => s.orchestrator.updateSchedule(update)).toThrow(RangeError);
      expect(() => s.orchestrator.updateSchedule(update)).toThrow(message);
    }
    expect(s.orchestrator.schedules()).toEqual(before);
  });
});

describe('health', () => {
  it('is ok at boot', () => {
    expect(setup().orchestrator.health()).toMatchObject({ status: 'ok', checks: { orchestrator: { status: 'ok' }, erp: { status: 'ok' }, runs: { status: 'ok' } } });
  });

  it('is degraded when a target’s last run failed for good', async () => {
    const s = setup();
    s.source.mode = { kind: 'fail', failure: 'export-invalid' };
    const failed = nextEvent(s.orchestrator, fact('sync.failed', 'prices@default'));
    s.orchestrator.request('prices');
    await failed;
    expect(s.orchestrator.health()).toMatchObject({ status: 'degraded', checks: { runs: { status: 'degraded', detail: expect.stringMatching(/prices@default: export-invalid \(no retry\)/) } } });
  });

  it('is down while the ERP circuit is open', async () => {
    const s = setup();
    s.source.mode = { kind: 'fail', failure: 'erp-unreachable' };
    const opened = nextEvent(s.orchestrator, (e) => e.type === 'erp.circuit' && e.state === 'open');
    s.orchestrator.request('orders');
    for (let failures = 1; failures < 3; failures++) {
      const failed = await nextEvent(s.orchestrator, fact('sync.failed', 'orders@default'));
      s.clock.advanceTo(Date.parse(failed.retryAt as string));
    }
    await opened;
    expect(s.orchestrator.health()).toMatchObject({ status: 'down', checks: { erp: { status: 'down', detail: expect.stringMatching(/^ERP circuit open until /) } } });
  });

  it('flags a scheduled service whose data is older than two intervals', () => {
    const s = setup({ schedules: { ...noTimers(), customers: { enabled: true } } });
    s.source.mode = { kind: 'hold' };
    s.clock.advanceTo(BOOT + 15 * MINUTE + 60 * MINUTE);
    expect(s.orchestrator.health().checks['data.customers']?.status).toBe('ok');
    s.clock.advanceBy(SECOND);
    expect(s.orchestrator.health().checks['data.customers']).toEqual({ status: 'degraded', detail: 'stale (interval 30 min): customers@default never completed' });
  });
});

describe('the run ledger across restarts', () => {
  it('cancels the open run of a target the new configuration no longer has', async () => {
    const s = setup({ env: { ERP_ACCOUNTS: 'anna,bruno' } });
    s.source.mode = { kind: 'hold' };
    s.orchestrator.request('customers', { account: 'bruno' });
    const runtime = s.restart({ ERP_ACCOUNTS: 'anna' });
    expect(runtime.runs()).toMatchObject([{ target: 'customers@bruno', outcome: 'cancelled', finishedAt: iso(BOOT) }]);
    expect(runtime.targets().some((t) => t.account === 'bruno')).toBe(false);
  });
});
