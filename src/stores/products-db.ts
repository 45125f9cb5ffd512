import type { DatabaseSpec } from './database-spec.js';

/** `products.db`: the shared product catalogue, keyed by `product_id`. */
export const productsDatabase: DatabaseSpec = {
  name: 'products',
  file: 'products.db',
  tables: ['products'],
  migrations: [
    {
      version: 1,
      name: 'create products',
      sql: `
        CREATE TABLE products (
          product_id TEXT NOT NULL PRIMARY KEY,
          article_code TEXT,
          description TEXT,
          product_group TEXT,
          package_content TEXT,
          search_name TEXT,
          price_unit TEXT,
          product_group_id TEXT,
          product_group_description TEXT,
          min_quantity REAL,
          multiple_quantity REAL,
          max_quantity REAL,
          figure TEXT,
          blocked_id TEXT,
          package TEXT,
          shank TEXT,
          size TEXT,
          configuration_id TEXT,
          created_by TEXT,
          created_date TEXT,
          data_area_id TEXT,
          default_quantity REAL,
          display_product_number TEXT,
          total_absolute_discount REAL,
          erp_id TEXT,
          line_discount TEXT,
          modified_by TEXT,
          modified_at TEXT,
          orderable INTEGER CHECK (orderable IN (0, 1)),
          purchase_price REAL,
          standard_configuration_id TEXT,
          standard_quantity REAL,
          stopped INTEGER CHECK (stopped IN (0, 1)),
          unit_id TEXT,
          vat_group TEXT,
          extra TEXT,
          hash TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          deleted_at TEXT
        );
        CREATE INDEX products_article_code ON products (article_code);
      `,
    },
  ],
};
