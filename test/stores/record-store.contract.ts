import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseName } from '../../src/stores/database-spec.js';
import { StoreError } from '../../src/stores/errors.js';
import { tableLayout, encodeKey } from '../../src/stores/record-columns.js';
import type { HashedRecord, RecordStore } from '../../src/stores/record-store.js';
import type { ExportType } from '../../src/exports/registry.js';
import type { ExportRecord } from '../../src/parsers/types.js';
import { makeRecord } from '../support/export-records.js';

/** Opens a fresh, empty store of one database; `dispose` releases it and anything it created. */
export type OpenStore = (database: DatabaseName) => { store: RecordStore; dispose: () => void };

const T1 = '2026-02-01T08:00:00.000Z';
const T2 = '2026-02-02T08:00:00.000Z';

const row = (record: ExportRecord, hash: string): HashedRecord => ({ record, hash });
const keyOf = (type: ExportType, record: ExportRecord): string => encodeKey(tableLayout(type).keyFields.map((f) => record[f] as string | number));

/** The behaviour every `RecordStore` adapter must show. */
export function recordStoreContract(adapter: string, open: OpenStore): void {
  describe(`RecordStore contract: ${adapter}`, () => {
    const opened: (() => void)[] = [];
    const storeOf = (database: DatabaseName): RecordStore => {
      const { store, dispose } = open(database);
      opened.push(dispose);
      return store;
    };
    let customers: RecordStore;
    beforeEach(() => {
      customers = storeOf('customers');
    });
    afterEach(() => {
      for (const dispose of opened.splice(0)) dispose();
    });

    it('reports the hash of every written row by key, as active', () => {
      const a = makeRecord('customers', 1);
      const b = makeRecord('customers', 2);
      customers.writeBatch('customers', 'A', [row(a, 'ha'), row(b, 'hb')], T1);
      const state = customers.readState('customers', 'A');
      expect(state.size).toBe(2);
      expect(state.get(keyOf('customers', a))).toEqual({ hash: 'ha', deleted: false });
      expect(state.get(keyOf('customers', b))).toEqual({ hash: 'hb', deleted: false });
      expect(customers.countActive('customers', 'A')).toBe(2);
    });

    it('keeps the rows of each account apart, even under the same ERP key', () => {
      const a = makeRecord('customers', 1);
      customers.writeBatch('customers', 'A', [row(a, 'ha')], T1);
      customers.writeBatch('customers', 'B', [row(a, 'hb')], T1);
      expect(customers.readState('customers', 'A').get(keyOf('customers', a))?.hash).toBe('ha');
      expect(customers.readState('customers', 'B').get(keyOf('customers', a))?.hash).toBe('hb');
      expect(customers.softDeleteAbsent('customers', 'A', new Set(), T2)).toBe(1);
      expect(customers.countActive('customers', 'A')).toBe(0);
      expect(customers.countActive('customers', 'B')).toBe(1);
    });

    it('knows whether an account has any row, soft-deleted ones included', () => {
      const a = makeRecord('customers', 1);
      expect(customers.hasRows('customers', 'A')).toBe(false);
      customers.writeBatch('customers', 'A', [row(a, 'ha')], T1);
      expect(customers.hasRows('customers', 'A')).toBe(true);
      expect(customers.hasRows('customers', 'B')).toBe(false);
      customers.softDeleteAbsent('customers', 'A', new Set(), T2);
      expect(customers.countActive('customers', 'A')).toBe(0);
      expect(customers.hasRows('customers', 'A')).toBe(true);
      const products = storeOf('products');
      products.writeBatch('products', 'A', [row(makeRecord('products', 1), 'h')], T1);
      expect(products.hasRows('products', 'B')).toBe(true);
    });

    it('ignores the account for shared tables', () => {
      const products = storeOf('products');
      const p = makeRecord('products', 7);
      products.writeBatch('products', 'A', [row(p, 'h1')], T1);
      expect(products.readState('products', 'B').get(keyOf('products', p))?.hash).toBe('h1');
      expect(products.countActive('products', 'B')).toBe(1);
    });

    it('reads composite keys back as the parser typed them', () => {
      const prices = storeOf('prices');
      const p = makeRecord('prices', 3, { quantityFrom: 2.5 });
      prices.writeBatch('prices', 'A', [row(p, 'h1')], T1);
      expect([...prices.readState('prices', 'A').keys()]).toEqual([keyOf('prices', p)]);
    });

    it('reads stored values of chosen fields back as the parser typed them, in scope, for the given keys only', () => {
      const orders = storeOf('orders');
      const a = makeRecord('orders', 1, { customerReference: 'Rif. 12/26', quote: true, grossAmount: 105.6 });
      const b = makeRecord('orders', 2, { customerReference: null, quote: false, grossAmount: 0.1 });
      orders.writeBatch('orders', 'A', [row(a, 'h'), row(b, 'h')], T1);
      orders.writeBatch('orders', 'B', [row({ ...a, customerReference: 'other account' }, 'h')], T1);
      const fields = ['quote', 'customerReference', 'grossAmount'];
      const values = orders.readValues('orders', 'A', [keyOf('orders', a), keyOf('orders', b), keyOf('orders', makeRecord('orders', 3))], fields);
      expect(values).toEqual(new Map([
        [keyOf('orders', a), [true, 'Rif. 12/26', 105.6]],
        [keyOf('orders', b), [false, null, 0.1]],
      ]));
      expect(orders.readValues('orders', 'B', [keyOf('orders', a)], ['customerReference']).get(keyOf('orders', a))).toEqual(['other account']);
      expect(() => orders.readValues('orders', 'A', [keyOf('orders', a)], ['noSuchField'])).toThrow(StoreError);
    });

    it('rewrites a row whose hash changed and revives a soft-deleted one', () => {
      const a = makeRecord('customers', 1);
      const b = makeRecord('customers', 2);
      customers.writeBatch('customers', 'A', [row(a, 'h1'), row(b, 'h1')], T1);
      expect(customers.softDeleteAbsent('customers', 'A', new Set([keyOf('customers', a)]), T2)).toBe(1);
      expect(customers.readState('customers', 'A').get(keyOf('customers', b))).toEqual({ hash: 'h1', deleted: true });
      customers.writeBatch('customers', 'A', [row(a, 'h2'), row(b, 'h1')], T2);
      const state = customers.readState('customers', 'A');
      expect(state.get(keyOf('customers', a))).toEqual({ hash: 'h2', deleted: false });
      expect(state.get(keyOf('customers', b))).toEqual({ hash: 'h1', deleted: false });
    });

    it('soft-deletes only active rows absent from the given keys, and counts them', () => {
      const records = [1, 2, 3, 4].map((n) => makeRecord('customers', n));
      customers.writeBatch('customers', 'A', records.map((r) => row(r, 'h')), T1);
      const present = new Set(records.slice(0, 2).map((r) => keyOf('customers', r)));
      expect(customers.softDeleteAbsent('customers', 'A', present, T2)).toBe(2);
      expect(customers.softDeleteAbsent('customers', 'A', present, T2)).toBe(0);
      expect(customers.countActive('customers', 'A')).toBe(2);
    });

    it('links DDT and invoices to their order by order number, one order to many DDT', () => {
      const orders = storeOf('orders');
      const order = makeRecord('orders', 1, { orderNumber: 'ORD/1' });
      const ddt = [1, 2, 3].map((n) => makeRecord('ddt', n, { orderNumber: n < 3 ? 'ORD/1' : 'ORD/9' }));
      const invoices = [makeRecord('invoices', 1, { orderNumber: 'ORD/1' }), makeRecord('invoices', 2, { orderNumber: null })];
      orders.writeBatch('ddt', 'A', ddt.map((r) => row(r, 'h')), T1);
      orders.writeBatch('invoices', 'A', invoices.map((r) => row(r, 'h')), T1);
      expect(orders.linkToOrders('A', T1)).toBe(0);
      expect(orders.linkStats('A')).toEqual({ orphans: 3, unlinked: 2 });

      orders.writeBatch('orders', 'A', [row(order, 'h')], T1);
      expect(orders.linkToOrders('A', T2)).toBe(3);
      expect(orders.linkStats('A')).toEqual({ orphans: 1, unlinked: 1 });
      expect(orders.linkToOrders('A', T2)).toBe(0);
      expect(orders.linkStats('B')).toEqual({ orphans: 0, unlinked: 0 });
    });

    it('marks a scope whose rows a batch wrote as holding unacknowledged changes, until they are acknowledged', () => {
      const orders = storeOf('orders');
      expect(orders.hasUnacknowledgedChanges('orders', 'A')).toBe(false);
      orders.writeBatch('orders', 'A', [], T1);
      expect(orders.hasUnacknowledgedChanges('orders', 'A')).toBe(false);
      orders.writeBatch('orders', 'A', [row(makeRecord('orders', 1), 'h')], T1);
      expect(orders.hasUnacknowledgedChanges('orders', 'A')).toBe(true);
      // Scopes are apart: another account, another table of the same database.
      expect(orders.hasUnacknowledgedChanges('orders', 'B')).toBe(false);
      expect(orders.hasUnacknowledgedChanges('ddt', 'A')).toBe(false);

      orders.acknowledgeChanges('orders', 'A');
      expect(orders.hasUnacknowledgedChanges('orders', 'A')).toBe(false);
      orders.acknowledgeChanges('orders', 'A');
      // Soft-deletes leave no mark: chaining counts inserted and updated rows only.
      expect(orders.softDeleteAbsent('orders', 'A', new Set(), T2)).toBe(1);
      expect(orders.hasUnacknowledgedChanges('orders', 'A')).toBe(false);
    });

    it('keeps one change mark per shared table, whatever the account', () => {
      const products = storeOf('products');
      products.writeBatch('products', 'A', [row(makeRecord('products', 1), 'h')], T1);
      expect(products.hasUnacknowledgedChanges('products', 'B')).toBe(true);
      products.acknowledgeChanges('products', 'B');
      expect(products.hasUnacknowledgedChanges('products', 'A')).toBe(false);
    });

    it('refuses a table that its database does not hold', () => {
      expect(() => customers.readState('ddt', 'A')).toThrow(StoreError);
      expect(() => customers.linkToOrders('A', T1)).toThrow(StoreError);
      expect(() => customers.hasUnacknowledgedChanges('ddt', 'A')).toThrow(StoreError);
    });
  });
}
