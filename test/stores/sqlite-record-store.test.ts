import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/stores/errors.js';
import { openRecordStore, type SqliteRecordStore } from '../../src/stores/sqlite-record-store.js';
import { makeRecord, tempDir } from '../support/export-records.js';
import { recordStoreContract } from './record-store.contract.js';

recordStoreContract('SQLite (better-sqlite3)', (database) => {
  const dir = tempDir('record-store-');
  const store = openRecordStore(dir.path, database);
  return {
    store,
    dispose: () => {
      store.close();
      dir.remove();
    },
  };
});

describe('SqliteRecordStore', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteRecordStore;
  beforeEach(() => {
    dir = tempDir('record-store-');
    store = openRecordStore(dir.path, 'orders');
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('creates its database file under the data dir', () => {
    expect(store.db.name).toBe(join(dir.path, 'orders.db'));
  });

  it('stores booleans as 0/1 and extra as JSON with sorted keys', () => {
    const order = makeRecord('orders', 1, { quote: true, freeOfCharge: false, extra: { Z: 'z', A: 'a' } });
    store.writeBatch('orders', 'A', [{ record: order, hash: 'h' }], '2026-02-01T08:00:00.000Z');
    const stored = store.db.prepare('SELECT quote, free_of_charge, extra, erp_created_at, created_at FROM orders').get();
    expect(stored).toEqual({ quote: 1, free_of_charge: 0, extra: '{"A":"a","Z":"z"}', erp_created_at: order.createdAt, created_at: '2026-02-01T08:00:00.000Z' });
  });

  it('wraps a SQLite failure in a StoreError of class store-error', () => {
    store.db.exec("CREATE TRIGGER refuse BEFORE INSERT ON orders BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    const write = (): void => store.writeBatch('orders', 'A', [{ record: makeRecord('orders', 1), hash: 'h' }], 'now');
    expect(write).toThrow(StoreError);
    expect(write).toThrow(/orders\.db: writing orders: disk on fire/);
    try {
      write();
    } catch (error) {
      expect((error as StoreError).class).toBe('store-error');
      expect((error as StoreError).cause).toBeInstanceOf(Error);
    }
  });

  it('rolls back the whole batch when one row fails', () => {
    store.db.exec("CREATE TRIGGER refuse BEFORE INSERT ON orders WHEN NEW.erp_id = '0.002' BEGIN SELECT RAISE(ABORT, 'no'); END");
    const rows = [1, 2, 3].map((n) => ({ record: makeRecord('orders', n), hash: 'h' }));
    expect(() => store.writeBatch('orders', 'A', rows, 'now')).toThrow(StoreError);
    expect(store.countActive('orders', 'A')).toBe(0);
    expect(store.hasUnacknowledgedChanges('orders', 'A')).toBe(false);
  });

  it('keeps the change mark of committed rows across a reopen of the file (it is committed with them)', () => {
    store.writeBatch('orders', 'A', [{ record: makeRecord('orders', 1), hash: 'h' }], 'now');
    store.close();
    store = openRecordStore(dir.path, 'orders');
    expect(store.hasUnacknowledgedChanges('orders', 'A')).toBe(true);
    store.acknowledgeChanges('orders', 'A');
    store.close();
    store = openRecordStore(dir.path, 'orders');
    expect(store.hasUnacknowledgedChanges('orders', 'A')).toBe(false);
  });
});
