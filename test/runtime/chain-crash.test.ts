import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { openRecordStore } from '../../src/stores/sqlite-record-store.js';
import { applyExport } from '../../src/sync/apply-export.js';
import { noTimers } from '../machines/harness.js';
import { FIXTURE_EXPORTS, ScriptedSource, crash, dispatchIdle, nextEvent, recordEvents, tempDir, testConfig } from './support.js';

/**
 * The crash window of chained syncs: a run's rows are committed batch by batch, the orchestrator's record
 * of its completion (and of the ddt and invoices runs it queues) only with the next snapshot write. A
 * kill in between used to lose the fact that orders changed: the re-run found every row stored and
 * skipped ddt and invoices (NO_PARENT_CHANGES). The change mark committed with the rows keeps it.
 */

const CYCLE_MS = 120_000;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function boot(dataDir: string, source: ScriptedSource): Runtime {
  const started = createRuntime({ config: testConfig(dataDir), source, schedules: noTimers() });
  cleanup.push(() => started.close());
  return started;
}

const hasMark = (dataDir: string): boolean => {
  const store = openRecordStore(dataDir, 'orders');
  try {
    return store.hasUnacknowledgedChanges('orders', 'default');
  } finally {
    store.close();
  }
};

describe('a kill after the orders rows were committed, before the completion was written', () => {
  it('runs ddt and invoices after the restored orders re-run, which finds every row stored; then acknowledges the changes', async () => {
    const dir = tempDir('runtime-chain-crash-');
    cleanup.push(() => dir.remove());
    const source = new ScriptedSource();
    source.mode = { kind: 'hold' };
    const first = boot(dir.path, source);
    first.orchestrator.request('orders');
    while (source.held === 0) await settle();
    // The last snapshot on disk shows orders running; then the run commits its rows (what its batches
    // do) and the process dies before any later snapshot is written.
    crash(first);
    const committed = await applyExport(join(FIXTURE_EXPORTS, 'orders.pdf'), {
      type: 'orders',
      account: 'default',
      openStore: (database) => openRecordStore(dir.path, database),
    });
    expect(committed.stats.inserted).toBeGreaterThan(0);

    source.mode = { kind: 'pass' };
    const second = boot(dir.path, source);
    const events = recordEvents(second.orchestrator);
    await nextEvent(second.orchestrator, dispatchIdle, CYCLE_MS);

    const orders = events.find((e) => e.type === 'sync.completed' && e.target === 'orders@default');
    expect(orders?.stats).toMatchObject({ inserted: 0, updated: 0, carriedChanges: true });
    const chained = events.filter((e) => e.type === 'sync.completed' && e.trigger === 'chained').map((e) => e.target);
    expect(chained).toEqual(['ddt@default', 'invoices@default']);
    expect(second.orchestrator.skips().filter((skip) => skip.reason === 'NO_PARENT_CHANGES')).toEqual([]);
    // The completion is on disk, so the changes are acknowledged…
    await settle();
    expect(hasMark(dir.path)).toBe(false);

    // …and the next orders run over the same file changes nothing and chains nothing.
    const idle = nextEvent(second.orchestrator, dispatchIdle, CYCLE_MS);
    second.orchestrator.request('orders');
    await idle;
    expect(second.orchestrator.skips({ limit: 2 }).map((skip) => [skip.target, skip.reason]).sort()).toEqual([
      ['ddt@default', 'NO_PARENT_CHANGES'],
      ['invoices@default', 'NO_PARENT_CHANGES'],
    ]);
  }, CYCLE_MS);
});
