import type { DatabaseSpec } from './database-spec.js';

/** `prices.db`: the shared price list, keyed by `(product_id, valid_from, quantity_from)`. */
export const pricesDatabase: DatabaseSpec = {
  name: 'prices',
  file: 'prices.db',
  tables: ['prices'],
  migrations: [
    {
      version: 1,
      name: 'create prices',
      sql: `
        CREATE TABLE prices (
          erp_id TEXT,
          account_code TEXT,
          erp_account TEXT,
          account_description TEXT,
          product_id TEXT NOT NULL,
          article_code TEXT,
          valid_from TEXT NOT NULL,
          valid_to TEXT,
          quantity_from REAL NOT NULL,
          quantity_to REAL,
          price_unit TEXT,
          unit_price REAL,
          currency TEXT,
          brasseler_net_price TEXT,
          extra TEXT,
          hash TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          deleted_at TEXT,
          PRIMARY KEY (product_id, valid_from, quantity_from)
        );
      `,
    },
  ],
};
