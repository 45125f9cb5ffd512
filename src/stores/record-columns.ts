import { exportDefinition } from '../exports/registry.js';
import { TRACKING_FIELDS, recordFields, type ExportName, type FieldType, type FieldValue } from '../parsers/export-tables.js';

/**
 * How export records map onto table columns. Each record field is one column named by the snake_case of
 * the field (`ddtNumber` → `ddt_number`), so the export tables in `export-tables.ts` stay the one place
 * where fields are named; `test/stores/schema.test.ts` fails when a migration and a table disagree.
 */

/** Columns every stored row carries besides its record fields. */
export const ROW_COLUMNS = ['extra', 'hash', 'created_at', 'updated_at', 'deleted_at'] as const;

/** The ERP login a per-agent row belongs to (absent from shared tables). */
export const ACCOUNT_COLUMN = 'account';

/** On DDT and invoices: the `erp_id` of the order they belong to, or NULL while unknown. */
export const ORDER_LINK_COLUMN = 'order_erp_id';

const RESERVED = new Set<string>([ACCOUNT_COLUMN, ORDER_LINK_COLUMN, ...ROW_COLUMNS]);

/** `previousOrderCount1` → `previous_order_count1`. */
export function snakeCase(field: string): string {
  return field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * The column of a record field: its snake_case, prefixed with `erp_` when that would collide with a
 * column the store adds itself — the order's creation time `createdAt` is `erp_created_at` (the row's
 * own `created_at` is when we first stored it), and the price list's `account` is `erp_account`
 * (`account` is the agent login on per-agent tables).
 */
export function columnOf(field: string): string {
  const column = snakeCase(field);
  return RESERVED.has(column) ? `erp_${column}` : column;
}

/** The SQLite column type of a field type; booleans are INTEGER 0/1. */
export function sqlTypeOf(type: FieldType): 'TEXT' | 'INTEGER' | 'REAL' {
  switch (type) {
    case 'int':
    case 'bool':
      return 'INTEGER';
    case 'number':
    case 'money':
    case 'percent':
      return 'REAL';
    default:
      return 'TEXT';
  }
}

/** One export's table as the store sees it. */
export interface TableLayout {
  readonly type: ExportName;
  /** Table name (the export type). */
  readonly table: string;
  readonly perAccount: boolean;
  /** Record fields in `recordFields` order, with their types and columns at the same index. */
  readonly fields: readonly string[];
  readonly fieldTypes: readonly FieldType[];
  readonly columns: readonly string[];
  readonly keyFields: readonly string[];
  readonly keyColumns: readonly string[];
  readonly linkedToOrders: boolean;
}

function layoutOf(type: ExportName): TableLayout {
  const { table, store } = exportDefinition(type);
  const typeOf = new Map<string, FieldType>();
  for (const c of table.columns) {
    if (c.type === 'tracking') for (const f of TRACKING_FIELDS) typeOf.set(f, 'text');
    else typeOf.set(c.field, c.type);
  }
  const fields = recordFields(table);
  return {
    type,
    table: type,
    perAccount: table.perAccount,
    fields,
    fieldTypes: fields.map((f) => typeOf.get(f) ?? 'text'),
    columns: fields.map(columnOf),
    keyFields: table.key,
    keyColumns: table.key.map(columnOf),
    linkedToOrders: store.linkedToOrders,
  };
}

const layouts = new Map<ExportName, TableLayout>();

/** A registered export's table layout (computed once per export). */
export function tableLayout(type: ExportName): TableLayout {
  let layout = layouts.get(type);
  if (layout === undefined) layouts.set(type, (layout = layoutOf(type)));
  return layout;
}

/**
 * A record key as one string (JSON of the key values in key order), comparable between a parsed record
 * and a stored row: numbers read back from REAL columns print as the parser's numbers did.
 */
export function encodeKey(values: readonly FieldValue[]): string {
  return JSON.stringify(values);
}
