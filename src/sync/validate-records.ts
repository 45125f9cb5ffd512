import type { FieldType } from '../parsers/export-tables.js';
import { ExportInvalidError, type ExportRecord } from '../parsers/types.js';
import { encodeKey, type TableLayout } from '../stores/record-columns.js';

const expectedKind: Record<FieldType, 'string' | 'number' | 'integer' | 'boolean'> = {
  text: 'string',
  id: 'string',
  date: 'string',
  datetime: 'string',
  tracking: 'string',
  int: 'integer',
  number: 'number',
  money: 'number',
  percent: 'number',
  bool: 'boolean',
};

/**
 * Checks parsed records against their table before anything is written, and returns their keys.
 * A record with an empty key, a field of the wrong type or a field the table does not know would be
 * stored wrongly or silently dropped; such an export is not trusted (fail closed, nothing written).
 *
 * @throws ExportInvalidError naming the first offending record (1-based) and field.
 */
export function validateRecords(layout: TableLayout, records: readonly ExportRecord[]): string[] {
  const known = new Set([...layout.fields, 'extra']);
  return records.map((record, index) => {
    const where = `${layout.type} record ${index + 1}`;
    for (const name of Object.keys(record)) {
      if (!known.has(name)) throw new ExportInvalidError(`${where}: unknown field ${name}`);
    }
    layout.fields.forEach((field, i) => {
      const value = record[field];
      if (value === undefined || value === null) return;
      const kind = expectedKind[layout.fieldTypes[i] ?? 'text'];
      const ok =
        kind === 'integer' ? Number.isInteger(value) : kind === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === kind;
      if (!ok) throw new ExportInvalidError(`${where}: field ${field} should be ${kind}, got ${JSON.stringify(value)}`);
    });
    if (record.extra !== undefined && (typeof record.extra !== 'object' || record.extra === null)) {
      throw new ExportInvalidError(`${where}: extra should be an object`);
    }
    const key = layout.keyFields.map((field) => record[field]);
    if (key.some((v) => v === undefined || v === null || v === '')) {
      throw new ExportInvalidError(`${where}: empty key (${layout.keyFields.join(', ')})`);
    }
    return encodeKey(key as (string | number)[]);
  });
}
