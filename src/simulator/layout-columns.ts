/**
 * Column builders for an export's layouts, bound to its parse table, so that a layout reads as
 * header · field · width and a field's alignment follows from its type (numbers right, text left).
 */
import type { ColumnSpec, ExportTable } from '../parsers/export-tables.js';
import type { BoolStyle } from './formats.js';
import type { Align, LayoutColumn } from './layout-types.js';

const NUMERIC_TYPES = new Set(['int', 'number', 'money', 'percent']);

/** A header centred over its column (some headers are, whatever the data's alignment). */
export const CENTER = 'center' as const;

/** The table column behind a layout field (the n-th of equal headers is told apart by `occurrence`). */
export function tableColumn(table: ExportTable, field: string): ColumnSpec {
  const spec = table.columns.find((c) => c.field === field);
  if (!spec) throw new Error(`${table.type} has no field ${field}`);
  return spec;
}

/** What a field column may set besides header, field and width. */
export interface ColumnOptions {
  headerAlign?: Align;
  boolStyle?: BoolStyle;
}

/** The builders of one export's layout columns. */
export interface LayoutColumns {
  /** A column showing a record field. */
  f(header: string, field: string, width: number, options?: ColumnOptions): LayoutColumn;
  /** A column the parser must skip (an icon column, or junk such as `System.Byte[]`). */
  skip(header: string, width: number, text?: string): LayoutColumn;
  /** A column the export table does not know (it lands in `extra`). */
  extra(header: string, width: number): LayoutColumn;
}

/** Column builders bound to one export's parse table. */
export function columnsOf(table: ExportTable): LayoutColumns {
  return {
    f(header, field, width, options = {}) {
      const numeric = NUMERIC_TYPES.has(tableColumn(table, field).type);
      return {
        header,
        content: { kind: 'field', field },
        width,
        align: numeric ? 'right' : 'left',
        headerAlign: options.headerAlign ?? (numeric ? 'center' : 'left'),
        ...(options.boolStyle ? { boolStyle: options.boolStyle } : {}),
      };
    },
    skip(header, width, text = '') {
      return { header, content: { kind: 'ignored', text }, width, align: 'left', headerAlign: 'center' };
    },
    extra(header, width) {
      return { header, content: { kind: 'extra' }, width, align: 'left', headerAlign: 'left' };
    },
  };
}
