import type { ExportType } from '../parsers/export-tables.js';
import type { LinkStats } from './record-store.js';
import type { Migration, SqliteDatabase } from './sqlite.js';

/** The four record databases under `DATA_DIR` (DESIGN §1). */
export type DatabaseName = 'customers' | 'products' | 'prices' | 'orders';

/** Links the documents of a database to its orders (only `orders.db` has one). */
export interface OrderLinker {
  /** Points every active DDT and invoice of `account` at its order; writes only rows whose link changes. */
  link(db: SqliteDatabase, account: string, now: string): number;
  stats(db: SqliteDatabase, account: string): LinkStats;
}

/** One database file as data: its tables, its migrations, and (for orders.db) its linker. */
export interface DatabaseSpec {
  readonly name: DatabaseName;
  /** File name relative to `DATA_DIR`. */
  readonly file: string;
  /** The export tables it holds. */
  readonly tables: readonly ExportType[];
  readonly migrations: readonly Migration[];
  readonly linker?: OrderLinker;
}
