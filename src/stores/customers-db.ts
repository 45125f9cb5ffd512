import type { DatabaseSpec } from './database-spec.js';

/** `customers.db`: the customers of each agent account, keyed by `(account, erp_id)`. */
export const customersDatabase: DatabaseSpec = {
  name: 'customers',
  file: 'customers.db',
  tables: ['customers'],
  migrations: [
    {
      version: 1,
      name: 'create customers',
      sql: `
        CREATE TABLE customers (
          account TEXT NOT NULL,
          erp_id TEXT NOT NULL,
          account_number TEXT,
          name TEXT,
          vat_number TEXT,
          pec TEXT,
          sdi TEXT,
          fiscal_code TEXT,
          delivery_terms TEXT,
          street TEXT,
          postal_code TEXT,
          city TEXT,
          phone TEXT,
          mobile TEXT,
          url TEXT,
          attention_to TEXT,
          last_order_date TEXT,
          order_count INTEGER,
          customer_type TEXT,
          previous_order_count1 INTEGER,
          previous_sales1 REAL,
          previous_order_count2 INTEGER,
          previous_sales2 REAL,
          description TEXT,
          type TEXT,
          external_account_number TEXT,
          our_account_number TEXT,
          extra TEXT,
          hash TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          deleted_at TEXT,
          PRIMARY KEY (account, erp_id)
        );
        CREATE INDEX customers_account_number ON customers (account, account_number);
      `,
    },
  ],
};
