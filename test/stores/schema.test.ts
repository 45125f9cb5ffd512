import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFields } from '../../src/parsers/export-tables.js';
import { EXPORT_TYPES, databaseOf, exportTable } from '../../src/exports/registry.js';
import { ACCOUNT_COLUMN, ORDER_LINK_COLUMN, ROW_COLUMNS, tableLayout, columnOf, sqlTypeOf } from '../../src/stores/record-columns.js';
import { openRecordStores, closeRecordStores, type RecordStores } from '../../src/stores/sqlite-record-store.js';
import { tempDir } from '../support/export-records.js';

describe('record columns', () => {
  it('name a field by its snake_case', () => {
    expect(columnOf('ddtNumber')).toBe('ddt_number');
    expect(columnOf('previousOrderCount1')).toBe('previous_order_count1');
    expect(columnOf('dataAreaId')).toBe('data_area_id');
  });

  it('prefix erp_ to a field that would collide with a column the store adds', () => {
    expect(columnOf('createdAt')).toBe('erp_created_at');
    expect(columnOf('account')).toBe('erp_account');
  });
});

describe('database schemas', () => {
  const dir = tempDir('schema-');
  let stores: RecordStores;
  beforeAll(() => {
    stores = openRecordStores(dir.path);
  });
  afterAll(() => {
    closeRecordStores(stores);
    dir.remove();
  });
  const columnsOf = (type: (typeof EXPORT_TYPES)[number]): { name: string; type: string; notnull: number }[] =>
    stores[databaseOf(type).name]!.db.pragma(`table_info(${type})`) as { name: string; type: string; notnull: number }[];

  it.each(EXPORT_TYPES)('%s table has one column per record field of its export table, and the store columns', (type) => {
    const layout = tableLayout(type);
    const storeColumns = [...(layout.perAccount ? [ACCOUNT_COLUMN] : []), ...(layout.linkedToOrders ? [ORDER_LINK_COLUMN] : []), ...ROW_COLUMNS];
    const expected = [...recordFields(exportTable(type)).map(columnOf), ...storeColumns];
    const actual = columnsOf(type).map((c) => c.name);
    expect([...actual].sort()).toEqual([...expected].sort());
    expect(new Set(actual).size).toBe(actual.length);
  });

  it.each(EXPORT_TYPES)('%s columns have the SQL type of their field type', (type) => {
    const layout = tableLayout(type);
    const declared = new Map(columnsOf(type).map((c) => [c.name, c.type]));
    layout.columns.forEach((column, i) => {
      expect([column, declared.get(column)]).toEqual([column, sqlTypeOf(layout.fieldTypes[i] ?? 'text')]);
    });
  });

  it.each(EXPORT_TYPES)('%s key columns are not nullable', (type) => {
    const layout = tableLayout(type);
    const notNull = new Set(columnsOf(type).filter((c) => c.notnull).map((c) => c.name));
    for (const column of [...layout.keyColumns, ...(layout.perAccount ? [ACCOUNT_COLUMN] : [])]) expect(notNull).toContain(column);
  });
});
