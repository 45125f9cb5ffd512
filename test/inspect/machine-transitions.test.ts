import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import type { RuntimeEvent } from '../../src/runtime/orchestrator-port.js';
import { leafPaths } from '../../src/runtime/machine-transitions.js';
import { dispatchIdle, nextEvent, tempDir, testConfig } from '../runtime/support.js';

const MINUTE = 60_000;

interface Transition extends RuntimeEvent {
  actor: string;
  event: string;
  subject: string | null;
  from: string[];
  to: string[];
  steps: { guard: string | null; source: string; targets: string[]; eventless: boolean }[];
  reasons: string[];
}

describe('the machines’ transitions, as the inspector receives them', () => {
  const data = tempDir('transitions-');
  let orchestrator: Runtime;
  afterAll(async () => {
    await orchestrator?.close();
    data.remove();
  });

  it('names every state change of the root and of a target of a real sync, with the guards and reasons that decided', async () => {
    // The committed fixture exports; nothing is due within the test (orders at +10 min, the rest later).
    orchestrator = createRuntime({ config: testConfig(data.path), schedules: { orders: { offsetMs: 10 * MINUTE } } });
    const { orchestrator: runtime } = orchestrator;
    const transitions: Transition[] = [];
    const facts: RuntimeEvent[] = [];
    runtime.subscribe((event) => void (event.type === 'machine.transition' ? transitions.push(event as Transition) : facts.push(event)), { transitions: true });
    const done = nextEvent(runtime, dispatchIdle, 60_000);
    runtime.request('orders');
    await done;

    expect(facts.some((f) => f.type === 'machine.transition')).toBe(false);
    const of = (actor: string) => transitions.filter((t) => t.actor === actor);
    // The root: idle → running on the request (canStartWork started it), back to idle when the chain is done.
    const started = of('orchestrator').find((t) => t.event === 'sync.request');
    expect(started).toMatchObject({ subject: 'orders', from: expect.arrayContaining(['dispatch.idle']), to: expect.arrayContaining(['dispatch.running', 'clock.waiting', 'erp.closed']) });
    expect(started?.steps.map((s) => s.guard)).toEqual(expect.arrayContaining(['canStartWork', 'runsUnheld']));
    expect(started?.reasons).toContain('manual');
    // Orders inserted rows: the chain rule queued DDT and invoices, and says why.
    const chained = of('orchestrator').find((t) => t.event === 'target.completed' && t.subject === 'orders@default');
    expect(chained?.steps.map((s) => s.guard)).toContain('changedChainParent');
    expect(chained?.reasons).toContain('chained');
    expect(of('orchestrator').at(-1)?.to).toContain('dispatch.idle');
    // The target: each phase in order, then idle again.
    const orders = of('target:orders@default').map((t) => `${t.event}: ${t.from.join()} → ${t.to.join()}`);
    expect(orders).toEqual([
      'target.start: idle → running.downloading',
      'run.progress: running.downloading → running.parsing',
      'run.progress: running.parsing → running.applying',
      'run.progress: running.applying → running.finalizing',
      'run.completed: running.finalizing → idle',
    ]);
    expect(of('target:orders@default')[1]?.steps[0]).toEqual({ guard: 'reportsPhase(parsing)', source: 'running', targets: ['running.parsing'], eventless: false });
    expect(of('target:ddt@default').length).toBeGreaterThan(0);
    expect(transitions.every((t) => /^\d{4}-\d\d-\d\dT/.test(t.at))).toBe(true);
  });

  it('reads the active states of nested and parallel state values', () => {
    expect(leafPaths({ dispatch: { paused: 'draining' }, clock: 'waiting', erp: 'closed' })).toEqual(['dispatch.paused.draining', 'clock.waiting', 'erp.closed']);
    expect(leafPaths('idle')).toEqual(['idle']);
  });
});
