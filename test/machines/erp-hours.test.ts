import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { CATCHUP_SPACING_MS } from '../../machines/catalog.js';
import { erpWindowAt, parseErpHours } from '../../machines/erp-hours.js';
import { nextLocalMidnight } from '../../machines/local-time.js';
import { explain } from '../../machines/why.js';
import { MINUTE, OrchestratorHarness } from './harness.js';

/** 07:00-20:00 in Rome: 06:00-19:00 UTC in winter (CET, UTC+1). */
const HOURS = { opens: 7 * 60, closes: 20 * 60 };
const ROME = 'Europe/Rome';
const HOUR = 60 * MINUTE;
/** Monday 6 January 2025, UTC. */
const utc = (hour: number, minute = 0, day = 6): number => Date.UTC(2025, 0, day, hour, minute);

function hoursState(h: OrchestratorHarness): unknown {
  return (h.actor.getSnapshot().value as Record<string, unknown>).hours;
}

/** Advances minute by minute to `until`, completing (with no changes) every run as soon as it started. */
function runThrough(h: OrchestratorHarness, until: number): void {
  for (let t = h.clock.now() + MINUTE; t <= until; t += MINUTE) {
    h.advanceTo(t);
    for (const target of h.runs.liveTargets()) h.runs.live(target).complete();
  }
}

function startsBetween(h: OrchestratorHarness, from: number, to: number): Array<{ target: string; at: number; trigger: string }> {
  return h
    .events('sync.started')
    .filter((event) => event.at >= from && event.at < to)
    .map(({ target, at, trigger }) => ({ target, at, trigger }));
}

describe('ERP window: the clock of the ERP time zone', () => {
  it('reads ERP_HOURS as HH:MM-HH:MM, a window across midnight included, and refuses anything else', () => {
    expect(parseErpHours('07:00-20:00')).toEqual({ opens: 420, closes: 1200 });
    expect(parseErpHours('22:30-06:00')).toEqual({ opens: 1350, closes: 360 });
    for (const bad of ['7-20', '07:00', '07:00-20:00-21:00', '24:00-06:00', '07:60-20:00', '08:00-08:00', '']) {
      expect(parseErpHours(bad), bad).toBeNull();
    }
  });

  it('opens and closes at local time in Rome, across the change to summer time too', () => {
    expect(erpWindowAt(HOURS, ROME, utc(5, 59))).toEqual({ state: 'closed', until: utc(6) });
    expect(erpWindowAt(HOURS, ROME, utc(6))).toEqual({ state: 'open', until: utc(19) });
    expect(erpWindowAt(HOURS, ROME, utc(19))).toEqual({ state: 'closed', until: utc(6, 0, 7) });
    // Sunday 30 March 2025 02:00 CET → 03:00 CEST: 07:00 in Rome is 05:00 UTC that morning.
    expect(erpWindowAt(HOURS, ROME, Date.UTC(2025, 2, 30, 0))).toEqual({ state: 'closed', until: Date.UTC(2025, 2, 30, 5) });
    expect(erpWindowAt(null, ROME, utc(3))).toEqual({ state: 'unrestricted', until: null });
    expect(erpWindowAt({ opens: 22 * 60, closes: 6 * 60 }, ROME, utc(23))).toEqual({ state: 'open', until: utc(5, 0, 7) });
    expect(nextLocalMidnight(utc(12), ROME)).toBe(utc(23));
  });
});

describe('ERP window in the statechart', () => {
  it('holds a start requested outside the window with OUTSIDE_ERP_HOURS until the opening, then starts it', () => {
    const h = new OrchestratorHarness({ bootAt: utc(19, 30), erpHours: HOURS, erpTimeZone: ROME });
    expect(hoursState(h)).toBe('closed');
    h.request('orders');
    expect(h.runs.liveTargets()).toEqual([]);
    expect(h.state.dispatch).toBe('queued');
    const why = explain(h.context, 'orders@default', h.targetState('orders@default'));
    expect(why.reasons).toContainEqual(expect.objectContaining({ code: 'OUTSIDE_ERP_HOURS', until: utc(6, 0, 7) }));
    expect(why.reasons.find((reason) => reason.code === 'OUTSIDE_ERP_HOURS')?.detail).toContain('07:00-20:00 Europe/Rome');

    h.advanceTo(utc(6, 0, 7) - 1);
    expect(h.runs.liveTargets()).toEqual([]);
    h.advanceTo(utc(6, 0, 7));
    expect(h.runs.liveTargets()).toEqual(['orders@default']);
    expect(hoursState(h)).toBe('open');
    expect(h.events('erp.hours').map(({ state, until }) => ({ state, until }))).toEqual([
      { state: 'closed', until: utc(6, 0, 7) },
      { state: 'open', until: utc(19, 0, 7) },
    ]);
  });

  it('lets a run in flight at the closing finish: only new starts wait', () => {
    const h = new OrchestratorHarness({ bootAt: utc(18, 50), erpHours: HOURS, erpTimeZone: ROME });
    h.request('orders');
    const run = h.runs.live('orders@default');
    h.request('customers');
    h.advanceTo(utc(19, 10));
    expect(hoursState(h)).toBe('closed');
    expect(run.pauseRequested).toBe(false);
    run.complete();
    expect(h.events('sync.completed').map((event) => event.target)).toEqual(['orders@default']);
    expect(h.runs.liveTargets()).toEqual([]);
    expect(h.context.queue.map((entry) => entry.target)).toEqual(['customers@default']);
  });

  it('defers every timer that falls due while closed and starts the catch-ups spaced from the opening, not all at once', () => {
    const h = new OrchestratorHarness({
      bootAt: utc(18, 50),
      timers: true,
      concurrency: 4,
      accounts: { service: 'default', agents: ['anna', 'bruno'] },
      erpHours: HOURS,
      erpTimeZone: ROME,
    });
    runThrough(h, utc(19));
    const closedAt = utc(19);
    const opensAt = utc(6, 0, 7);
    runThrough(h, opensAt + 10 * MINUTE);

    expect(startsBetween(h, closedAt, opensAt)).toEqual([]);
    const catchUps = startsBetween(h, opensAt, opensAt + 10 * MINUTE).filter((start) => start.trigger === 'catch-up');
    // Every timed target of both accounts fell due overnight: each gets one catch-up, one spacing apart.
    expect(catchUps.map((start) => start.target).sort()).toEqual(
      ['customers@anna', 'customers@bruno', 'orders@anna', 'orders@bruno', 'prices@default', 'products@default'],
    );
    expect(catchUps.map((start) => start.at)).toEqual(catchUps.map((_, index) => opensAt + index * CATCHUP_SPACING_MS));
    expect(h.skips('OUTSIDE_ERP_HOURS').length).toBeGreaterThanOrEqual(catchUps.length);
  });

  it('restores a snapshot taken while closed after the opening: the due catch-ups start, spaced', () => {
    const h = new OrchestratorHarness({ bootAt: utc(18, 50), timers: true, concurrency: 4, erpHours: HOURS, erpTimeZone: ROME });
    runThrough(h, utc(22));
    expect(startsBetween(h, utc(19), utc(22))).toEqual([]);
    const restoredAt = utc(8, 0, 7);
    h.restart(restoredAt, { erpHours: HOURS });
    expect(hoursState(h)).toBe('open');
    runThrough(h, restoredAt + 10 * MINUTE);
    const catchUps = startsBetween(h, restoredAt, restoredAt + 10 * MINUTE).filter((start) => start.trigger === 'catch-up');
    expect(catchUps.map((start) => start.target).sort()).toEqual(['customers@default', 'orders@default', 'prices@default', 'products@default']);
    expect(catchUps.map((start) => start.at)).toEqual(catchUps.map((_, index) => restoredAt + index * CATCHUP_SPACING_MS));
  });

  it('restores a snapshot taken while open after the closing: held, re-armed for the opening, then spaced', () => {
    const h = new OrchestratorHarness({ bootAt: utc(9), timers: true, concurrency: 4, erpHours: HOURS, erpTimeZone: ROME });
    runThrough(h, utc(10));
    h.request('orders').request('customers');
    expect(h.runs.liveTargets()).toEqual(['orders@default']);
    const restoredAt = utc(21);
    h.restart(restoredAt, { erpHours: HOURS });
    expect(hoursState(h)).toBe('closed');
    // The run in flight at the snapshot goes on from its checkpoint, as at a closing; nothing new starts.
    expect(h.runs.liveTargets()).toEqual(['orders@default']);
    h.runs.live('orders@default').complete();
    expect(h.runs.liveTargets()).toEqual([]);
    const why = explain(h.context, 'customers@default', h.targetState('customers@default'));
    expect(why.reasons.map((reason) => reason.code)).toEqual(['QUEUED', 'OUTSIDE_ERP_HOURS']);

    const opensAt = utc(6, 0, 7);
    h.advanceTo(restoredAt + 10 * MINUTE);
    // The slots missed while down became catch-ups, and those fell due while closed: one per target, spaced from the opening.
    const planned = Object.values(h.context.targets).flatMap((record) => (record.catchUpAt === null ? [] : [record.catchUpAt]));
    expect(planned.sort((a, b) => a - b)).toEqual([0, 1, 2, 3].map((k) => opensAt + k * CATCHUP_SPACING_MS));

    runThrough(h, opensAt + 10 * MINUTE);
    expect(startsBetween(h, restoredAt + 1, opensAt)).toEqual([]);
    const starts = startsBetween(h, opensAt, opensAt + 10 * MINUTE);
    expect(starts[0]?.at).toBe(opensAt);
    expect(starts.map((start) => start.target)).toContain('customers@default');
  });

  it('lifts the window when a restart comes without ERP_HOURS', () => {
    const h = new OrchestratorHarness({ bootAt: utc(21), erpHours: HOURS, erpTimeZone: ROME });
    h.request('orders');
    h.restart(utc(21) + HOUR, { erpHours: null });
    expect(hoursState(h)).toBe('unrestricted');
    expect(h.runs.liveTargets()).toEqual(['orders@default']);
    expect(h.events('erp.hours').at(-1)).toMatchObject({ state: 'unrestricted', hours: null });
  });

  it('restores a snapshot saved before the window existed (no hours region, no window fields) and applies the configured one', () => {
    const h = new OrchestratorHarness({ bootAt: utc(18, 50) });
    h.request('orders');
    h.runs.live('orders@default').complete();
    const persisted = JSON.parse(JSON.stringify(h.actor.getPersistedSnapshot())) as { value: Record<string, unknown>; context: Record<string, unknown> };
    delete persisted.value.hours;
    for (const field of ['erpHours', 'erpTimeZone', 'accountHolds']) delete persisted.context[field];
    h.actor.stop();
    h.clock.advanceTo(utc(21));
    const actor = createActor(h.machine, { input: h.input, clock: h.clock, snapshot: persisted as never });
    actor.start();
    actor.send({ type: 'orchestrator.restored', now: h.clock.now(), erpHours: HOURS, erpTimeZone: ROME });
    actor.send({ type: 'sync.request', service: 'orders', now: h.clock.now() });
    expect((actor.getSnapshot().value as Record<string, unknown>).hours).toBe('closed');
    expect(actor.getSnapshot().context).toMatchObject({ erpHours: HOURS, erpTimeZone: ROME, accountHolds: {} });
    expect(h.runs.liveTargets()).toEqual([]);
    actor.stop();
  });
});
