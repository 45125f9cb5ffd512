/**
 * The shape of an export's parse table: which header texts name which record field, how each field is
 * typed, what the key is and which columns an export cannot do without. The tables themselves live with
 * their export (`src/exports/<name>.export.ts`); one generic reader (`cycle-assembler.ts`) reads every
 * export through them, and the fixture renderer, the stores and the apply step read the same field lists,
 * so a field is named in exactly one place.
 *
 * Header texts are matched exactly after whitespace is collapsed, upper-cased, a trailing `:` removed
 * and typographic apostrophes made plain (ERP-EXPORTS §1, §5): `ID` never matches `ID DI VENDITA`, and
 * `ALL’ATTENZIONE DI:` is `ALL'ATTENZIONE DI`.
 */

/** An export's name (= its service and table name): a built-in one or one added with `registerExport`. */
export type ExportName = string;

/**
 * How a cell's text becomes a value.
 * - `text`: trimmed, wrapped lines joined by the column's `join` (default a space); empty → null
 * - `id`: ERP internal id, kept as text with its thousands dot (`71.567`)
 * - `int` / `number`: Italian number (`1.234,5` → 1234.5); `int` must be whole
 * - `money`: Italian number with optional `€` (`1.234,56 €` → 1234.56)
 * - `percent`: Italian number with optional `%` (`21,49 %` → 21.49)
 * - `date`: `dd/mm/yyyy` → `yyyy-mm-dd`
 * - `datetime`: `dd/mm/yyyy hh:mm:ss` → `yyyy-mm-ddThh:mm:ss` (Europe/Rome local time, no zone)
 * - `bool`: `Checked`/`Unchecked`, `Sì`/`No`, `Yes`/`No`, `True`/`False`
 * - `tracking`: the DDT tracking anchor → `trackingCourier`, `trackingNumber`, `trackingUrl`
 */
export type FieldType = 'text' | 'id' | 'int' | 'number' | 'money' | 'percent' | 'date' | 'datetime' | 'bool' | 'tracking';

/** A value as it leaves the parser. */
export type FieldValue = string | number | boolean | null;

/** One column of an export as the parser knows it. */
export interface ColumnSpec {
  /** Record field the column fills (for `tracking`: the prefix of the three tracking fields). */
  readonly field: string;
  /** Accepted header texts (normalised: upper case, collapsed whitespace, no trailing colon). */
  readonly headers: readonly string[];
  readonly type: FieldType;
  /** A missing required column makes the export invalid (fail closed). */
  readonly required?: boolean;
  /**
   * When several columns of one export share a header text, the n-th (1-based, in page order within a
   * cycle) is this column. DDT page 3 prints `NOME DI CONSEGNA` twice; the second holds the address.
   */
  readonly occurrence?: number;
  /** Separator for a cell wrapped over several lines (default `' '`). */
  readonly join?: string;
}

/** One export as data. */
export interface ExportTable {
  readonly type: ExportName;
  /** Human name used in error messages (`orders export: …`). */
  readonly label: string;
  /** Header texts that must all appear on a page for it to start a cycle. */
  readonly anchor: readonly string[];
  /** Record fields that together identify a record (per account where `perAccount`). */
  readonly key: readonly string[];
  /** Per-agent data is stored per account; shared data (products, prices) is not. */
  readonly perAccount: boolean;
  readonly columns: readonly ColumnSpec[];
  /** Columns printed by the ERP that carry no data in the text layer (icons, `System.Byte[]`). */
  readonly ignored: readonly string[];
  /** Fields filled from another field when their own column is absent or empty. */
  readonly derived?: readonly DerivedField[];
}

/** A field taken from the first match of `pattern` in field `from` when it has no value of its own. */
export interface DerivedField {
  readonly field: string;
  readonly from: string;
  readonly pattern: RegExp;
}

/** The record fields a tracking column expands to. */
export const TRACKING_FIELDS = ['trackingCourier', 'trackingNumber', 'trackingUrl'] as const;

/** One column: its field, its accepted header texts, its type and options (`REQUIRED`, `occurrence`, `join`). */
export function column(field: string, headers: string | readonly string[], type: FieldType = 'text', extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return { field, headers: typeof headers === 'string' ? [headers] : headers, type, ...extra };
}

/** Marks a column whose absence makes the export invalid. */
export const REQUIRED = { required: true } as const;

/** The record field names of an export, in the fixed order used for hashing and storage. */
export function recordFields(table: ExportTable): string[] {
  return table.columns.flatMap((c) => (c.type === 'tracking' ? [...TRACKING_FIELDS] : [c.field]));
}

/** Apostrophes the ERP prints in headers besides `'`: `’` (U+2019), `‘`, `ʼ`, `´` and the backtick. */
const APOSTROPHES = /[\u2018\u2019\u02bc\u00b4`]/g;

/**
 * Normalises a header cell's text for exact matching: collapsed whitespace, upper case, no trailing `:`,
 * every apostrophe plain (`ALL’ATTENZIONE DI:` → `ALL'ATTENZIONE DI`).
 */
export function normaliseHeader(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\s*:$/, '').replace(APOSTROPHES, "'").toUpperCase();
}
