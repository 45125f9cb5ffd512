import type { FieldType, FieldValue } from './export-tables.js';

/**
 * Cell text → typed value, in the ERP's Italian formats (ERP-EXPORTS §1). Each converter returns the
 * value, `null` for an empty cell, or throws a `ValueFormatError` saying what it expected: a value
 * that does not read as its column's type is the first sign of a misaligned column, so the parser
 * fails closed on it instead of storing a wrong value.
 */

/** A cell whose text does not match its column's format. */
export class ValueFormatError extends Error {
  constructor(
    readonly text: string,
    readonly expected: string,
  ) {
    super(`"${text}" is not ${expected}`);
    this.name = 'ValueFormatError';
  }
}

/** `1.234,56 €`, `2.112,7`, `-45,5`, `21,49 %`, `6.732` → number. Thousands `.`, decimals `,`. */
export function parseItalianNumber(text: string, expected = 'a number'): number {
  const s = text.replace(/[\s\u00a0]/g, '').replace(/(€|%|EUR)$/i, '').replace(/^(€)/, '');
  // Thousands groups of exactly three digits; an optional decimal part after a comma.
  if (!/^[-+−]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$/.test(s)) throw new ValueFormatError(text, expected);
  const n = Number(s.replace('−', '-').replace(/\./g, '').replace(',', '.'));
  if (!Number.isFinite(n)) throw new ValueFormatError(text, expected);
  return n;
}

/** `20/01/2026` → `2026-01-20`; rejects impossible dates. */
export function parseItalianDate(text: string): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (!m) throw new ValueFormatError(text, 'a date (dd/mm/yyyy)');
  return isoDate(text, m[3]!, m[2]!, m[1]!);
}

/** `20/01/2026 12:04:22` → `2026-01-20T12:04:22` (Europe/Rome local time, kept without a zone). */
export function parseItalianDateTime(text: string): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) throw new ValueFormatError(text, 'a date-time (dd/mm/yyyy hh:mm:ss)');
  const [hh, mm, ss] = [Number(m[4]), Number(m[5]), Number(m[6] ?? '0')];
  if (hh > 23 || mm > 59 || ss > 59) throw new ValueFormatError(text, 'a date-time (dd/mm/yyyy hh:mm:ss)');
  return `${isoDate(text, m[3]!, m[2]!, m[1]!)}T${pad(hh)}:${pad(mm)}:${pad(ss)}`;
}

function isoDate(text: string, y: string, mo: string, d: string): string {
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw new ValueFormatError(text, 'a valid calendar date');
  }
  return `${year}-${pad(month)}-${pad(day)}`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

const TRUE_WORDS = new Set(['checked', 'sì', 'si', 'yes', 'true', 'vero']);
const FALSE_WORDS = new Set(['unchecked', 'no', 'false', 'falso']);

/** `Checked`/`Unchecked`, `Sì`/`No` (and the English words) → boolean. */
export function parseBoolean(text: string): boolean {
  const w = text.trim().toLowerCase();
  if (TRUE_WORDS.has(w)) return true;
  if (FALSE_WORDS.has(w)) return false;
  throw new ValueFormatError(text, 'a checkbox (Checked/Unchecked, Sì/No)');
}

/** ERP internal id: `71.567`, `9.999`, `999`. Kept as text, normalised (no spaces). */
export function parseErpId(text: string): string {
  const s = text.replace(/\s/g, '');
  if (!/^\d{1,3}(\.\d{3})*$/.test(s)) throw new ValueFormatError(text, 'an ERP id (e.g. 71.567)');
  return s;
}

/** The three values a DDT tracking cell splits into. */
export interface Tracking {
  trackingCourier: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
}

/**
 * Splits the DDT tracking cell — the raw HTML of an anchor printed over several lines, e.g.
 * `<a href = "https://www.fedex.com/fedextrack/?` `trknbr=445291890750&locale=it_IT"`
 * `target="_blank">fedex 445291890750</a>` — into courier (upper case), number and URL. The lines
 * arrive joined with spaces; the URL loses all whitespace, the link text keeps single spaces. A cell
 * that is not an anchor is taken as a bare tracking number.
 */
export function parseTracking(text: string): Tracking {
  const s = text.trim();
  if (s === '') return { trackingCourier: null, trackingNumber: null, trackingUrl: null };
  const href = /href\s*=\s*["']?([\s\S]*?)(?:["']|\btarget\s*=|>)/i.exec(s);
  const linkText = /<a\b[\s\S]*>([\s\S]*?)<\/a\s*>/i.exec(s);
  if (!href && !linkText) return { trackingCourier: null, trackingNumber: s.replace(/\s+/g, ''), trackingUrl: null };
  const url = href ? href[1]!.replace(/\s+/g, '') || null : null;
  const words = (linkText?.[1] ?? '').replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  if (words.length === 0) throw new ValueFormatError(text, 'a tracking link with courier and number');
  const courier = words.length > 1 ? words[0]!.toUpperCase() : null;
  const number = (words.length > 1 ? words.slice(1) : words).join('');
  return { trackingCourier: courier, trackingNumber: number, trackingUrl: url };
}

/**
 * Converts one cell's text to its column type. `tracking` is handled by `parseTracking` because it
 * fills three fields; here it is an error to ask for it.
 */
export function parseValue(text: string, type: Exclude<FieldType, 'tracking'>): FieldValue {
  const s = text.trim();
  if (s === '') return null;
  switch (type) {
    case 'text':
      return s;
    case 'id':
      return parseErpId(s);
    case 'int': {
      const n = parseItalianNumber(s, 'a whole number');
      if (!Number.isInteger(n)) throw new ValueFormatError(text, 'a whole number');
      return n;
    }
    case 'number':
      return parseItalianNumber(s, 'a number');
    case 'money':
      return parseItalianNumber(s, 'an amount (e.g. 1.234,56 €)');
    case 'percent':
      return parseItalianNumber(s, 'a percentage (e.g. 21,49 %)');
    case 'date':
      return parseItalianDate(s);
    case 'datetime':
      return parseItalianDateTime(s);
    case 'bool':
      return parseBoolean(s);
  }
}
