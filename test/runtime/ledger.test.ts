import { describe, expect, it } from 'vitest';
import type { OrchestratorContext } from '../../machines/index.js';
import { RunLedger } from '../../src/runtime/ledger.js';
import type { RunRecord } from '../../src/stores/orchestrator-store.js';
import { stats } from '../machines/harness.js';

const T = Date.UTC(2026, 0, 20, 8, 0, 0);
const target = 'orders@default';

function startedLedger(): RunLedger {
  const ledger = new RunLedger([], 41);
  ledger.record({ type: 'sync.started', at: T, target, trigger: 'manual', probe: false });
  return ledger;
}

const onlyRun = (ledger: RunLedger): RunRecord => {
  const { runs } = ledger.pending();
  expect(runs).toHaveLength(1);
  return runs[0]!;
};

describe('RunLedger', () => {
  it('opens a running row with the next id when a run starts', () => {
    expect(onlyRun(startedLedger())).toMatchObject({ id: 42, target, service: 'orders', account: 'default', trigger: 'manual', outcome: 'running', startedAt: T, finishedAt: null });
  });

  it('times each phase between the facts that open and close it, without the time spent paused', () => {
    const ledger = startedLedger();
    ledger.record({ type: 'sync.progress', at: T, target, phase: 'downloading', done: 0, total: 1 });
    ledger.record({ type: 'sync.progress', at: T + 100, target, phase: 'parsing', done: 0, total: 0 });
    ledger.record({ type: 'sync.progress', at: T + 300, target, phase: 'applying', done: 500, total: 900 });
    ledger.record({ type: 'sync.progress', at: T + 320, target, phase: 'applying', done: 900, total: 900 });
    ledger.record({ type: 'sync.paused', at: T + 350, target, cause: { kind: 'operator' }, checkpoint: { nextBatch: 1 } });
    expect(onlyRun(ledger)).toMatchObject({ outcome: 'paused', checkpoint: { nextBatch: 1 } });
    ledger.record({ type: 'sync.resumed', at: T + 60_000, target, trigger: 'manual', restored: false });
    ledger.record({ type: 'sync.progress', at: T + 60_000, target, phase: 'applying', done: 900, total: 900 });
    ledger.record({ type: 'sync.progress', at: T + 60_050, target, phase: 'finalizing', done: 0, total: 1 });
    ledger.record({ type: 'sync.completed', at: T + 60_060, target, trigger: 'manual', stats: stats({ parsed: 900, inserted: 900 }) });
    expect(onlyRun(ledger)).toMatchObject({
      outcome: 'completed',
      finishedAt: T + 60_060,
      phases: { downloading: 100, parsing: 200, applying: 100, finalizing: 10 },
      stats: stats({ parsed: 900, inserted: 900 }),
      checkpoint: null,
    });
  });

  it('records the flags the run noted, and the class and message of a failure', () => {
    const ledger = startedLedger();
    ledger.noteFlags(target, ['INCOMPLETE_EXPORT']);
    ledger.record({ type: 'sync.completed', at: T + 5, target, trigger: 'manual', stats: stats() });
    expect(onlyRun(ledger).flags).toEqual(['INCOMPLETE_EXPORT']);

    const failing = startedLedger();
    failing.record({ type: 'sync.failed', at: T + 5, target, trigger: 'manual', class: 'export-invalid', message: 'truncated', retry: 0, retryAt: null });
    expect(onlyRun(failing)).toMatchObject({ outcome: 'failed', finishedAt: T + 5, error: { class: 'export-invalid', message: 'truncated' }, flags: [] });
  });

  it('opens a new row for the immediate session-expired retry', () => {
    const ledger = startedLedger();
    ledger.record({ type: 'sync.failed', at: T + 5, target, trigger: 'manual', class: 'session-expired', message: 'login', retry: 'immediate', retryAt: T + 5 });
    ledger.record({ type: 'sync.started', at: T + 5, target, trigger: 'retry', probe: false });
    expect(ledger.pending().runs.map((r) => [r.id, r.trigger, r.outcome])).toEqual([
      [42, 'manual', 'failed'],
      [43, 'retry', 'running'],
    ]);
  });

  it('appends skips with their service and account', () => {
    const ledger = new RunLedger([], 0);
    ledger.record({ type: 'sync.skipped', at: T, target: 'ddt@anna', trigger: 'chained', reason: 'NO_PARENT_CHANGES', detail: 'd' });
    expect(ledger.pending().skips).toEqual([{ at: T, target: 'ddt@anna', service: 'ddt', account: 'anna', trigger: 'chained', reason: 'NO_PARENT_CHANGES', detail: 'd' }]);
  });

  it('keeps a row pending when it changed after the copy that was written', () => {
    const ledger = startedLedger();
    ledger.record({ type: 'sync.skipped', at: T, target: 'ddt@default', trigger: 'chained', reason: 'COALESCED', detail: 'd' });
    const written = ledger.pending();
    ledger.record({ type: 'sync.progress', at: T + 1, target, phase: 'parsing', done: 0, total: 0 });
    ledger.written(written);
    expect(ledger.pending()).toMatchObject({ runs: [{ id: 42 }], skips: [] });
    ledger.written(ledger.pending());
    expect(ledger.hasPending).toBe(false);
  });

  it('after a restore, keeps rows whose run continues, marks waiting ones paused and cancels the rest', () => {
    const row = (id: number, t: string): RunRecord => ({
      id,
      target: t,
      service: t.split('@')[0] as RunRecord['service'],
      account: 'default',
      trigger: 'manual',
      outcome: 'running',
      startedAt: T,
      finishedAt: null,
      phases: { downloading: 0, parsing: 0, applying: 0, finalizing: 0 },
      stats: null,
      flags: [],
      error: null,
      checkpoint: null,
    });
    const ledger = new RunLedger([row(1, 'orders@default'), row(2, 'customers@default'), row(3, 'products@default')], 3);
    const context = { running: { 'orders@default': {} }, paused: { 'customers@default': {} } } as unknown as OrchestratorContext;
    ledger.settle(context, T + 9);
    expect(ledger.pending().runs.map((r) => [r.target, r.outcome, r.finishedAt])).toEqual([
      ['customers@default', 'paused', null],
      ['products@default', 'cancelled', T + 9],
    ]);
    ledger.record({ type: 'sync.resumed', at: T + 10, target: 'orders@default', trigger: 'manual', restored: true });
    ledger.record({ type: 'sync.started', at: T + 11, target: 'prices@default', trigger: 'manual', probe: false });
    expect(ledger.pending().runs.map((r) => r.id)).toEqual([2, 3, 1, 4]);
  });
});
