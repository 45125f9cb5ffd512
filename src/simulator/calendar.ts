/**
 * Wall-clock arithmetic for generated data. The ERP prints Europe/Rome local times without a zone, so
 * the generator works in "local milliseconds": a UTC epoch whose UTC fields are the local wall time.
 * That keeps day arithmetic free of daylight-saving jumps and makes the output independent of the
 * machine's time zone.
 */

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** Local milliseconds of an ISO date (`2026-01-20`) or date-time (`2026-01-20T12:04:22`). */
export function toLocalMs(iso: string): number {
  const ms = Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : `${iso}Z`);
  if (Number.isNaN(ms)) throw new Error(`not an ISO date: ${iso}`);
  return ms;
}

/** `YYYY-MM-DD` of local milliseconds. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `YYYY-MM-DDTHH:mm:ss` of local milliseconds. */
export function isoDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** The ISO date `days` days after `iso` (negative for before). */
export function addDays(iso: string, days: number): string {
  return isoDate(toLocalMs(iso.slice(0, 10)) + days * DAY_MS);
}

/** The last day of the month of an ISO date. */
export function endOfMonth(iso: string): string {
  const d = new Date(toLocalMs(iso.slice(0, 10)));
  return isoDate(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
}

/** Whole days from ISO date `from` to ISO date `to`. */
export function daysBetween(from: string, to: string): number {
  return Math.round((toLocalMs(to.slice(0, 10)) - toLocalMs(from.slice(0, 10))) / DAY_MS);
}

/** True for Saturday and Sunday: the ERP's users do not create orders at weekends. */
export function isWeekend(ms: number): boolean {
  const day = new Date(ms).getUTCDay();
  return day === 0 || day === 6;
}

/** The later of two ISO dates (or date-times of equal shape). */
export function maxIso(a: string, b: string): string {
  return a > b ? a : b;
}

/** The earlier of two ISO dates (or date-times of equal shape). */
export function minIso(a: string, b: string): string {
  return a < b ? a : b;
}
