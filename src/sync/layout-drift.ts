import type { LayoutDrift } from '../../machines/index.js';
import type { FieldValue } from '../parsers/export-tables.js';
import type { ExportLayout, ExportRecord } from '../parsers/types.js';

/**
 * Layout drift: an export whose columns differ from its table's. Column visibility is a per-user ERP
 * setting (ERP-EXPORTS §1), so a user who hides or renames an optional column changes the export without
 * the data changing. A field with no column is *unknown* for that export, not empty:
 *
 * - a stored row keeps its value of such a field: the apply step reads it back (`RecordStore.readValues`)
 *   and puts it into the record before hashing and writing, so the row is written only when a field the
 *   export does show changed, and then with the stored value of the missing one;
 * - the stored hash therefore always stays the hash of the whole stored row (`hashRecord` of every
 *   field), whichever columns the export that wrote it had: an export missing a column compares the
 *   shown fields plus the stored rest, so it counts no row as changed for the missing column; a later
 *   export with the column back hashes every field from the file and sees any real change, including one
 *   made while the column was hidden;
 * - a new row gets null for a missing field (nothing is known of it);
 * - a renamed column's header matches no field: its text goes to `extra`, which change detection leaves
 *   out (`HASH_SCHEMA` `h3`).
 *
 * The run reports the drift (`RunStats.layoutDrift`): the ledger, `why`, the stream and the dashboard show it.
 */

/** The drift of a parsed layout, or undefined when the export shows every field its table knows and no other column. */
export function layoutDriftOf(layout: Pick<ExportLayout, 'missingFields' | 'unknownColumns'>): LayoutDrift | undefined {
  if (layout.missingFields.length === 0 && layout.unknownColumns.length === 0) return undefined;
  return { missingFields: [...layout.missingFields], unknownColumns: [...layout.unknownColumns] };
}

/** `record` with the stored `values` of the `fields` its export had no column for. */
export function withStoredValues(record: ExportRecord, fields: readonly string[], values: readonly FieldValue[]): ExportRecord {
  const merged: ExportRecord = { ...record };
  fields.forEach((field, i) => (merged[field] = values[i] ?? null));
  return merged;
}
