import { describe, expect, it } from 'vitest';
import { assign, createActor, setup, type AnyActorRef } from 'xstate';
import { RETRY_JITTER_RATIO } from '../../machines/catalog.js';
import { createRunSyncLogic, type DistributiveOmit, type RunControls, type RunOutcome, type RunSyncInput, type RunSyncLogic } from '../../machines/run-sync.js';
import { syncTargetMachine, type SyncTargetCommand, type SyncTargetReport } from '../../machines/sync-target.machine.js';
import { BOOT, FakeRuns, SECOND, VirtualClock, stats } from './harness.js';

/** A stand-in orchestrator that records the child's reports. */
function childUnderTest(runSync: RunSyncLogic, clock: VirtualClock) {
  const parent = setup({
    types: { context: {} as { reports: SyncTargetReport[] }, events: {} as SyncTargetReport },
    actors: { syncTarget: syncTargetMachine.provide({ actors: { runSync } }) },
    actions: { record: assign({ reports: ({ context, event }) => [...context.reports, event] }) },
  }).createMachine({
    context: { reports: [] },
    invoke: {
      id: 'child',
      src: 'syncTarget',
      input: { target: 'orders@default', service: 'orders', account: 'default', timeScale: 1 },
    },
    on: { '*': { actions: 'record' } },
  });
  const actor = createActor(parent, { clock }).start();
  const child = actor.getSnapshot().children.child as AnyActorRef;
  return {
    send: (command: DistributiveOmit<SyncTargetCommand, 'now'>) => child.send({ now: clock.now(), ...command }),
    state: () => JSON.stringify(child.getSnapshot().value).replaceAll('"', ''),
    context: () => child.getSnapshot().context,
    reports: () => actor.getSnapshot().context.reports,
    types: () => actor.getSnapshot().context.reports.map((report) => report.type),
  };
}

function setupChild() {
  const clock = new VirtualClock(BOOT);
  const runs = new FakeRuns(clock);
  return { clock, runs, ...childUnderTest(runs.logic, clock) };
}

describe('syncTarget', () => {
  it('follows the run through downloading → parsing → applying → finalizing and reports completion', () => {
    const t = setupChild();
    t.send({ type: 'target.start', trigger: 'manual', jitter: 0.5 });
    expect(t.state()).toBe('{running:downloading}');
    const run = t.runs.live('orders@default');
    expect(run.input).toEqual({ target: 'orders@default', service: 'orders', account: 'default', trigger: 'manual', attempt: 1, resumeFrom: null });
    for (const phase of ['parsing', 'applying', 'finalizing'] as const) {
      run.progress(phase, 1, 2);
      expect(t.state()).toBe(`{running:${phase}}`);
    }
    run.complete({ inserted: 3 });
    expect(t.state()).toBe('idle');
    expect(t.reports().at(-1)).toEqual({ type: 'target.completed', target: 'orders@default', stats: stats({ inserted: 3 }), now: BOOT });
  });

  it('asks the run to pause, keeps its checkpoint while paused, and resumes from it', () => {
    const t = setupChild();
    t.send({ type: 'target.start', trigger: 'schedule', jitter: 0.5 });
    const run = t.runs.live('orders@default');
    run.progress('applying', 1, 4).checkpoint({ file: 'a.pdf', batch: 1 });
    t.send({ type: 'target.pause' });
    expect(t.state()).toBe('{running:pausing}');
    expect(run.pauseRequested).toBe(true);
    run.progress('applying', 2, 4);
    expect(t.state()).toBe('{running:pausing}');
    run.pause({ file: 'a.pdf', batch: 2 });
    expect(t.state()).toBe('paused');
    expect(t.reports().at(-1)).toMatchObject({ type: 'target.paused', checkpoint: { file: 'a.pdf', batch: 2 } });
    t.send({ type: 'target.resume', jitter: 0.5 });
    expect(t.runs.live('orders@default').input).toMatchObject({ resumeFrom: { file: 'a.pdf', batch: 2 }, trigger: 'schedule' });
  });

  it('keeps the last reported checkpoint when the run pauses without one', () => {
    const t = setupChild();
    t.send({ type: 'target.start', trigger: 'manual', jitter: 0.5 });
    t.runs.live('orders@default').checkpoint({ batch: 7 }).pause(null);
    expect(t.context().checkpoint).toEqual({ batch: 7 });
  });

  it('on restore re-invokes a running run from its latest checkpoint, and stops a pausing one as paused', () => {
    const t = setupChild();
    t.send({ type: 'target.start', trigger: 'manual', jitter: 0.5 });
    const first = t.runs.live('orders@default');
    first.checkpoint({ batch: 3 });
    t.send({ type: 'target.restore' });
    expect(first.stopped).toBe(true);
    expect(t.runs.live('orders@default').input.resumeFrom).toEqual({ batch: 3 });
    t.send({ type: 'target.pause' });
    t.send({ type: 'target.restore' });
    expect(t.state()).toBe('paused');
    expect(t.types().at(-1)).toBe('target.paused');
  });

  it('retries session-expired once at once (same account, fresh run from the checkpoint), then backs off', () => {
    const t = setupChild();
    t.send({ type: 'target.start', trigger: 'manual', jitter: 0.5 });
    t.runs.live('orders@default').checkpoint({ batch: 1 }).fail('session-expired');
    expect(t.state()).toBe('{running:downloading}');
    expect(t.types().at(-1)).toBe('target.restarted');
    expect(t.runs.live('orders@default').input).toMatchObject({ trigger: 'retry', resumeFrom: { batch: 1 } });
    t.runs.live('orders@default').fail('session-expired');
    expect(t.state()).toBe('retrying');
    expect(t.reports().at(-1)).toMatchObject({ type: 'target.failed', class: 'session-expired', retry: 1, retryAt: BOOT + 5 * SECOND });
  });

  it('backs off erp-unreachable 5 s, 10 s, 20 s (with the jitter it was given), then fails for good', () => {
    const t = setupChild();
    const delays: number[] = [];
    t.send({ type: 'target.start', trigger: 'manual', jitter: 0 });
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      expect(t.runs.live('orders@default').input.attempt).toBe(attempt);
      t.runs.live('orders@default').fail('erp-unreachable');
      const report = t.reports().at(-1);
      if (report?.type !== 'target.failed') throw new Error('expected a failure report');
      if (report.retryAt === null) break;
      delays.push(report.retryAt - t.clock.now());
      t.clock.advanceTo(report.retryAt);
      t.send({ type: 'target.start', trigger: 'retry', jitter: 0 });
    }
    expect(delays).toEqual([5, 10, 20].map((s) => s * SECOND * (1 - RETRY_JITTER_RATIO)));
    expect(t.state()).toBe('failed');
    expect(t.reports().at(-1)).toMatchObject({ type: 'target.failed', retry: 0, retryAt: null });
  });

  it('fails export-invalid at once, without retry, and starts fresh on the next request', () => {
    const t = setupChild();
    t.send({ type: 'target.start', trigger: 'manual', jitter: 0.5 });
    t.runs.live('orders@default').checkpoint({ batch: 2 }).fail('export-invalid', 'missing column');
    expect(t.state()).toBe('failed');
    expect(t.reports().at(-1)).toMatchObject({ type: 'target.failed', class: 'export-invalid', message: 'missing column', retryAt: null });
    t.send({ type: 'target.start', trigger: 'manual', jitter: 0.5 });
    expect(t.runs.live('orders@default').input).toMatchObject({ attempt: 1, resumeFrom: null });
  });

  it('ignores a second pause request while pausing', () => {
    const t = setupChild();
    t.send({ type: 'target.start', trigger: 'manual', jitter: 0.5 });
    t.send({ type: 'target.pause' });
    t.send({ type: 'target.pause' });
    expect(t.state()).toBe('{running:pausing}');
  });
});

describe('createRunSyncLogic (promise-style runs)', () => {
  function deferred() {
    let resolve!: (outcome: RunOutcome) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<RunOutcome>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }

  function adapterChild() {
    const clock = new VirtualClock(BOOT);
    const calls: Array<{ input: RunSyncInput; controls: RunControls; outcome: ReturnType<typeof deferred> }> = [];
    const logic = createRunSyncLogic((input, controls) => {
      const outcome = deferred();
      calls.push({ input, controls, outcome });
      return outcome.promise;
    }, clock);
    return { clock, calls, ...childUnderTest(logic, clock) };
  }

  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('reports progress and the resolved outcome stamped with the runtime clock', async () => {
    const t = adapterChild();
    t.send({ type: 'target.start', trigger: 'manual', jitter: 0.5 });
    await settle();
    const call = t.calls[0];
    if (call === undefined) throw new Error('run not started');
    t.clock.advanceTo(BOOT + 3 * SECOND);
    call.controls.progress('applying', 5, 10);
    expect(t.state()).toBe('{running:applying}');
    call.outcome.resolve({ outcome: 'completed', stats: stats({ updated: 1 }) });
    await settle();
    expect(t.reports().at(-1)).toMatchObject({ type: 'target.completed', now: BOOT + 3 * SECOND });
  });

  it('forwards a pause request to the run and turns a rejection into a classified failure', async () => {
    const t = adapterChild();
    t.send({ type: 'target.start', trigger: 'manual', jitter: 0.5 });
    await settle();
    const call = t.calls[0];
    if (call === undefined) throw new Error('run not started');
    let notified = 0;
    call.controls.onPauseRequested(() => (notified += 1));
    t.send({ type: 'target.pause' });
    expect(call.controls.pauseRequested).toBe(true);
    expect(notified).toBe(1);
    call.outcome.reject(Object.assign(new Error('layout changed'), { class: 'export-invalid' }));
    await settle();
    expect(t.state()).toBe('failed');
    expect(t.reports().at(-1)).toMatchObject({ type: 'target.failed', class: 'export-invalid', message: 'layout changed' });
  });

  it('aborts the signal when the machine abandons the run, and never starts a run stopped before it began', async () => {
    const t = adapterChild();
    t.send({ type: 'target.start', trigger: 'manual', jitter: 0.5 });
    t.send({ type: 'target.restore' });
    await settle();
    expect(t.calls).toHaveLength(1);
    const call = t.calls[0];
    if (call === undefined) throw new Error('run not started');
    t.send({ type: 'target.restore' });
    expect(call.controls.signal.aborted).toBe(true);
  });
});
