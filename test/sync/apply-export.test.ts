import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportType } from '../../src/exports/registry.js';
import { ExportInvalidError, type ExportRecord } from '../../src/parsers/types.js';
import { StoreError } from '../../src/stores/errors.js';
import { openRecordStore, type SqliteRecordStore } from '../../src/stores/sqlite-record-store.js';
import { tableChecksum } from '../../src/stores/table-checksum.js';
import { BATCH_SIZE, applyExport, type ApplyCheckpoint, type ApplyOptions, type ApplyProgress, type ApplyResult, type ApplyStats } from '../../src/sync/apply-export.js';
import { fakeParse, makeRecord, makeRecords, storesIn, tempDir } from '../support/export-records.js';

const T1 = new Date('2026-02-01T08:00:00.000Z');
const T2 = new Date('2026-02-02T08:00:00.000Z');
const T3 = new Date('2026-02-03T08:00:00.000Z');

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir('apply-');
});
afterEach(() => dir.remove());

/** Applies `records` as an export of `type` to the data dir (or to `options.stores`). */
function importExport(type: ExportType, records: readonly ExportRecord[], options: Partial<ApplyOptions> = {}): Promise<ApplyResult> {
  return applyExport(join(dir.path, `${type}.pdf`), {
    type,
    account: 'default',
    openStore: storesIn(dir.path),
    parse: fakeParse(type, () => records),
    now: () => T1,
    ...options,
  });
}

/** The counters of a result, without the timings. */
const counts = ({ durationMs: _, ...rest }: ApplyStats): Omit<ApplyStats, 'durationMs'> => rest;

function withStore<T>(database: 'customers' | 'orders', fn: (store: SqliteRecordStore) => T): T {
  const store = openRecordStore(dir.path, database);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

const activeCount = (database: 'customers' | 'orders', table: string, account = 'default'): number =>
  withStore(database, (s) => s.db.prepare(`SELECT COUNT(*) FROM ${table} WHERE account = ? AND deleted_at IS NULL`).pluck().get(account) as number);

describe('applyExport: upserting', () => {
  it('inserts every record of a first import, in several transactions', async () => {
    const checkpoints: number[] = [];
    const progress: ApplyProgress[] = [];
    const result = await importExport('customers', makeRecords('customers', 2_300), {
      onCheckpoint: (c) => checkpoints.push(c.nextBatch),
      onProgress: (p) => progress.push(p),
    });
    expect(result.outcome).toBe('completed');
    expect(progress.slice(-2)).toEqual([{ phase: 'applying', recordsDone: 2_300, recordsTotal: 2_300 }, { phase: 'finalizing' }]);
    expect(Object.values(result.stats.durationMs).every((ms) => ms >= 0)).toBe(true);
    expect(counts(result.stats)).toEqual({ parsed: 2_300, inserted: 2_300, updated: 0, unchanged: 0, deleted: 0, orphans: 0, unlinked: 0 });
    expect(checkpoints).toEqual([1, 2, 3, 4, 5]);
    expect(activeCount('customers', 'customers')).toBe(2_300);
  });

  it('writes nothing when the same export is imported a second time', async () => {
    const records = makeRecords('customers', 2_300);
    const store = openRecordStore(dir.path, 'customers');
    try {
      await importExport('customers', records, { stores: { customers: store } });
      // The orchestrator acknowledges the changes once it has recorded the completion.
      store.acknowledgeChanges('customers', 'default');
      const before = store.db.prepare('SELECT total_changes()').pluck().get();
      const again = await importExport('customers', records, { stores: { customers: store }, now: () => T2 });
      expect(store.db.prepare('SELECT total_changes()').pluck().get()).toBe(before);
      expect(counts(again.stats)).toEqual({ parsed: 2_300, inserted: 0, updated: 0, unchanged: 2_300, deleted: 0, orphans: 0, unlinked: 0 });
    } finally {
      store.close();
    }
  });

  it('reports carriedChanges when it finds every row stored by an earlier run whose changes were not acknowledged', async () => {
    const records = makeRecords('orders', 30);
    const first = await importExport('orders', records);
    expect(first.stats.carriedChanges).toBeUndefined();
    const again = await importExport('orders', records, { now: () => T2 });
    expect(counts(again.stats)).toEqual({ parsed: 30, inserted: 0, updated: 0, unchanged: 30, deleted: 0, orphans: 0, unlinked: 0, carriedChanges: true });
    withStore('orders', (store) => store.acknowledgeChanges('orders', 'default'));
    const acknowledged = await importExport('orders', records, { now: () => T3 });
    expect(acknowledged.stats.carriedChanges).toBeUndefined();
  });

  it('writes nothing when orders, DDT and invoices are imported again, links included', async () => {
    const orders = makeRecords('orders', 50).map((r, n) => ({ ...r, orderNumber: `ORD/${n}` }));
    const ddt = makeRecords('ddt', 80).map((r, n) => ({ ...r, orderNumber: `ORD/${n}` }));
    const invoices = makeRecords('invoices', 60).map((r, n) => ({ ...r, orderNumber: n % 2 ? `ORD/${n}` : null }));
    const store = openRecordStore(dir.path, 'orders');
    const importAll = async (now: Date): Promise<void> => {
      for (const [type, records] of [['orders', orders], ['ddt', ddt], ['invoices', invoices]] as const) {
        await importExport(type, records, { stores: { orders: store }, now: () => now });
      }
    };
    try {
      await importAll(T1);
      const before = store.db.prepare('SELECT total_changes()').pluck().get();
      await importAll(T2);
      expect(store.db.prepare('SELECT total_changes()').pluck().get()).toBe(before);
    } finally {
      store.close();
    }
  });

  it('counts exactly the changed, added and removed records', async () => {
    await importExport('customers', makeRecords('customers', 1_000));
    const next = [
      ...makeRecords('customers', 900).map((r, n) => (n % 18 === 0 ? { ...r, name: `renamed ${n}` } : r)),
      ...makeRecords('customers', 100, 1_000),
    ];
    const result = await importExport('customers', next, { now: () => T2 });
    expect(counts(result.stats)).toEqual({ parsed: 1_000, inserted: 100, updated: 50, unchanged: 850, deleted: 100, orphans: 0, unlinked: 0 });
    expect(result.flags).toEqual([]);
    const deleted = withStore('customers', (s) => s.db.prepare('SELECT erp_id, deleted_at FROM customers WHERE deleted_at IS NOT NULL ORDER BY erp_id').all());
    expect(deleted).toEqual(makeRecords('customers', 100, 900).map((r) => ({ erp_id: r.erpId, deleted_at: T2.toISOString() })));
  });

  it('rewrites a changed row and keeps its created_at', async () => {
    await importExport('customers', [makeRecord('customers', 1)]);
    await importExport('customers', [makeRecord('customers', 1, { city: 'Verona', extra: { NOTE: 'x' } })], { now: () => T2 });
    const row = withStore('customers', (s) => s.db.prepare('SELECT city, extra, created_at, updated_at FROM customers').get());
    expect(row).toEqual({ city: 'Verona', extra: '{"NOTE":"x"}', created_at: T1.toISOString(), updated_at: T2.toISOString() });
  });

  it('rewrites every row exactly once after a hash-schema change, and nothing on the run after', async () => {
    const records = makeRecords('customers', 1_200);
    await importExport('customers', records);
    // A database written by a version with another hash format: every stored hash differs from today's.
    withStore('customers', (s) => s.db.prepare("UPDATE customers SET hash = 'h1:' || hash").run());
    const content = (): unknown[] =>
      withStore('customers', (s) => s.db.prepare('SELECT * FROM customers ORDER BY erp_id').all() as Record<string, unknown>[]).map(({ hash: _h, updated_at: _u, ...rest }) => rest);
    const before = content();
    const rehashed = await importExport('customers', records, { now: () => T2 });
    expect(counts(rehashed.stats)).toMatchObject({ inserted: 0, updated: 1_200, unchanged: 0, deleted: 0 });
    expect(content()).toEqual(before);
    expect(withStore('customers', (s) => s.db.prepare("SELECT COUNT(*) FROM customers WHERE hash LIKE 'h1:%' OR updated_at <> ?").pluck().get(T2.toISOString()))).toBe(0);
    const again = await importExport('customers', records, { now: () => T3 });
    expect(counts(again.stats)).toMatchObject({ inserted: 0, updated: 0, unchanged: 1_200, deleted: 0 });
  });

  it('revives a removed row when it reappears, counting it as updated', async () => {
    const records = makeRecords('customers', 10);
    await importExport('customers', records);
    const removed = await importExport('customers', records.filter((_, n) => n !== 3), { now: () => T2 });
    expect(removed.stats.deleted).toBe(1);
    const back = await importExport('customers', records, { now: () => T3 });
    expect(counts(back.stats)).toMatchObject({ inserted: 0, updated: 1, unchanged: 9, deleted: 0 });
    const row = withStore('customers', (s) => s.db.prepare('SELECT deleted_at, updated_at FROM customers WHERE erp_id = ?').get(records[3]!.erpId));
    expect(row).toEqual({ deleted_at: null, updated_at: T3.toISOString() });
    expect(activeCount('customers', 'customers')).toBe(10);
  });
});

describe('applyExport: a key repeated within one export', () => {
  /**
   * 1,200 customers, then three repeats: customer 10 unchanged in its own batch, customer 5 changed two
   * batches later, customer 1,100 changed in the same batch. The later record wins; each repeat is
   * judged against what the run wrote before it.
   */
  function withRepeats(): ExportRecord[] {
    const records = makeRecords('customers', 1_200);
    const out = [...records];
    out.splice(20, 0, records[10]!);
    out.splice(1_000, 0, { ...records[5]!, name: 'renamed later in the export' });
    out.push({ ...records[1_100]!, city: 'Trento' });
    return out;
  }

  const stored = (erpId: unknown): unknown =>
    withStore('customers', (s) => s.db.prepare('SELECT name, city FROM customers WHERE erp_id = ?').get(erpId));

  it('counts repeats as unchanged or updated on a first import, and keeps the later record', async () => {
    const records = withRepeats();
    const result = await importExport('customers', records);
    expect(counts(result.stats)).toEqual({ parsed: 1_203, inserted: 1_200, updated: 2, unchanged: 1, deleted: 0, orphans: 0, unlinked: 0 });
    expect(stored(records[1_000]!.erpId)).toMatchObject({ name: 'renamed later in the export' });
    expect(stored(records[1_202]!.erpId)).toMatchObject({ city: 'Trento' });
    expect(activeCount('customers', 'customers')).toBe(1_200);
  });

  it('judges them the same way when the account already has rows, and when a first import was paused and resumed', async () => {
    const records = withRepeats();
    const first = await importExport('customers', records);
    const again = await importExport('customers', records, { now: () => T2 });
    // The stored row of a changed repeated key is the later record: its earlier record reads as a
    // change, and the later one as a change back (customers 5 and 1,100); the identical repeat does not.
    expect(counts(again.stats)).toMatchObject({ inserted: 0, updated: 4, unchanged: 1_199, deleted: 0 });

    const resumedDir = tempDir('apply-repeats-');
    try {
      const controller = new AbortController();
      const at = { openStore: storesIn(resumedDir.path), now: () => T1 };
      const paused = await importExport('customers', records, { ...at, signal: controller.signal, onCheckpoint: () => controller.abort() });
      if (paused.outcome !== 'paused') throw new Error(`expected a pause, got ${paused.outcome}`);
      const resumed = await importExport('customers', records, { ...at, resumeFrom: paused.checkpoint });
      expect(counts(resumed.stats)).toEqual(counts(first.stats));
      const table = (dataDir: string): string => {
        const store = openRecordStore(dataDir, 'customers');
        try {
          return tableChecksum(store.db, 'customers');
        } finally {
          store.close();
        }
      };
      const straight = tempDir('apply-straight-');
      try {
        await importExport('customers', records, { openStore: storesIn(straight.path), now: () => T1 });
        expect(table(resumedDir.path)).toBe(table(straight.path));
      } finally {
        straight.remove();
      }
    } finally {
      resumedDir.remove();
    }
  });
});

describe('applyExport: completeness guard', () => {
  const seed = (): Promise<ApplyResult> => importExport('customers', makeRecords('customers', 100));

  it('deletes nothing and flags INCOMPLETE_EXPORT when the export holds under 70 % of the active rows', async () => {
    await seed();
    const result = await importExport('customers', makeRecords('customers', 69), { now: () => T2 });
    expect(result.flags).toEqual(['INCOMPLETE_EXPORT']);
    expect(result.stats.deleted).toBe(0);
    expect(activeCount('customers', 'customers')).toBe(100);
  });

  it('deletes the absent rows when the export holds 70 % of the active rows', async () => {
    await seed();
    const result = await importExport('customers', makeRecords('customers', 70), { now: () => T2 });
    expect(result.flags).toEqual([]);
    expect(result.stats.deleted).toBe(30);
    expect(activeCount('customers', 'customers')).toBe(70);
  });

  it('deletes nothing and flags INCOMPLETE_EXPORT for an empty export, whatever the threshold', async () => {
    await seed();
    const result = await importExport('customers', [], { now: () => T2, completenessMin: 0 });
    expect(result.flags).toEqual(['INCOMPLETE_EXPORT']);
    expect(activeCount('customers', 'customers')).toBe(100);
  });

  it('accepts an empty export into an empty table without a flag', async () => {
    const result = await importExport('customers', []);
    expect(result).toMatchObject({ outcome: 'completed', flags: [] });
  });

  it('follows a configured threshold', async () => {
    await seed();
    const lenient = await importExport('customers', makeRecords('customers', 60), { now: () => T2, completenessMin: 0.5 });
    expect(lenient.stats.deleted).toBe(40);
    const strict = await importExport('customers', makeRecords('customers', 50), { now: () => T3, completenessMin: 0.9 });
    expect(strict.flags).toEqual(['INCOMPLETE_EXPORT']);
    expect(activeCount('customers', 'customers')).toBe(60);
  });
});

describe('applyExport: accounts', () => {
  it("never touches another account's rows, even under the same ERP keys", async () => {
    const records = makeRecords('customers', 10);
    await importExport('customers', records, { account: 'A' });
    await importExport('customers', records, { account: 'B' });
    const result = await importExport('customers', records.slice(0, 8), { account: 'A', now: () => T2 });
    expect(result.stats).toMatchObject({ unchanged: 8, deleted: 2 });
    expect(activeCount('customers', 'customers', 'A')).toBe(8);
    expect(activeCount('customers', 'customers', 'B')).toBe(10);
  });

  it('judges completeness against the rows of the importing account only', async () => {
    await importExport('customers', makeRecords('customers', 100), { account: 'A' });
    await importExport('customers', makeRecords('customers', 10, 500), { account: 'B' });
    const result = await importExport('customers', makeRecords('customers', 8, 500), { account: 'B', now: () => T2 });
    expect(result.flags).toEqual([]);
    expect(result.stats.deleted).toBe(2);
  });
});

describe('applyExport: linking documents to orders', () => {
  const order = (n: number): ExportRecord => makeRecord('orders', n, { orderNumber: `ORD/${n}` });
  const ddtFor = (n: number, orderNumber: string): ExportRecord => makeRecord('ddt', n, { orderNumber });
  const links = (table: 'ddt' | 'invoices'): unknown[] =>
    withStore('orders', (s) => s.db.prepare(`SELECT ${table === 'ddt' ? 'ddt_number' : 'invoice_number'} AS doc, order_erp_id FROM ${table} ORDER BY doc`).all());

  it('keeps a DDT whose order is unknown as an orphan and links it when the order arrives', async () => {
    const ddt = [ddtFor(1, 'ORD/1'), ddtFor(2, 'ORD/1'), ddtFor(3, 'ORD/2'), ddtFor(4, 'ORD/9')];
    const first = await importExport('ddt', ddt);
    expect(first.stats).toMatchObject({ inserted: 4, orphans: 4, unlinked: 0 });

    const orders = await importExport('orders', [order(1), order(2)], { now: () => T2 });
    expect(orders.stats).toMatchObject({ inserted: 2, orphans: 1 });
    const o1 = order(1).erpId;
    expect(links('ddt')).toEqual([
      { doc: 'ddtNumber 1', order_erp_id: o1 },
      { doc: 'ddtNumber 2', order_erp_id: o1 },
      { doc: 'ddtNumber 3', order_erp_id: order(2).erpId },
      { doc: 'ddtNumber 4', order_erp_id: null },
    ]);
  });

  it('links a DDT at once when its order is already known', async () => {
    await importExport('orders', [order(1)]);
    const result = await importExport('ddt', [ddtFor(1, 'ORD/1')], { now: () => T2 });
    expect(result.stats.orphans).toBe(0);
    expect(links('ddt')).toEqual([{ doc: 'ddtNumber 1', order_erp_id: order(1).erpId }]);
  });

  it('links invoices by order number and counts those without an order as unlinked', async () => {
    await importExport('orders', [order(1)]);
    const invoices = [
      makeRecord('invoices', 1, { orderNumber: 'ORD/1' }),
      makeRecord('invoices', 2, { orderNumber: 'ORD/5' }),
      makeRecord('invoices', 3, { orderNumber: null }),
    ];
    const result = await importExport('invoices', invoices, { now: () => T2 });
    expect(result.stats).toMatchObject({ unlinked: 2, orphans: 0 });
    const later = await importExport('orders', [order(1), order(5)], { now: () => T3 });
    expect(later.stats.unlinked).toBe(1);
    expect(links('invoices')).toEqual([
      { doc: 'invoiceNumber 1', order_erp_id: order(1).erpId },
      { doc: 'invoiceNumber 2', order_erp_id: order(5).erpId },
      { doc: 'invoiceNumber 3', order_erp_id: null },
    ]);
  });

  it('counts orphans and unlinked documents of the importing account only', async () => {
    await importExport('ddt', [ddtFor(1, 'ORD/1')], { account: 'B' });
    const result = await importExport('orders', [order(7)], { account: 'A' });
    expect(result.stats).toMatchObject({ orphans: 0, unlinked: 0 });
  });

  it('reports no link counts for exports without documents', async () => {
    const result = await importExport('products', makeRecords('products', 3));
    expect(result.stats).toMatchObject({ orphans: 0, unlinked: 0 });
  });
});

describe('applyExport: pause and resume', () => {
  /**
   * The same history in a data dir: 600 orders, 2,000 DDT of which 10 then vanish; then the DDT export
   * under test (returned): 100 DDT gone, 400 new, every 7th changed, the 10 vanished ones back.
   */
  async function prepare(dataDir: string): Promise<ExportRecord[]> {
    const at = (now: Date): Partial<ApplyOptions> => ({ openStore: storesIn(dataDir), now: () => now });
    const ddt = (n: number): ExportRecord => makeRecord('ddt', n, { orderNumber: `ORD/${n % 800}` });
    const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
    await importExport('orders', range(0, 600).map((n) => makeRecord('orders', n, { orderNumber: `ORD/${n}` })), at(T1));
    await importExport('ddt', range(0, 2_000).map(ddt), at(T1));
    await importExport('ddt', range(0, 1_990).map(ddt), at(T2));
    return range(100, 2_400).map((n) => (n % 7 === 0 ? { ...ddt(n), description: `changed ${n}` } : ddt(n)));
  }

  function checksums(dataDir: string): string[] {
    const store = openRecordStore(dataDir, 'orders');
    try {
      return ['orders', 'ddt', 'invoices'].map((table) => tableChecksum(store.db, table));
    } finally {
      store.close();
    }
  }

  it('spans several batches in the scenario', async () => {
    const records = await prepare(dir.path);
    expect(Math.ceil(records.length / BATCH_SIZE)).toBe(5);
  });

  it.each([0, 1, 3, 4])('paused after batch %i and resumed, ends with the database and stats of an uninterrupted run', async (k) => {
    const straight = tempDir('apply-straight-');
    try {
      const records = await prepare(straight.path);
      const expected = await importExport('ddt', records, { openStore: storesIn(straight.path), now: () => T3 });
      expect(expected.outcome).toBe('completed');

      await prepare(dir.path);
      const controller = new AbortController();
      const first = await importExport('ddt', records, {
        now: () => T3,
        signal: controller.signal,
        onCheckpoint: (c) => {
          if (c.nextBatch === k + 1) controller.abort();
        },
      });
      if (first.outcome !== 'paused') throw new Error(`expected a pause, got ${first.outcome}`);
      expect(first.checkpoint.nextBatch).toBe(k + 1);
      const persisted = JSON.parse(JSON.stringify(first.checkpoint)) as ApplyCheckpoint;

      const resumed = await importExport('ddt', records, { now: () => new Date('2030-01-01T00:00:00Z'), resumeFrom: persisted });
      expect(resumed.outcome).toBe('completed');
      expect(counts(resumed.stats)).toEqual(counts(expected.stats));
      expect(checksums(dir.path)).toEqual(checksums(straight.path));
    } finally {
      straight.remove();
    }
  });

  it('counts the scenario as the uninterrupted run sees it', async () => {
    const records = await prepare(dir.path);
    const result = await importExport('ddt', records, { now: () => T3 });
    const changedOld = records.filter((r, i) => i < 1_890 && (r.description as string).startsWith('changed')).length;
    expect(counts(result.stats)).toEqual({
      parsed: 2_300,
      inserted: 400,
      updated: changedOld + 10,
      unchanged: 1_890 - changedOld,
      deleted: 100,
      orphans: records.filter((r) => Number((r.orderNumber as string).slice(4)) >= 600).length,
      unlinked: 0,
    });
  });

  it('pauses without writing when aborted during the parse, and resumes from the start', async () => {
    const controller = new AbortController();
    const records = makeRecords('customers', 20);
    const parse = async (): Promise<never> => {
      controller.abort();
      throw new DOMException('aborted', 'AbortError');
    };
    const first = await applyExport(join(dir.path, 'customers.pdf'), { type: 'customers', account: 'default', openStore: storesIn(dir.path), parse, signal: controller.signal, now: () => T1 });
    if (first.outcome !== 'paused') throw new Error('expected a pause');
    expect(first.checkpoint).toMatchObject({ nextBatch: 0, recordCount: null, activeBefore: null });
    expect(existsSync(join(dir.path, 'customers.db'))).toBe(false);
    const resumed = await importExport('customers', records, { resumeFrom: first.checkpoint, now: () => T2 });
    expect(resumed.stats).toMatchObject({ inserted: 20 });
    expect(withStore('customers', (s) => s.db.prepare('SELECT DISTINCT created_at FROM customers').pluck().all())).toEqual([T1.toISOString()]);
  });

  it('refuses to resume when the re-parsed export holds a different number of records', async () => {
    const controller = new AbortController();
    const first = await importExport('customers', makeRecords('customers', 1_200), {
      signal: controller.signal,
      onCheckpoint: () => controller.abort(),
    });
    if (first.outcome !== 'paused') throw new Error('expected a pause');
    await expect(importExport('customers', makeRecords('customers', 1_100), { resumeFrom: first.checkpoint })).rejects.toThrow(/file changed/);
  });

  it('refuses a checkpoint of another target', async () => {
    const controller = new AbortController();
    const first = await importExport('customers', makeRecords('customers', 600), { signal: controller.signal, onCheckpoint: () => controller.abort() });
    if (first.outcome !== 'paused') throw new Error('expected a pause');
    await expect(importExport('customers', makeRecords('customers', 600), { account: 'other', resumeFrom: first.checkpoint })).rejects.toThrow(/cannot resume/);
  });
});

describe('applyExport: failures', () => {
  it('propagates an ExportInvalidError from the parser and leaves the database unchanged', async () => {
    await importExport('customers', makeRecords('customers', 30));
    const before = withStore('customers', (s) => tableChecksum(s.db, 'customers'));
    const parse = async (): Promise<never> => {
      throw new ExportInvalidError('customers export: required column PARTITA IVA missing');
    };
    await expect(importExport('customers', [], { parse, now: () => T2 })).rejects.toBeInstanceOf(ExportInvalidError);
    expect(withStore('customers', (s) => tableChecksum(s.db, 'customers'))).toBe(before);
  });

  it('creates no database at all when the first parse fails', async () => {
    const parse = async (): Promise<never> => {
      throw new ExportInvalidError('not a PDF');
    };
    await expect(importExport('orders', [], { parse })).rejects.toThrow('not a PDF');
    expect(existsSync(join(dir.path, 'orders.db'))).toBe(false);
  });

  it.each([
    ['an empty key', { erpId: null }, /empty key/],
    ['a field of the wrong type', { orderCount: '12' }, /orderCount should be integer/],
    ['a field the table does not know', { nickname: 'x' }, /unknown field nickname/],
  ])('rejects a record with %s before writing anything', async (_, override, message) => {
    await importExport('customers', makeRecords('customers', 5));
    const before = withStore('customers', (s) => tableChecksum(s.db, 'customers'));
    const records = [...makeRecords('customers', 700, 100), makeRecord('customers', 999, override as ExportRecord)];
    await expect(importExport('customers', records, { now: () => T2 })).rejects.toThrow(message);
    expect(withStore('customers', (s) => tableChecksum(s.db, 'customers'))).toBe(before);
  });

  it('rejects a parse result of another export type', async () => {
    await expect(importExport('customers', [], { parse: fakeParse('orders', () => []) })).rejects.toThrow(/expected a customers export/);
  });

  it('wraps a SQLite failure in a StoreError of class store-error', async () => {
    await importExport('customers', makeRecords('customers', 1));
    withStore('customers', (s) => s.db.exec("CREATE TRIGGER refuse BEFORE INSERT ON customers BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"));
    const failure = importExport('customers', makeRecords('customers', 5), { now: () => T2 });
    await expect(failure).rejects.toBeInstanceOf(StoreError);
    await expect(failure).rejects.toMatchObject({ class: 'store-error', message: expect.stringContaining('disk on fire') });
  });
});
