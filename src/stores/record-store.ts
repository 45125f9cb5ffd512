import type { ExportName, FieldValue } from '../parsers/export-tables.js';
import type { ExportRecord } from '../parsers/types.js';

/**
 * The port through which the apply step reads and writes export records. One store serves one database
 * file (one writer connection); `type` names the table, `account` the agent whose rows are meant (it is
 * ignored for the shared products and prices tables). Keys are `encodeKey` strings of the record's key
 * fields. Every method throws `StoreError` on a storage failure.
 */
export interface RecordStore {
  /**
   * Hash and soft-delete state of the rows of `type` in scope, by key: of the rows with the given keys
   * (absent keys are absent from the map), or of every row when `keys` is omitted.
   */
  readState(type: ExportName, account: string, keys?: readonly string[]): Map<string, RowState>;
  /**
   * The stored values of `fields` of the rows of `type` in scope with the given keys, by key, each in
   * `fields` order and typed as the parser emits them (booleans as `true`/`false`). The apply step reads
   * them for the fields an export has no column for, to keep them (see `src/sync/layout-drift.ts`).
   */
  readValues(type: ExportName, account: string, keys: readonly string[], fields: readonly string[]): Map<string, FieldValue[]>;
  /** Rows of `type` in scope that are not soft-deleted. */
  countActive(type: ExportName, account: string): number;
  /** Whether any row of `type` is in scope, soft-deleted ones included. */
  hasRows(type: ExportName, account: string): boolean;
  /**
   * Upserts rows in one transaction: inserts new keys, rewrites a row whose hash differs or that was
   * soft-deleted (reviving it), and leaves an identical active row untouched.
   * `now` becomes `created_at` of inserted rows and `updated_at` of written ones. A batch with at least
   * one row also marks the scope as holding unacknowledged changes, in the same transaction.
   */
  writeBatch(type: ExportName, account: string, rows: readonly HashedRecord[], now: string): void;
  /** Soft-deletes (`deleted_at = now`) the active rows in scope whose key is not in `present`. */
  softDeleteAbsent(type: ExportName, account: string, present: ReadonlySet<string>, now: string): number;
  /**
   * Points every active DDT and invoice of `account` at the order with its order number (NULL while
   * unknown); writes only rows whose link changes. Only the store of `orders.db` supports it.
   * @returns the number of rows re-linked.
   */
  linkToOrders(account: string, now: string): number;
  /** DDT and invoices of `account` still without an order. */
  linkStats(account: string): LinkStats;
  /**
   * Whether a batch wrote rows of `type` in scope since the scope's changes were last acknowledged: a
   * crash between the commit of the rows and the orchestrator's record of the run cannot lose it.
   */
  hasUnacknowledgedChanges(type: ExportName, account: string): boolean;
  /**
   * Clears the mark of `hasUnacknowledgedChanges`: call it only once a completed run of the scope (and
   * what its changes set off) is durably recorded.
   */
  acknowledgeChanges(type: ExportName, account: string): void;
  close(): void;
}

/** What the store knows of a row to decide whether a record changes it. */
export interface RowState {
  readonly hash: string;
  readonly deleted: boolean;
}

/** A parsed record with its content hash. */
export interface HashedRecord {
  readonly record: ExportRecord;
  readonly hash: string;
}

/** Documents of one account without an order. */
export interface LinkStats {
  /** Active DDT whose order is not known. */
  readonly orphans: number;
  /** Active invoices linked to no order. */
  readonly unlinked: number;
}
