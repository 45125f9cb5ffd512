/**
 * The ERP window (`ERP_HOURS`, DESIGN §6): the hours of the day, in the ERP's time zone, during which runs
 * may start. The real ERP's operators blacklisted a predecessor that synced around the clock, so outside
 * the window new starts are held (OUTSIDE_ERP_HOURS), and timer triggers that fall due while it is closed
 * become catch-ups spaced CATCHUP_SPACING apart from the opening, never a storm at 07:00.
 *
 * The window is wall-clock time in its zone and is not divided by TIME_SCALE: it is the ERP's office
 * hours, not a schedule. Local times come from `local-time.ts`, never from the host's zone.
 */
import { CATCHUP_SPACING_MS } from './catalog.js';
import type { TargetId, Trigger } from './catalog.js';
import { localMinuteOf, nextLocalTime } from './local-time.js';
import { requestTarget } from './queue.js';
import { scaled } from './time.js';
import { patchTarget, skip, type Tx } from './transaction.js';
import type { OrchestratorContext } from './types.js';

/** A daily window in minutes after local midnight: `opens` inclusive, `closes` exclusive; `opens > closes` spans midnight. */
export interface ErpHours {
  opens: number;
  closes: number;
}

/** Where the window stands at an instant: no window at all, or open / closed until the next boundary. */
export type ErpWindow = { state: 'unrestricted'; until: null } | { state: 'open' | 'closed'; until: number };

const HH_MM = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** True when the local minute lies inside the window. */
export function withinHours(hours: ErpHours, minute: number): boolean {
  return hours.opens <= hours.closes ? minute >= hours.opens && minute < hours.closes : minute >= hours.opens || minute < hours.closes;
}

/** The window at `at`: open until its next closing, closed until its next opening, or unrestricted. */
export function erpWindowAt(hours: ErpHours | null | undefined, timeZone: string, at: number): ErpWindow {
  if (hours === null || hours === undefined || hours.opens === hours.closes) return { state: 'unrestricted', until: null };
  return withinHours(hours, localMinuteOf(at, timeZone))
    ? { state: 'open', until: nextLocalTime(at, hours.closes, timeZone) }
    : { state: 'closed', until: nextLocalTime(at, hours.opens, timeZone) };
}

/** The window of a context, at its `now`. */
export function erpWindowOf(context: OrchestratorContext): ErpWindow {
  return erpWindowAt(context.erpHours, context.erpTimeZone, context.now);
}

/** `HH:MM` of a minute of the day. */
function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** The window as an operator writes it: `07:00-20:00`. */
export function formatErpHours(hours: ErpHours): string {
  return `${hhmm(hours.opens)}-${hhmm(hours.closes)}`;
}

/** Reads `HH:MM-HH:MM` (e.g. `07:00-20:00`; `22:00-06:00` spans midnight); `null` when it is not one. */
export function parseErpHours(text: string): ErpHours | null {
  const [from, to, ...rest] = text.split('-').map((part) => part.trim());
  const opens = from === undefined ? null : minuteOf(from);
  const closes = to === undefined ? null : minuteOf(to);
  if (rest.length > 0 || opens === null || closes === null || opens === closes) return null;
  return { opens, closes };
}

function minuteOf(text: string): number | null {
  const match = HH_MM.exec(text);
  return match === null ? null : Number(match[1]) * 60 + Number(match[2]);
}

/**
 * The catch-up slot for a trigger deferred to the opening at `opensAt`: the opening itself, or
 * CATCHUP_SPACING after the latest catch-up already planned from it, so the deferred runs start spaced.
 * A target that already has a slot from this opening keeps it (one catch-up per target, as the queue keeps one entry).
 */
export function deferredSlot(context: OrchestratorContext, target: TargetId, opensAt: number): number {
  const own = context.targets[target]?.catchUpAt ?? null;
  if (own !== null && own >= opensAt) return own;
  const planned = Object.values(context.targets)
    .map((record) => record.catchUpAt)
    .filter((at): at is number => at !== null && at >= opensAt);
  return planned.length === 0 ? opensAt : Math.max(...planned) + scaled(CATCHUP_SPACING_MS, context.timeScale);
}

/**
 * A timer trigger (slot, catch-up, retry) that fell due: queued while the window is open (or there is none);
 * while it is closed, a catch-up planned after the opening and a skip `OUTSIDE_ERP_HOURS` saying when.
 * `force` queues a chained service's safety slot on its own instead of riding on a pending parent.
 */
export function requestWithinHours(tx: Tx, target: TargetId, trigger: Trigger, force = false): Tx {
  const window = erpWindowOf(tx.ctx);
  if (window.state !== 'closed') return requestTarget(tx, target, trigger, undefined, force);
  const at = deferredSlot(tx.ctx, target, window.until);
  const detail = `the ERP is used only ${describeHours(tx.ctx)}: deferred to a catch-up at ${new Date(at).toISOString()}`;
  return skip(patchTarget(tx, target, { catchUpAt: at }), target, trigger, 'OUTSIDE_ERP_HOURS', detail);
}

/** `07:00-20:00 Europe/Rome`, or `at any hour`. */
export function describeHours(context: Pick<OrchestratorContext, 'erpHours' | 'erpTimeZone'>): string {
  return context.erpHours === null || context.erpHours === undefined ? 'at any hour' : `${formatErpHours(context.erpHours)} ${context.erpTimeZone}`;
}
