import { describe, expect, it } from 'vitest';
import { DEFAULT_RESOURCE_LIMITS, RESOURCE_HYSTERESIS, RESOURCE_RECOVERY_SAMPLES } from '../../machines/catalog.js';
import { selectStatus, selectWhy } from '../../machines/orchestrator.machine.js';
import { isCalm, worstBreach } from '../../machines/resource-guard.js';
import type { ResourceReadings } from '../../machines/types.js';
import { OrchestratorHarness, SECOND } from './harness.js';

const THREE_AGENTS = { service: 'svc', agents: ['anna', 'bruno', 'carla'] };
const LIMITS = DEFAULT_RESOURCE_LIMITS;
/** Readings well inside every limit. */
const QUIET: ResourceReadings = { eventLoopDelay: 12, rss: 400, chromiumRss: 600 };
/** Calm enough to recover: below limit × hysteresis. */
const CALM_RSS = LIMITS.rss * RESOURCE_HYSTERESIS - 50;
/** Below the limit but inside the hysteresis band: neither a breach nor calm. */
const BAND_RSS = LIMITS.rss * RESOURCE_HYSTERESIS + 50;
const OVER_RSS = LIMITS.rss + 164;

/** One sample window later, the runtime's measurement arrives. */
function sample(h: OrchestratorHarness, readings: Partial<ResourceReadings>): OrchestratorHarness {
  h.advanceBy(5 * SECOND);
  return h.send({ type: 'resources.sampled', readings: { ...QUIET, ...readings } });
}

function guardOf(h: OrchestratorHarness) {
  return selectStatus(h.actor.getSnapshot()).resourceGuard;
}

function whyCodes(h: OrchestratorHarness, service: string, account: string) {
  const why = selectWhy(h.actor.getSnapshot(), service).find((w) => w.target === `${service}@${account}`);
  return why?.reasons ?? [];
}

/** Three orders runs in flight (one per agent) and three customers entries queued behind them. */
function busyHarness(): OrchestratorHarness {
  const h = new OrchestratorHarness({ accounts: THREE_AGENTS, concurrency: 3 });
  h.request('orders').request('customers');
  expect(h.runs.liveTargets()).toEqual(['orders@anna', 'orders@bruno', 'orders@carla']);
  return h;
}

describe('resource guard decisions', () => {
  it('names the reading furthest over its limit, by ratio', () => {
    expect(worstBreach(LIMITS, QUIET)).toBeNull();
    expect(worstBreach(LIMITS, { ...QUIET, rss: LIMITS.rss * 1.1, eventLoopDelay: LIMITS.eventLoopDelay * 2 })).toEqual({
      metric: 'eventLoopDelay',
      value: LIMITS.eventLoopDelay * 2,
      limit: LIMITS.eventLoopDelay,
    });
    // At the limit is not over it.
    expect(worstBreach(LIMITS, { ...QUIET, chromiumRss: LIMITS.chromiumRss })).toBeNull();
  });

  it('is calm only with every reading below its limit × the hysteresis', () => {
    expect(isCalm(LIMITS, QUIET)).toBe(true);
    expect(isCalm(LIMITS, { ...QUIET, rss: BAND_RSS })).toBe(false);
    expect(isCalm(LIMITS, { ...QUIET, chromiumRss: LIMITS.chromiumRss * RESOURCE_HYSTERESIS })).toBe(false);
  });
});

describe('resource guard in the orchestrator', () => {
  it('steps the concurrency down 3 → 2 → 1 per sample over a limit, then holds new starts with RESOURCE_GUARD, never stopping running runs', () => {
    const h = busyHarness();
    expect(guardOf(h)).toMatchObject({ effectiveConcurrency: 3, held: false, reason: null });

    sample(h, { rss: OVER_RSS });
    expect(guardOf(h)).toMatchObject({ effectiveConcurrency: 2, held: false, reason: `RESOURCE_GUARD(rss, ${OVER_RSS} MB)` });
    h.runs.live('orders@anna').complete();
    // Two still run, and two is the cap now: customers@anna waits although its account is free.
    expect(h.runs.liveTargets()).toEqual(['orders@bruno', 'orders@carla']);
    const stepped = whyCodes(h, 'customers', 'anna').find((r) => r.code === 'RESOURCE_GUARD');
    expect(stepped).toMatchObject({ metric: 'rss', value: OVER_RSS, limit: LIMITS.rss, concurrency: 2 });
    expect(stepped?.detail).toContain('concurrency stepped down to 2 of 3');

    sample(h, { rss: OVER_RSS });
    expect(guardOf(h).effectiveConcurrency).toBe(1);
    h.runs.live('orders@bruno').complete();
    expect(h.runs.liveTargets()).toEqual(['orders@carla']);

    sample(h, { rss: OVER_RSS + 20 });
    expect(guardOf(h)).toMatchObject({ effectiveConcurrency: 0, held: true, reason: `RESOURCE_GUARD(rss, ${OVER_RSS + 20} MB)` });
    // The run in flight was never told to pause.
    expect(h.runs.live('orders@carla').pauseRequested).toBe(false);
    h.runs.live('orders@carla').complete();
    expect(h.runs.liveTargets()).toEqual([]);
    expect(h.state.dispatch).toBe('queued');
    const held = whyCodes(h, 'customers', 'carla').find((r) => r.code === 'RESOURCE_GUARD');
    expect(held?.detail).toMatch(/^RESOURCE_GUARD\(rss, 1720 MB\) over 1536: new starts held/);
    expect(h.events('resources.guard').map((e) => [e.change, e.effective])).toEqual([
      ['stepped-down', 2],
      ['stepped-down', 1],
      ['held', 0],
    ]);
    expect(h.events('sync.paused')).toEqual([]);
  });

  it('holds at once over a limit when the configured concurrency is already 1', () => {
    const h = new OrchestratorHarness();
    sample(h, { eventLoopDelay: 900 });
    expect(guardOf(h)).toMatchObject({ effectiveConcurrency: 0, held: true, reason: 'RESOURCE_GUARD(eventLoopDelay, 900 ms)' });
    h.request('orders');
    expect(h.runs.liveTargets()).toEqual([]);
    expect(whyCodes(h, 'orders', 'default').map((r) => r.code)).toEqual(['QUEUED', 'RESOURCE_GUARD']);
  });

  it('lifts the hold, then steps back up one at a time, only after RESOURCE_RECOVERY_SAMPLES calm samples each', () => {
    const h = busyHarness();
    for (let i = 0; i < 3; i++) sample(h, { chromiumRss: LIMITS.chromiumRss + 500 });
    for (const target of h.runs.liveTargets()) h.runs.live(target).complete();
    expect(guardOf(h).held).toBe(true);

    // Below the limit but inside the hysteresis band: no recovery, however long it lasts.
    for (let i = 0; i < 10; i++) sample(h, { chromiumRss: LIMITS.chromiumRss * RESOURCE_HYSTERESIS + 10 });
    expect(guardOf(h)).toMatchObject({ held: true, effectiveConcurrency: 0, calmSamples: 0 });
    expect(h.runs.liveTargets()).toEqual([]);

    const live: number[] = [];
    for (let i = 0; i < 3 * RESOURCE_RECOVERY_SAMPLES; i++) {
      sample(h, { rss: CALM_RSS });
      live.push(h.runs.liveTargets().length);
    }
    // Each group of samples: the last one of the group moves the cap (release → 1, then 2, then 3).
    expect(live).toEqual([0, 0, 1, 1, 1, 2, 2, 2, 3]);
    expect(guardOf(h)).toMatchObject({ effectiveConcurrency: 3, held: false, cause: null, reason: null });
    expect(h.events('resources.guard').map((e) => e.change)).toEqual([
      'stepped-down',
      'stepped-down',
      'held',
      'released',
      'stepped-up',
      'stepped-up',
    ]);
  });

  it('does not flap when a reading hovers at its limit: it only steps down, never back up, until calm', () => {
    const h = busyHarness();
    for (let i = 0; i < 6; i++) sample(h, { rss: i % 2 === 0 ? LIMITS.rss + 4 : LIMITS.rss - 4 });
    expect(h.events('resources.guard').map((e) => e.change)).toEqual(['stepped-down', 'stepped-down', 'held']);

    // A calm sample between two breaches restarts the count: recovery needs the samples in a row.
    for (const target of h.runs.liveTargets()) h.runs.live(target).complete();
    sample(h, { rss: CALM_RSS });
    sample(h, { rss: CALM_RSS });
    sample(h, { rss: LIMITS.rss + 4 });
    sample(h, { rss: CALM_RSS });
    sample(h, { rss: CALM_RSS });
    expect(guardOf(h).held).toBe(true);
    sample(h, { rss: CALM_RSS });
    expect(guardOf(h).held).toBe(false);
  });

  it('starts a restarted process at full concurrency with the limits it is given', () => {
    const h = busyHarness();
    for (let i = 0; i < 3; i++) sample(h, { rss: OVER_RSS });
    expect(guardOf(h).held).toBe(true);
    const limits = { ...LIMITS, rss: 4096 };
    h.restart(h.clock.now() + SECOND, { resourceLimits: limits });
    expect(guardOf(h)).toMatchObject({ limits, effectiveConcurrency: 3, held: false, cause: null, last: null });
    sample(h, { rss: OVER_RSS });
    expect(guardOf(h).effectiveConcurrency).toBe(3);
  });
});
