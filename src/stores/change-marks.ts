import type { SqliteDatabase } from './sqlite.js';

/**
 * The table of changes not yet acknowledged, one row per `(type, account)` scope, in every record
 * database: a batch that writes changed rows sets its scope's mark in the same transaction, so "this
 * scope changed" is as durable as the rows themselves. The mark is cleared only once the orchestrator has
 * durably recorded a completed run of the scope (and the chained runs that completion queues): a crash
 * between the commit of the rows and the orchestrator's snapshot cannot lose the fact that they changed.
 * Shared tables (products, prices) mark the scope with the account {@link SHARED_SCOPE}.
 */
export const CHANGE_MARKS_TABLE = 'unacknowledged_changes';

/** The account of a shared table's mark (its rows belong to no account). */
export const SHARED_SCOPE = '';

/**
 * Creates {@link CHANGE_MARKS_TABLE} in a record database when it is missing. It belongs to the record
 * store, not to an export's schema, so it is not one of the database's versioned migrations: every record
 * database gets it, a registered export's own database included, whatever its migrations are.
 */
export function ensureChangeMarks(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${CHANGE_MARKS_TABLE} (
      type TEXT NOT NULL,
      account TEXT NOT NULL,
      PRIMARY KEY (type, account)
    ) WITHOUT ROWID;
  `);
}
