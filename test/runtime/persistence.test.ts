import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MACHINE_VERSION } from '../../machines/index.js';
import { openOrchestratorDb } from '../../src/stores/orchestrator-db.js';
import { PROGRESS_WRITE_EVERY, SNAPSHOT_WRITE_INTERVAL_MS } from '../../src/runtime/persistence.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { BOOT, SECOND, VirtualClock, noTimers } from '../machines/harness.js';
import { ScriptedSource, tempDir, testConfig } from './support.js';

/** The persistence loop's timer is faked (vitest); the actor runs on a `VirtualClock`. */

let dir: ReturnType<typeof tempDir>;
let clock: VirtualClock;
let orchestrator: Runtime;
let source: ScriptedSource;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  dir = tempDir('runtime-persistence-');
  clock = new VirtualClock(BOOT);
  source = new ScriptedSource();
  orchestrator = createRuntime({ config: testConfig(dir.path), clock, source, schedules: noTimers() });
});

afterEach(async () => {
  vi.useRealTimers();
  await orchestrator.close();
  dir.remove();
});

function saved() {
  const store = openOrchestratorDb(dir.path);
  try {
    return store.loadEnvelope();
  } finally {
    store.close();
  }
}

/** Turns of the event loop (not faked) until `done`, bounded. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(done()).toBe(true);
}

const runningDone = () => (saved()?.snapshot as { context: { running: Record<string, { done: number }> } }).context.running['orders@default']?.done;

const operatorPause = () => (saved()?.snapshot as { context: { operatorPause: { reason: string } | null } }).context.operatorPause;

describe('the snapshot persistence loop', () => {
  it('writes a versioned envelope as soon as the orchestrator starts', () => {
    expect(saved()).toMatchObject({ machineVersion: MACHINE_VERSION, savedAt: BOOT, snapshot: { status: 'active', value: { dispatch: 'idle' } } });
    expect(orchestrator.persistence.stats).toMatchObject({ writes: 1, failures: 0 });
    expect(orchestrator.persistence.stats.lastEnvelopeBytes).toBeGreaterThan(1_000);
  });

  it('coalesces a burst of state changes into one write after the interval', () => {
    // Sent to the actor directly, as run events are: only acknowledged commands write at once.
    const { actor, persistence } = orchestrator;
    clock.advanceBy(SECOND);
    for (let i = 0; i < 50; i++) {
      actor.send({ type: 'orchestrator.pause', reason: `burst ${i}`, now: BOOT + SECOND });
      actor.send({ type: 'orchestrator.resume', now: BOOT + SECOND });
    }
    actor.send({ type: 'orchestrator.pause', reason: 'last', now: BOOT + SECOND });
    expect(persistence.stats.writes).toBe(1);
    vi.advanceTimersByTime(SNAPSHOT_WRITE_INTERVAL_MS - 1);
    expect(persistence.stats.writes).toBe(1);
    vi.advanceTimersByTime(1);
    expect(persistence.stats.writes).toBe(2);
    expect(operatorPause()).toMatchObject({ reason: 'last' });
    expect(saved()?.savedAt).toBe(BOOT + SECOND);
  });

  it('writes a change of progress alone on every PROGRESS_WRITE_EVERY-th interval only, and any other change on the next one', async () => {
    const { actor, persistence } = orchestrator;
    source.mode = { kind: 'hold' };
    orchestrator.orchestrator.request('orders');
    await until(() => source.held === 1);
    persistence.flush();
    const writes = persistence.stats.writes;
    const target = actor.system.get('target:orders@default')!;
    // What the run reports while its export trickles in, ten times a second.
    const report = (done: number) => target.send({ type: 'run.progress', phase: 'downloading', done, total: 100, now: BOOT });
    for (let done = 1; done < PROGRESS_WRITE_EVERY; done++) {
      report(done);
      vi.advanceTimersByTime(SNAPSHOT_WRITE_INTERVAL_MS);
    }
    expect(persistence.stats.writes).toBe(writes);
    expect(persistence.stats.deferred).toBe(PROGRESS_WRITE_EVERY - 1);
    report(PROGRESS_WRITE_EVERY);
    vi.advanceTimersByTime(SNAPSHOT_WRITE_INTERVAL_MS);
    expect(persistence.stats.writes).toBe(writes + 1);
    expect(runningDone()).toBe(PROGRESS_WRITE_EVERY);

    report(PROGRESS_WRITE_EVERY + 1);
    actor.send({ type: 'orchestrator.pause', reason: 'not progress', now: BOOT });
    vi.advanceTimersByTime(SNAPSHOT_WRITE_INTERVAL_MS);
    expect(persistence.stats.writes).toBe(writes + 2);
    expect(operatorPause()).toMatchObject({ reason: 'not progress' });
    expect(runningDone()).toBe(PROGRESS_WRITE_EVERY + 1);
    source.release();
  });

  it('writes the state of an acknowledged command before the command returns', () => {
    const { orchestrator: runtime, persistence } = orchestrator;
    clock.advanceBy(SECOND);
    runtime.pause('operator');
    expect(persistence.stats.writes).toBe(2);
    expect(operatorPause()).toMatchObject({ reason: 'operator' });
    runtime.resume();
    expect(persistence.stats.writes).toBe(3);
    expect(operatorPause()).toBeNull();
  });

  it('writes nothing when nothing changed', () => {
    orchestrator.persistence.flush();
    vi.advanceTimersByTime(10 * SNAPSHOT_WRITE_INTERVAL_MS);
    expect(orchestrator.persistence.stats.writes).toBe(1);
  });

  it('never replaces the last live snapshot with the one of a stopped actor', () => {
    orchestrator.orchestrator.pause('before the crash');
    orchestrator.persistence.flush();
    orchestrator.actor.stop();
    orchestrator.persistence.flush();
    vi.advanceTimersByTime(10 * SNAPSHOT_WRITE_INTERVAL_MS);
    expect(saved()?.snapshot).toMatchObject({ status: 'active', context: { operatorPause: { reason: 'before the crash' } } });
  });

  it('tells whether the latest state is on disk after a flush: not once the loop stopped listening', () => {
    const { actor, persistence } = orchestrator;
    actor.send({ type: 'orchestrator.pause', reason: 'pending', now: BOOT });
    expect(persistence.flush()).toBe(true);
    expect(persistence.flush()).toBe(true);
    persistence.stop();
    expect(persistence.flush()).toBe(false);
  });
});
