import type { DatabaseSpec, OrderLinker } from './database-spec.js';
import type { SqliteDatabase } from './sqlite.js';

/**
 * `orders.db`: orders, transport documents (DDT) and invoices of each agent account, keyed by
 * `(account, <ERP key>)`. A DDT or invoice points at its order through `order_erp_id` (NULL while the
 * order is unknown), a foreign key on `(account, order_erp_id)` → `orders (account, erp_id)`; one order
 * has many DDT. Orders are only ever soft-deleted, so the key a document points at never disappears.
 */
export const ordersDatabase: DatabaseSpec = {
  name: 'orders',
  file: 'orders.db',
  tables: ['orders', 'ddt', 'invoices'],
  migrations: [
    {
      version: 1,
      name: 'create orders, ddt, invoices',
      sql: `
        CREATE TABLE orders (
          account TEXT NOT NULL,
          erp_id TEXT NOT NULL,
          order_number TEXT,
          customer_account TEXT,
          customer_name TEXT,
          delivery_name TEXT,
          delivery_address TEXT,
          erp_created_at TEXT,
          delivery_date TEXT,
          remaining_sales_financial TEXT,
          customer_reference TEXT,
          sales_status TEXT,
          order_type TEXT,
          document_status TEXT,
          sales_origin TEXT,
          transfer_status TEXT,
          transfer_date TEXT,
          completion_date TEXT,
          quote INTEGER CHECK (quote IN (0, 1)),
          discount_percent REAL,
          gross_amount REAL,
          total_amount REAL,
          free_of_charge INTEGER CHECK (free_of_charge IN (0, 1)),
          extra TEXT,
          hash TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          deleted_at TEXT,
          PRIMARY KEY (account, erp_id)
        );
        CREATE INDEX orders_order_number ON orders (account, order_number);

        CREATE TABLE ddt (
          account TEXT NOT NULL,
          erp_id TEXT,
          ddt_number TEXT NOT NULL,
          delivery_date TEXT,
          order_number TEXT,
          customer_account TEXT,
          customer_name TEXT,
          delivery_name TEXT,
          delivery_address TEXT,
          quantity INTEGER,
          customer_reference TEXT,
          description TEXT,
          tracking_courier TEXT,
          tracking_number TEXT,
          tracking_url TEXT,
          delivery_terms TEXT,
          delivery_method TEXT,
          attention_to TEXT,
          delivery_city TEXT,
          order_erp_id TEXT,
          extra TEXT,
          hash TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          deleted_at TEXT,
          PRIMARY KEY (account, ddt_number),
          FOREIGN KEY (account, order_erp_id) REFERENCES orders (account, erp_id)
        );
        CREATE INDEX ddt_order ON ddt (account, order_erp_id);

        CREATE TABLE invoices (
          account TEXT NOT NULL,
          invoice_number TEXT NOT NULL,
          invoice_date TEXT,
          customer_account TEXT,
          billing_name TEXT,
          quantity REAL,
          sales_balance REAL,
          line_discount_sum REAL,
          total_discount REAL,
          tax_amount REAL,
          invoice_amount REAL,
          purchase_order TEXT,
          customer_reference TEXT,
          due_date TEXT,
          payment_terms TEXT,
          days_past_due INTEGER,
          settled_amount REAL,
          last_payment_id TEXT,
          last_settlement_date TEXT,
          closed_date TEXT,
          remaining_amount REAL,
          order_number TEXT,
          order_erp_id TEXT,
          extra TEXT,
          hash TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          deleted_at TEXT,
          PRIMARY KEY (account, invoice_number),
          FOREIGN KEY (account, order_erp_id) REFERENCES orders (account, erp_id)
        );
        CREATE INDEX invoices_order ON invoices (account, order_erp_id);
      `,
    },
  ],
  linker: orderLinker(),
};

/**
 * The order a document belongs to: the order of the same account with its order number, an active one
 * before a soft-deleted one (a deleted order is still the document's order), then the lowest `erp_id` so
 * that a duplicated order number links deterministically.
 */
const wantedOrder = (table: string): string => `(
  SELECT o.erp_id FROM orders o
  WHERE o.account = ${table}.account AND o.order_number = ${table}.order_number
  ORDER BY o.deleted_at IS NOT NULL, o.erp_id
  LIMIT 1
)`;

/** Re-points only rows whose link differs, so an unchanged database is not written. */
const linkSql = (table: 'ddt' | 'invoices'): string => `
  UPDATE ${table} SET order_erp_id = ${wantedOrder(table)}, updated_at = @now
  WHERE account = @account AND deleted_at IS NULL AND order_erp_id IS NOT ${wantedOrder(table)}
`;

const unlinkedSql = (table: 'ddt' | 'invoices'): string =>
  `SELECT COUNT(*) FROM ${table} WHERE account = ? AND deleted_at IS NULL AND order_erp_id IS NULL`;

function orderLinker(): OrderLinker {
  return {
    link(db: SqliteDatabase, account: string, now: string): number {
      return db.transaction(() => {
        let changes = 0;
        for (const table of ['ddt', 'invoices'] as const) changes += db.prepare(linkSql(table)).run({ account, now }).changes;
        return changes;
      })();
    },
    stats(db: SqliteDatabase, account: string) {
      const count = (table: 'ddt' | 'invoices'): number => db.prepare(unlinkedSql(table)).pluck().get(account) as number;
      return { orphans: count('ddt'), unlinked: count('invoices') };
    },
  };
}
