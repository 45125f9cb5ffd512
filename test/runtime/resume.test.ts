import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrchestratorDb } from '../../src/stores/orchestrator-db.js';
import { openRecordStore } from '../../src/stores/sqlite-record-store.js';
import { tableChecksum } from '../../src/stores/table-checksum.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import type { RuntimeEvent } from '../../src/runtime/orchestrator-port.js';
import { noTimers } from '../machines/harness.js';
import { LARGE_ORDERS, fact, nextEvent, recordEvents, tempDir, testConfig, writeLargeOrders } from './support.js';

/**
 * A run interrupted in its apply phase, by a crash or by a graceful shutdown, continues on the next start
 * from its checkpoint, and the databases end identical to those of an uninterrupted run. Every runtime
 * here reads the same fixed wall clock: the rows' timestamps come from it, and the comparison is exact.
 */

const NOW = Date.parse('2026-01-21T07:00:00.000Z');
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RUNNER = fileURLToPath(new URL('./crash-runner.ts', import.meta.url));
const RUN_MS = 90_000;

const exports = tempDir('runtime-resume-exports-');
const dirs: Array<{ remove: () => void }> = [exports];
let reference: string;

beforeAll(async () => {
  await writeLargeOrders(exports.path);
  const dir = newDataDir();
  const runtime = start(dir);
  const completed = nextEvent(runtime.orchestrator, fact('sync.completed', 'orders@default'));
  runtime.orchestrator.request('orders');
  await completed;
  await runtime.close();
  reference = ordersChecksum(dir);
}, RUN_MS);

afterAll(() => {
  for (const dir of dirs) dir.remove();
});

function newDataDir(): string {
  const dir = tempDir('runtime-resume-');
  dirs.push(dir);
  return dir.path;
}

function start(dataDir: string): Runtime {
  return createRuntime({ config: testConfig(dataDir, exports.path), now: () => NOW, schedules: noTimers() });
}

function ordersChecksum(dataDir: string): string {
  const store = openRecordStore(dataDir, 'orders');
  try {
    return tableChecksum(store.db, 'orders');
  } finally {
    store.close();
  }
}

/** Restarts on `dataDir`, waits for the interrupted orders run to complete; returns its events. */
async function resumeToCompletion(dataDir: string): Promise<{ events: RuntimeEvent[]; runtime: Runtime }> {
  const runtime = start(dataDir);
  const events = recordEvents(runtime.orchestrator);
  await nextEvent(runtime.orchestrator, fact('sync.completed', 'orders@default'), RUN_MS);
  await runtime.close();
  return { events, runtime };
}

const firstApplied = (events: RuntimeEvent[]) => events.find((e) => e.type === 'sync.progress' && e.phase === 'applying')?.done;

describe('a run interrupted while applying', () => {
  it('re-runs from its checkpoint after the process was killed, and the database ends equal to an uninterrupted run', async () => {
    const dataDir = newDataDir();
    const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, dataDir, exports.path, String(NOW), '500', '1000'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect({ signal, output }).toEqual({ signal: 'SIGKILL', output: 'flushed at 500\nkilled at 1000\n' });

    const { events, runtime } = await resumeToCompletion(dataDir);

    expect(runtime.restoredFrom).toBe(NOW);
    // The snapshot's checkpoint was after batch 1 of 3: batch 2, committed before the kill, is applied
    // again (writing nothing), so the first progress after the restart is 1,000 records, not 500.
    expect(firstApplied(events)).toBe(1_000);
    expect(ordersChecksum(dataDir)).toBe(reference);
    const store = openOrchestratorDb(dataDir);
    try {
      expect(store.runs({ service: 'orders' }).map((run) => [run.id, run.outcome, run.stats?.parsed])).toEqual([[1, 'completed', LARGE_ORDERS]]);
    } finally {
      store.close();
    }
  }, RUN_MS);

  it('pauses at a checkpoint on a graceful close, writes the final snapshot, and resumes on the next start', async () => {
    const dataDir = newDataDir();
    const first = start(dataDir);
    const applying = nextEvent(first.orchestrator, (e) => fact('sync.progress', 'orders@default')(e) && e.phase === 'applying');
    first.orchestrator.request('orders');
    expect(await applying).toMatchObject({ done: 500 });
    await first.close();

    const store = openOrchestratorDb(dataDir);
    try {
      const context = (store.loadEnvelope()?.snapshot as { context: { paused: Record<string, unknown>; operatorPause: unknown } }).context;
      expect(context.paused['orders@default']).toMatchObject({ cause: { kind: 'operator' } });
      expect(context.operatorPause).toMatchObject({ reason: 'shutdown', transient: true });
      expect(store.runs()).toMatchObject([{ id: 1, outcome: 'paused' }]);
    } finally {
      store.close();
    }

    const { events } = await resumeToCompletion(dataDir);
    expect(events.find((e) => e.type === 'sync.progress' && e.phase === 'applying')?.done).toBe(1_000);
    expect(ordersChecksum(dataDir)).toBe(reference);
  }, RUN_MS);
});
