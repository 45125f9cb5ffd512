import { TIME_FIELDS, type IsoTimes } from './orchestrator-port.js';

const TIME_KEYS: ReadonlySet<string> = new Set(TIME_FIELDS);

/**
 * Turns a machine shape (epoch-ms times) into its boundary shape: every number under a key of
 * `TIME_FIELDS`, at any depth, becomes an ISO-8601 string; `null` stays `null`; nothing else changes.
 * Returns a new value and leaves the input alone (it may be a frozen snapshot's context).
 */
export function toIsoTimes<T>(value: T): IsoTimes<T> {
  return convert(value, undefined) as IsoTimes<T>;
}

/** One epoch-ms time as ISO-8601. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function convert(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'number') return key !== undefined && TIME_KEYS.has(key) && Number.isFinite(value) ? isoTime(value) : value;
  if (Array.isArray(value)) return value.map((item) => convert(item, undefined));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, field]) => [name, convert(field, name)]));
  }
  return value;
}
