import type { Migration } from './sqlite.js';

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

/** The migration that adds {@link CHANGE_MARKS_TABLE}; each record database appends it at its own next version. */
export function changeMarksMigration(version: number): Migration {
  return {
    version,
    name: `create ${CHANGE_MARKS_TABLE}`,
    sql: `
      CREATE TABLE ${CHANGE_MARKS_TABLE} (
        type TEXT NOT NULL,
        account TEXT NOT NULL,
        PRIMARY KEY (type, account)
      ) WITHOUT ROWID;
    `,
  };
}
