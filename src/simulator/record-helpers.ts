/**
 * Helpers shared by the exports' record factories (`src/exports/<name>.simulator.ts`): Italian addresses,
 * working-hours times, document numbering in date order, and the comparators of the ERP's list orders.
 */
import type { ExportType } from '../exports/registry.js';
import type { ExportRecord } from '../parsers/types.js';
import type { GenerationContext } from './generation-context.js';
import { STREETS, type City } from './italian-data.js';
import type { Random } from './random.js';

/** `Via Roma, 12` — street and house number, as customers and orders print it. */
export function streetAddress(random: Random): string {
  const number = String(random.int(1, 180));
  const suffix = random.weighted([['', 85], ['/A', 8], ['/B', 4], [' bis', 3]] as const);
  return `${random.pick(STREETS)}, ${number}${suffix}`;
}

/** `20121 Milano MI` — the second line of a delivery address. */
export function cityLine(city: City): string {
  return `${city.postalCode} ${city.name} ${city.province}`;
}

/** A working-hours wall-clock time, `HH:mm:ss` (08:00–19:59). */
export function clockTime(random: Random): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(random.int(8, 19))}:${pad(random.int(0, 59))}:${pad(random.int(0, 59))}`;
}

/** A document awaiting its number: the record and its number series. */
export interface DocumentDraft {
  record: ExportRecord;
  /** Date the number is drawn on (numbers grow with it). */
  date: string;
  /** `DDT`, `CF1` or `NC`. */
  prefix: string;
}

/**
 * Assigns document numbers (`number` sets them on a draft) in date order, as the ERP does when it posts
 * them, and registers the records.
 */
export function numberDocuments(ctx: GenerationContext, type: ExportType, drafts: DocumentDraft[], number: (draft: DocumentDraft) => void): ExportRecord[] {
  const sorted = [...drafts].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (const draft of sorted) {
    number(draft);
    ctx.register(type, draft.record);
  }
  return sorted.map((draft) => draft.record);
}

/** A record's ERP id as a number (`70.962` → 70962). */
export const erpNumber = (r: ExportRecord): number => Number(String(r.erpId).replace(/\./g, ''));
/** Descending order of two strings. */
export const desc = (a: string, b: string): number => (a < b ? 1 : a > b ? -1 : 0);
/** Ascending order of two strings. */
export const asc = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
