/**
 * The text of one cell: a record value formatted by its field type the way the ERP prints it.
 * A `\n` in the result is a hard line break the parser re-joins with the column's `join`.
 */
import { normaliseHeader, type FieldType, type FieldValue } from '../parsers/export-tables.js';
import type { ExportRecord } from '../parsers/types.js';
import {
  formatAmount, formatBool, formatDate, formatDateTime, formatInt, formatPercent, formatQuantity, formatTracking,
} from './formats.js';
import { columnSpec, type Layout, type LayoutColumn } from './layouts.js';

/**
 * Splits a joined two-line address before its postal code: `Via Roma, 12, 20121 Milano MI` →
 * `Via Roma, 12` + `20121 Milano MI` (the parser joins the lines with `, `).
 */
export function addressLines(value: string): string {
  return value.replace(/, (?=\d{5} )/, '\n');
}

/**
 * A record field as its cell prints it; empty for `null`. `as` formats the value as another type (a
 * footer sums a text column of amounts as money).
 */
export function formatField(layout: Layout, column: LayoutColumn, field: string, record: ExportRecord, as?: FieldType): string {
  const spec = as ? { ...columnSpec(layout.type, field), type: as } : columnSpec(layout.type, field);
  if (spec.type === 'tracking') {
    const { trackingCourier: courier, trackingNumber: number, trackingUrl: url } = record;
    if (typeof courier !== 'string' || typeof number !== 'string' || typeof url !== 'string') return '';
    return formatTracking({ courier, number, url });
  }
  const value = record[field] as FieldValue | undefined;
  if (value === null || value === undefined) return '';
  switch (spec.type) {
    case 'int':
      return formatInt(Number(value));
    case 'number':
      return formatQuantity(Number(value), layout.moneyStyle);
    case 'money':
      return formatAmount(Number(value), layout.moneyStyle);
    case 'percent':
      return formatPercent(Number(value));
    case 'date':
      return formatDate(String(value));
    case 'datetime':
      return formatDateTime(String(value));
    case 'bool':
      return formatBool(Boolean(value), column.boolStyle ?? 'checkbox');
    default:
      return spec.join === ', ' ? addressLines(String(value)) : String(value);
  }
}

/** The text of a data cell of `record` in `column`. */
export function cellText(layout: Layout, column: LayoutColumn, record: ExportRecord): string {
  switch (column.content.kind) {
    case 'field':
      return formatField(layout, column, column.content.field, record);
    case 'ignored':
      return column.content.text;
    case 'extra':
      return record.extra?.[normaliseHeader(column.header)] ?? '';
  }
}
