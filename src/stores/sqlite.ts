import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError, toStoreError } from './errors.js';

/** A better-sqlite3 connection. */
export type SqliteDatabase = Database.Database;

/** One schema step. Versions start at 1 and increase by one; a released migration is never edited. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * How long a statement waits for another connection's lock before failing with `SQLITE_BUSY`. There is
 * one writer per file, so waits come only from readers holding a WAL checkpoint or a backup; five
 * seconds covers those without letting a truly stuck file hang a run.
 */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens (creating it and its folder when absent) a database file for writing: WAL journal,
 * `synchronous=FULL` (a committed batch survives a power cut, which the checkpoint/resume logic relies
 * on), foreign keys on, busy timeout; then brings its schema up to date with `migrations`.
 *
 * @throws StoreError when the file cannot be opened or migrated, or its schema is newer than this build.
 */
export function openSqlite(file: string, migrations: readonly Migration[]): SqliteDatabase {
  let db: SqliteDatabase | undefined;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new StoreError(`${file}: cannot switch to WAL journal mode (got ${String(mode)})`);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, file);
    return db;
  } catch (error) {
    db?.close();
    throw toStoreError(error, `opening ${file}`);
  }
}

/** The schema version recorded in a database (0 for a fresh one). */
export function schemaVersion(db: SqliteDatabase): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!exists) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as { version: number | null };
  return row.version ?? 0;
}

/**
 * Applies the migrations newer than the database's recorded version, each in its own transaction
 * together with its `schema_version` row, so a crash leaves the file at a version boundary.
 * Reopening an up-to-date database writes nothing.
 *
 * @returns the versions before and after.
 * @throws StoreError when the database was written by a newer build: guessing at a schema we do not know
 *   could corrupt it, so we refuse.
 */
export function migrate(db: SqliteDatabase, migrations: readonly Migration[], label: string): { from: number; to: number } {
  assertSequence(migrations, label);
  const latest = migrations.length;
  const from = schemaVersion(db);
  if (from > latest) {
    throw new StoreError(
      `${label} has schema version ${from}, newer than the latest this build knows (${latest}); ` +
        'run the build that wrote it (or a newer one), or restore a backup made by this build',
    );
  }
  if (from === latest) return { from, to: from };
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const record = db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations.slice(from)) {
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    })();
  }
  return { from, to: latest };
}

function assertSequence(migrations: readonly Migration[], label: string): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`${label}: migration #${i} has version ${m.version}, expected ${i + 1}`);
  });
}
