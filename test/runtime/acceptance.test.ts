import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../machines/index.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import type { RuntimeEvent, SyncRequestResult } from '../../src/runtime/orchestrator-port.js';
import { noTimers } from '../machines/harness.js';
import { FIXTURE_EXPORTS, dispatchIdle, nextEvent, recordEvents, tempDir, testConfig } from './support.js';

/** Records in each committed fixture export, from its ground truth. */
const FIXTURE_RECORDS = Object.fromEntries(
  (['customers', 'products', 'prices', 'orders', 'ddt', 'invoices'] as const).map((service) => [
    service,
    (JSON.parse(readFileSync(join(FIXTURE_EXPORTS, `${service}.json`), 'utf8')) as { records: unknown[] }).records.length,
  ]),
) as Record<Service, number>;

const CYCLE_MS = 120_000;

/** Highest number of runs in flight at once over a list of events. */
function maxConcurrentRuns(events: RuntimeEvent[]): number {
  let running = 0;
  let max = 0;
  for (const event of events) {
    if (event.type === 'sync.started' || event.type === 'sync.resumed') running++;
    if (event.type === 'sync.completed' || event.type === 'sync.failed' || event.type === 'sync.paused') running--;
    max = Math.max(max, running);
  }
  return max;
}

const started = (events: RuntimeEvent[]) => events.filter((e) => e.type === 'sync.started').map((e) => `${e.target as string} (${e.trigger as string})`);
const entry = (result: SyncRequestResult, target: string) => result.queued.find((q) => q.target === target);

describe('requestAll on the committed fixture exports', () => {
  const dir = tempDir('runtime-acceptance-');
  let runtime: Runtime;
  let first: RuntimeEvent[];
  let firstResult: SyncRequestResult;

  beforeAll(async () => {
    runtime = createRuntime({ config: testConfig(dir.path), schedules: noTimers() });
    first = recordEvents(runtime.orchestrator);
    const idle = nextEvent(runtime.orchestrator, dispatchIdle, CYCLE_MS);
    firstResult = runtime.orchestrator.requestAll();
    await idle;
  }, CYCLE_MS);

  afterAll(async () => {
    await runtime.close();
    dir.remove();
  });

  it('starts orders at once, queues the others by priority, and lets ddt, invoices and prices ride on their parents', () => {
    expect(firstResult.queued).toEqual([
      { target: 'orders@default', position: 0, coalesced: false },
      { target: 'ddt@default', position: 0, coalesced: true },
      { target: 'invoices@default', position: 0, coalesced: true },
      { target: 'customers@default', position: 1, coalesced: false },
      { target: 'products@default', position: 2, coalesced: false },
      { target: 'prices@default', position: 0, coalesced: true },
    ]);
  });

  it('runs exactly one sync at a time, in priority order, ddt and invoices only after orders reported changes', () => {
    expect(maxConcurrentRuns(first)).toBe(1);
    expect(started(first)).toEqual([
      'orders@default (manual)',
      'ddt@default (chained)',
      'invoices@default (chained)',
      'customers@default (manual)',
      'products@default (manual)',
      'prices@default (chained)',
    ]);
    const ordersDone = first.findIndex((e) => e.type === 'sync.completed' && e.target === 'orders@default');
    const ordersStats = first[ordersDone]?.stats as { inserted: number; updated: number };
    expect(ordersStats.inserted + ordersStats.updated).toBeGreaterThan(0);
    expect(first.findIndex((e) => e.type === 'sync.started' && e.target === 'ddt@default')).toBeGreaterThan(ordersDone);
  });

  it('shows non-overlapping completed runs with their stats in the run ledger', () => {
    const runs = runtime.orchestrator.runs().reverse();
    expect(runs.map((run) => [run.target, run.outcome])).toEqual(
      ['orders', 'ddt', 'invoices', 'customers', 'products', 'prices'].map((service) => [`${service}@default`, 'completed']),
    );
    for (const [before, after] of runs.slice(1).map((run, i) => [runs[i]!, run] as const)) {
      expect(Date.parse(before.finishedAt ?? '')).toBeLessThanOrEqual(Date.parse(after.startedAt));
    }
    for (const run of runs) {
      expect(run.stats.parsed).toBe(FIXTURE_RECORDS[run.service]);
      expect(run.stats.inserted).toBe(FIXTURE_RECORDS[run.service]);
      expect(run.stats.footer, 'the footer and its checks, in one line').toMatch(/^footer on file pages? [\d, ]+: .* ok/);
      expect(run.phases.parsing).toBeGreaterThan(0);
      expect(run.error).toBeNull();
    }
  });

  it('on a second cycle over unchanged files reports everything unchanged and skips ddt, invoices and prices (NO_PARENT_CHANGES)', async () => {
    const second = recordEvents(runtime.orchestrator);
    const idle = nextEvent(runtime.orchestrator, dispatchIdle, CYCLE_MS);
    runtime.orchestrator.requestAll();
    await idle;
    expect(started(second)).toEqual(['orders@default (manual)', 'customers@default (manual)', 'products@default (manual)']);
    for (const done of second.filter((e) => e.type === 'sync.completed')) {
      const stats = done.stats as { parsed: number; unchanged: number; inserted: number; updated: number };
      expect({ target: done.target, unchanged: stats.unchanged, changed: stats.inserted + stats.updated }).toEqual({
        target: done.target,
        unchanged: stats.parsed,
        changed: 0,
      });
    }
    const skipped = runtime.orchestrator.skips({ limit: 3 }).map((skip) => [skip.target, skip.reason]);
    expect(skipped.sort()).toEqual([
      ['ddt@default', 'NO_PARENT_CHANGES'],
      ['invoices@default', 'NO_PARENT_CHANGES'],
      ['prices@default', 'NO_PARENT_CHANGES'],
    ]);
  }, CYCLE_MS);

  it('on a forced cycle over unchanged files runs ddt, invoices and prices too', async () => {
    const forced = recordEvents(runtime.orchestrator);
    const idle = nextEvent(runtime.orchestrator, dispatchIdle, CYCLE_MS);
    runtime.orchestrator.requestAll({ force: true });
    await idle;
    expect(started(forced).sort()).toEqual(
      ['customers', 'ddt', 'invoices', 'orders', 'prices', 'products'].map((service) => `${service}@default (manual)`),
    );
    expect(forced.filter((e) => e.type === 'sync.completed')).toHaveLength(6);
  }, CYCLE_MS);
});

describe('a second requestAll while runs are queued', () => {
  it('coalesces into the queued entries (skips COALESCED) and queues one more orders run behind the running one', async () => {
    const dir = tempDir('runtime-coalesce-');
    const runtime = createRuntime({ config: testConfig(dir.path), schedules: noTimers() });
    try {
      runtime.orchestrator.requestAll();
      const again = runtime.orchestrator.requestAll();
      expect(entry(again, 'customers@default')).toEqual({ target: 'customers@default', position: 2, coalesced: true });
      expect(entry(again, 'products@default')).toEqual({ target: 'products@default', position: 3, coalesced: true });
      expect(entry(again, 'orders@default')).toEqual({ target: 'orders@default', position: 1, coalesced: false });
      for (const rider of ['ddt@default', 'invoices@default', 'prices@default']) expect(entry(again, rider)?.coalesced).toBe(true);
      expect(runtime.orchestrator.status().queue.map((q) => [q.target, q.merges])).toEqual([
        ['orders@default', 0],
        ['customers@default', 1],
        ['products@default', 1],
      ]);
      const coalesced = runtime.orchestrator.skips().filter((skip) => skip.reason === 'COALESCED').map((skip) => skip.target);
      expect(coalesced.filter((t) => t === 'customers@default' || t === 'products@default').sort()).toEqual(['customers@default', 'products@default']);
    } finally {
      await runtime.close();
      dir.remove();
    }
  });
});
