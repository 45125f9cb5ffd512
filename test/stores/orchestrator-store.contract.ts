import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrchestratorStore, RunRecord, SkipRecord } from '../../src/stores/orchestrator-store.js';

/** Opens a fresh, empty store; `reopen` opens the same storage again (a restart); `dispose` removes it. */
export type OpenOrchestratorStore = () => { store: OrchestratorStore; reopen: () => OrchestratorStore; dispose: () => void };

const T0 = Date.UTC(2026, 0, 20, 8, 0, 0);

function run(id: number, partial: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    target: 'orders@default',
    service: 'orders',
    account: 'default',
    trigger: 'manual',
    outcome: 'running',
    startedAt: T0 + id * 1_000,
    finishedAt: null,
    phases: { downloading: 0, parsing: 0, applying: 0, finalizing: 0 },
    stats: null,
    flags: [],
    error: null,
    checkpoint: null,
    ...partial,
  };
}

function skip(at: number, partial: Partial<SkipRecord> = {}): SkipRecord {
  return { at, target: 'ddt@default', service: 'ddt', account: 'default', trigger: 'chained', reason: 'NO_PARENT_CHANGES', detail: 'd', ...partial };
}

const STATS = { parsed: 10, inserted: 4, updated: 1, unchanged: 5, deleted: 0, orphans: 0, unlinked: 0 };

/** The behaviour every `OrchestratorStore` adapter must show. */
export function orchestratorStoreContract(adapter: string, open: OpenOrchestratorStore): void {
  describe(`OrchestratorStore contract: ${adapter}`, () => {
    let opened: ReturnType<OpenOrchestratorStore>;
    let store: OrchestratorStore;
    beforeEach(() => {
      opened = open();
      store = opened.store;
    });
    afterEach(() => {
      store.close();
      opened.dispose();
    });
    const restart = (): OrchestratorStore => {
      store.close();
      store = opened.reopen();
      return store;
    };

    it('has no snapshot before the first save, and keeps only the latest one', () => {
      expect(store.loadEnvelope()).toBeNull();
      store.write({ envelope: { machineVersion: 1, savedAt: T0, snapshot: { value: 'a' } } });
      store.write({ envelope: { machineVersion: 1, savedAt: T0 + 1, snapshot: { value: 'b', nested: [1, null] } } });
      expect(restart().loadEnvelope()).toEqual({ machineVersion: 1, savedAt: T0 + 1, snapshot: { value: 'b', nested: [1, null] } });
    });

    it('returns an envelope of another machine version as saved, for the reader to refuse', () => {
      store.write({ envelope: { machineVersion: 99, savedAt: T0, snapshot: {} } });
      expect(restart().loadEnvelope()?.machineVersion).toBe(99);
    });

    it('upserts a run by id as it progresses, and returns it as written', () => {
      store.write({ runs: [run(1)] });
      const finished = run(1, {
        outcome: 'completed',
        finishedAt: T0 + 9_000,
        phases: { downloading: 10, parsing: 20, applying: 30, finalizing: 40 },
        stats: STATS,
        flags: ['INCOMPLETE_EXPORT'],
      });
      store.write({ runs: [finished] });
      expect(restart().runs()).toEqual([finished]);
    });

    it('keeps the error and the checkpoint of a run', () => {
      const failed = run(1, { outcome: 'failed', finishedAt: T0 + 5, error: { class: 'export-invalid', message: 'truncated' } });
      const paused = run(2, { outcome: 'paused', checkpoint: { file: 'f.pdf', nextBatch: 3 } });
      store.write({ runs: [failed, paused] });
      expect(store.runs()).toEqual([paused, failed]);
    });

    it('lists runs and skips newest first, filtered by service and account, within the limit', () => {
      store.write({
        runs: [
          run(1),
          run(2, { target: 'orders@anna', account: 'anna' }),
          run(3, { target: 'products@default', service: 'products' }),
          run(4),
        ],
        skips: [skip(T0 + 1), skip(T0 + 2, { target: 'ddt@anna', account: 'anna' }), skip(T0 + 3, { target: 'prices@default', service: 'prices' })],
      });
      expect(store.runs().map((r) => r.id)).toEqual([4, 3, 2, 1]);
      expect(store.runs({ service: 'orders' }).map((r) => r.id)).toEqual([4, 2, 1]);
      expect(store.runs({ service: 'orders', account: 'default' }).map((r) => r.id)).toEqual([4, 1]);
      expect(store.runs({ limit: 2 }).map((r) => r.id)).toEqual([4, 3]);
      expect(store.skips().map((s) => s.at)).toEqual([T0 + 3, T0 + 2, T0 + 1]);
      expect(store.skips({ account: 'anna' })).toEqual([skip(T0 + 2, { target: 'ddt@anna', account: 'anna' })]);
    });

    it('writes the snapshot and the ledger rows of one transaction together', () => {
      store.write({ envelope: { machineVersion: 1, savedAt: T0, snapshot: 's' }, runs: [run(1)], skips: [skip(T0)] });
      const reopened = restart();
      expect([reopened.loadEnvelope()?.snapshot, reopened.runs().length, reopened.skips().length]).toEqual(['s', 1, 1]);
    });

    it('finds the runs a process left running or paused, and the last run id', () => {
      store.write({ runs: [run(1, { outcome: 'completed', finishedAt: T0 }), run(2, { outcome: 'paused' }), run(3), run(4, { outcome: 'cancelled' })] });
      expect(store.unfinishedRuns().map((r) => [r.id, r.outcome])).toEqual([
        [2, 'paused'],
        [3, 'running'],
      ]);
      expect(store.lastRunId()).toBe(4);
    });

    it('starts run ids at 1', () => {
      expect(store.lastRunId()).toBe(0);
    });

    it('tells when each target last completed', () => {
      store.write({
        runs: [
          run(1, { outcome: 'completed', finishedAt: T0 + 10 }),
          run(2, { outcome: 'completed', finishedAt: T0 + 20 }),
          run(3, { outcome: 'failed', finishedAt: T0 + 30, error: { class: 'store-error', message: 'disk' } }),
          run(4, { target: 'customers@default', service: 'customers', outcome: 'completed', finishedAt: T0 + 5 }),
        ],
      });
      expect(store.lastCompletedAt()).toEqual({ 'orders@default': T0 + 20, 'customers@default': T0 + 5 });
    });

    it('replaces a schedule override per service and keeps it across restarts', () => {
      store.saveScheduleOverride({ service: 'orders', intervalMs: 600_000, offsetMs: 0, enabled: true, missed: 'once' });
      store.saveScheduleOverride({ service: 'orders', intervalMs: 900_000, offsetMs: 60_000, enabled: false, missed: 'skip' });
      store.saveScheduleOverride({ service: 'ddt', intervalMs: null, offsetMs: 0, enabled: true, missed: 'once' });
      expect(restart().scheduleOverrides()).toEqual([
        { service: 'ddt', intervalMs: null, offsetMs: 0, enabled: true, missed: 'once' },
        { service: 'orders', intervalMs: 900_000, offsetMs: 60_000, enabled: false, missed: 'skip' },
      ]);
    });
  });
}
