import type { ExportType } from '../parsers/export-tables.js';
import { customersDatabase } from './customers-db.js';
import type { DatabaseName, DatabaseSpec } from './database-spec.js';
import { ordersDatabase } from './orders-db.js';
import { pricesDatabase } from './prices-db.js';
import { productsDatabase } from './products-db.js';

/** The four record databases by name. */
export const DATABASES: Readonly<Record<DatabaseName, DatabaseSpec>> = {
  customers: customersDatabase,
  products: productsDatabase,
  prices: pricesDatabase,
  orders: ordersDatabase,
};

/** Which database stores an export (DDT and invoices live with the orders they link to). */
export const DATABASE_OF: Readonly<Record<ExportType, DatabaseName>> = {
  customers: 'customers',
  products: 'products',
  prices: 'prices',
  orders: 'orders',
  ddt: 'orders',
  invoices: 'orders',
};
