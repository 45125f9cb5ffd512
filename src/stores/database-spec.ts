import type { ExportName } from '../parsers/export-tables.js';
import type { LinkStats } from './record-store.js';
import type { Migration, SqliteDatabase } from './sqlite.js';

/** A record database's name (`orders`): its file under `DATA_DIR` is named in its spec. */
export type DatabaseName = string;

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
  readonly tables: readonly ExportName[];
  readonly migrations: readonly Migration[];
  readonly linker?: OrderLinker;
}
