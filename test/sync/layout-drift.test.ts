/**
 * Layout drift (issue 13 item 2, ERP-EXPORTS §1): an export whose user hid an optional column, or whose
 * column prints under a header the table does not know, leaves the stored values of that field alone.
 * Real PDFs from the fixture generator, read by pdf.js in the parse worker, applied to real SQLite files.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportRecord } from '../../src/parsers/types.js';
import { generateDataset } from '../../src/simulator/dataset.js';
import { SMALL_DATASET, withRenamedColumn } from '../../src/simulator/fixtures.js';
import { renderExportToFile } from '../../src/simulator/render-export.js';
import { openRecordStore } from '../../src/stores/sqlite-record-store.js';
import { applyExport, type ApplyResult, type ApplyStats } from '../../src/sync/apply-export.js';
import { storesIn, tempDir } from '../support/export-records.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const FULL_ORDERS = join(FIXTURES, 'exports', 'orders.pdf');
const FULL_CUSTOMERS = join(FIXTURES, 'exports', 'customers.pdf');
const variant = (name: string): string => join(FIXTURES, 'variants', `${name}.pdf`);

const T1 = new Date('2026-02-01T08:00:00.000Z');
const T2 = new Date('2026-02-02T08:00:00.000Z');
const T3 = new Date('2026-02-03T08:00:00.000Z');

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir('drift-');
});
afterEach(() => dir.remove());

function importFile(type: 'orders' | 'customers', file: string, now: Date): Promise<ApplyResult> {
  return applyExport(file, { type, account: 'default', openStore: storesIn(dir.path), now: () => now });
}

/** Every stored row of a table: key, the given columns, hash and updated_at, by key. */
function rows(database: 'orders' | 'customers', columns: readonly string[]): Map<string, Record<string, unknown>> {
  const store = openRecordStore(dir.path, database);
  try {
    const all = store.db.prepare(`SELECT erp_id, ${columns.join(', ')}, extra, hash, updated_at FROM ${database} WHERE account = 'default'`).all() as Record<string, unknown>[];
    return new Map(all.map((row) => [row.erp_id as string, row]));
  } finally {
    store.close();
  }
}

const counts = ({ parsed, inserted, updated, unchanged, deleted }: ApplyStats) => ({ parsed, inserted, updated, unchanged, deleted });

/** The generator's orders, as the committed fixtures draw them. */
const orders = (): ExportRecord[] => structuredClone(generateDataset(SMALL_DATASET).orders);

describe('orders export with RIFERIMENTO CLIENTE renamed or hidden', () => {
  it.each([
    ['renamed to RIF. CLIENTE', 'orders-renamed-reference', ['RIF. CLIENTE']],
    ['hidden', 'orders-hidden-reference', []],
  ])('%s: keeps customer_reference on every stored row, counts no row updated and reports the drift', async (_, name, unknownColumns) => {
    const first = await importFile('orders', FULL_ORDERS, T1);
    expect(counts(first.stats)).toEqual({ parsed: 60, inserted: 60, updated: 0, unchanged: 0, deleted: 0 });
    expect(first.stats.layoutDrift).toBeUndefined();
    const before = rows('orders', ['customer_reference']);
    // The check means something only if the stored values are not all empty.
    expect([...before.values()].filter((r) => r.customer_reference !== null).length).toBeGreaterThan(20);

    const drifted = await importFile('orders', variant(name), T2);
    expect(counts(drifted.stats)).toEqual({ parsed: 60, inserted: 0, updated: 0, unchanged: 60, deleted: 0 });
    expect(drifted.stats.layoutDrift).toEqual({ missingFields: ['customerReference'], unknownColumns });
    expect(drifted.layout?.missingColumns).toEqual(['RIFERIMENTO CLIENTE']);
    // Nothing was written: the values, the hashes and updated_at are those of the first import.
    expect(rows('orders', ['customer_reference'])).toEqual(before);
  });

  it('writes a row whose shown fields changed with its stored customer_reference, and inserts a new one with null', async () => {
    const records = orders();
    const [changed, added] = [records[3]!, records[0]!];
    expect(changed.customerReference).not.toBeNull();
    const firstFile = join(dir.path, 'first.pdf');
    await renderExportToFile(firstFile, 'orders', records.slice(1));
    await importFile('orders', firstFile, T1);
    const stored = rows('orders', ['customer_reference', 'sales_status']);

    changed.salesStatus = changed.salesStatus === 'Fatturato' ? 'Consegnato' : 'Fatturato';
    const driftFile = join(dir.path, 'drift.pdf');
    await renderExportToFile(driftFile, 'orders', withRenamedColumn(records, 'customerReference', 'RIF. CLIENTE'), { variant: 'renamed-reference' });
    const drifted = await importFile('orders', driftFile, T2);

    expect(counts(drifted.stats)).toEqual({ parsed: 60, inserted: 1, updated: 1, unchanged: 58, deleted: 0 });
    const after = rows('orders', ['customer_reference', 'sales_status']);
    expect(after.get(changed.erpId as string)).toMatchObject({
      sales_status: changed.salesStatus,
      customer_reference: stored.get(changed.erpId as string)!.customer_reference,
      extra: JSON.stringify({ 'RIF. CLIENTE': changed.customerReference }),
      updated_at: T2.toISOString(),
    });
    // A new row: nothing is known of the field the export does not show.
    expect(after.get(added.erpId as string)).toMatchObject({ customer_reference: null, updated_at: T2.toISOString() });
    for (const [key, row] of stored) if (key !== changed.erpId) expect(after.get(key), key).toEqual(row);
  });

  it('sees a change of customer_reference made while the column was hidden once the column is back', async () => {
    await importFile('orders', FULL_ORDERS, T1);
    const records = orders();
    const edited = records[5]!;
    edited.customerReference = 'Rif. cambiato mentre era nascosto';
    const hiddenFile = join(dir.path, 'hidden.pdf');
    await renderExportToFile(hiddenFile, 'orders', records, { variant: 'hidden-reference' });
    expect(counts((await importFile('orders', hiddenFile, T2)).stats)).toMatchObject({ updated: 0, unchanged: 60 });

    const backFile = join(dir.path, 'back.pdf');
    await renderExportToFile(backFile, 'orders', records);
    const back = await importFile('orders', backFile, T3);
    expect(counts(back.stats)).toEqual({ parsed: 60, inserted: 0, updated: 1, unchanged: 59, deleted: 0 });
    expect(back.stats.layoutDrift).toBeUndefined();
    expect(rows('orders', ['customer_reference']).get(edited.erpId as string)).toMatchObject({ customer_reference: edited.customerReference, updated_at: T3.toISOString() });
  });
});

describe('customers export with PEC and TELEFONO hidden', () => {
  it('keeps pec and phone on every stored row, counts no row updated and reports both fields', async () => {
    await importFile('customers', FULL_CUSTOMERS, T1);
    const before = rows('customers', ['pec', 'phone']);
    expect([...before.values()].filter((r) => r.pec !== null && r.phone !== null).length).toBeGreaterThan(10);

    const drifted = await importFile('customers', variant('customers-hidden-pec-phone'), T2);
    expect(counts(drifted.stats)).toEqual({ parsed: 60, inserted: 0, updated: 0, unchanged: 60, deleted: 0 });
    expect(drifted.stats.layoutDrift).toEqual({ missingFields: ['pec', 'phone'], unknownColumns: [] });
    expect(rows('customers', ['pec', 'phone'])).toEqual(before);
  });
});
