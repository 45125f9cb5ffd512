import { createHash } from 'node:crypto';
import type { SqliteDatabase } from './sqlite.js';

/**
 * SHA-256 over every row (all columns, as JSON arrays) of a table in primary-key order: two databases
 * with equal checksums hold identical tables. Meant for tests and diagnostics.
 */
export function tableChecksum(db: SqliteDatabase, table: string): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(table)) throw new Error(`not a table name: ${table}`);
  const columns = db.pragma(`table_info("${table}")`) as { name: string; pk: number }[];
  if (columns.length === 0) throw new Error(`no table ${table}`);
  const key = columns
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => `"${c.name}"`);
  const hash = createHash('sha256');
  const rows = db.prepare(`SELECT * FROM "${table}" ORDER BY ${key.length > 0 ? key.join(', ') : 'rowid'}`).raw();
  for (const row of rows.iterate()) hash.update(`${JSON.stringify(row)}\n`);
  return hash.digest('hex');
}
