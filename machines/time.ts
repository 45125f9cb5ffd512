/**
 * Time inside the machines: it enters only through events' `now` and the clock region's timer, and
 * TIME_SCALE shrinks every configured duration.
 */

/** A duration divided by TIME_SCALE (a positive duration never shrinks to 0). */
export function scaled(ms: number, timeScale: number): number {
  if (ms <= 0) return 0;
  return Math.max(1, Math.round(ms / timeScale));
}

/** The later of the context's time and an event's `now`: time never runs backwards inside the machine. */
export function laterOf(current: number, eventNow: number | undefined): number {
  return eventNow === undefined || !Number.isFinite(eventNow) ? current : Math.max(current, eventNow);
}
