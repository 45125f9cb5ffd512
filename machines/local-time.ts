/**
 * Local wall-clock time in a named time zone, from `Intl` (the time-zone database), never from the host's
 * zone: the ERP window and the login budget's day are read in the ERP's zone (Europe/Rome), wherever the
 * service runs. Pure: the same instant and zone always give the same answer.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** One formatter per zone: building an `Intl.DateTimeFormat` costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** True when `timeZone` is a zone the time-zone database knows (e.g. `Europe/Rome`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Local wall-clock time minus UTC at `at`, in ms (+3_600_000 for Rome in winter). */
function offsetAt(at: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterOf(timeZone).formatToParts(at)) parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return wall - (at - (((at % 1000) + 1000) % 1000));
}

/** Minutes after local midnight at `at`. */
export function localMinuteOf(at: number, timeZone: string): number {
  const wall = at + offsetAt(at, timeZone);
  return Math.floor((((wall % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
}

/** The first instant strictly after `at` whose local time in `timeZone` is `minuteOfDay`:00. */
export function nextLocalTime(at: number, minuteOfDay: number, timeZone: string): number {
  const wallNow = at + offsetAt(at, timeZone);
  let wall = Math.floor(wallNow / DAY_MS) * DAY_MS + minuteOfDay * MINUTE_MS;
  if (wall <= wallNow) wall += DAY_MS;
  for (;;) {
    // Two passes settle the offset of the target instant itself (it may differ from now's across a DST change).
    let instant = wall - offsetAt(at, timeZone);
    instant = wall - offsetAt(instant, timeZone);
    if (instant > at) return instant;
    wall += DAY_MS;
  }
}

/** The next local midnight: when a per-day budget counted in `timeZone` starts again. */
export function nextLocalMidnight(at: number, timeZone: string): number {
  return nextLocalTime(at, 0, timeZone);
}
