import { join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import { databaseSpecs } from '../exports/registry.js';
import type { ExportName, FieldValue } from '../parsers/export-tables.js';
import type { ExportRecord } from '../parsers/types.js';
import { CHANGE_MARKS_TABLE, SHARED_SCOPE, ensureChangeMarks } from './change-marks.js';
import type { DatabaseName, DatabaseSpec } from './database-spec.js';
import { StoreError, toStoreError } from './errors.js';
import { ACCOUNT_COLUMN, encodeKey, tableLayout, type TableLayout } from './record-columns.js';
import type { HashedRecord, LinkStats, RecordStore, RowState } from './record-store.js';
import { openSqlite, type SqliteDatabase } from './sqlite.js';
import { extraJson } from './stable-json.js';

const q = (identifier: string): string => `"${identifier}"`;

/** The statements of one table, prepared once per connection. */
interface TableStatements {
  readonly layout: TableLayout;
  readonly state: Statement;
  readonly countActive: Statement;
  readonly hasRows: Statement;
  readonly activeKeys: Statement;
  readonly stateIn: Statement;
  readonly upsert: Statement;
  readonly softDelete: Statement;
  /** `SELECT <keys>, %s FROM <table> WHERE <scope> AND <key in the JSON array>`: `readValues` fills in the columns. */
  readonly selectIn: string;
  /** `readValues` statements by the fields they read (one set per layout drift seen, so a handful). */
  readonly valuesIn: Map<string, Statement>;
}

/** The statements of the change marks (see `change-marks.ts`), prepared once per connection. */
interface MarkStatements {
  readonly mark: Statement;
  readonly marked: Statement;
  readonly acknowledge: Statement;
}

/** `RecordStore` over one better-sqlite3 connection to one of the record databases. */
export class SqliteRecordStore implements RecordStore {
  private readonly statements = new Map<ExportName, TableStatements>();
  private markStatements: MarkStatements | null = null;

  /** @param db an open connection whose schema is `spec`'s (see `openRecordStore`). */
  constructor(
    readonly db: SqliteDatabase,
    readonly spec: DatabaseSpec,
  ) {}

  readState(type: ExportName, account: string, keys?: readonly string[]): Map<string, RowState> {
    return this.guard(`reading ${type}`, () => {
      const s = this.table(type);
      if (keys) return this.readStateOf(s, account, keys);
      const state = new Map<string, RowState>();
      const keyCount = s.layout.keyColumns.length;
      for (const row of s.state.raw().iterate(...scope(s.layout, account)) as Iterable<unknown[]>) {
        state.set(encodeKey(row.slice(0, keyCount) as FieldValue[]), { hash: row[keyCount] as string, deleted: row[keyCount + 1] === 1 });
      }
      return state;
    });
  }

  /**
   * The rows of one batch of keys in one statement: the keys go in as one JSON array (each key is
   * already a JSON array, see `encodeKey`) and SQLite probes the primary key for each.
   */
  private readStateOf(s: TableStatements, account: string, keys: readonly string[]): Map<string, RowState> {
    const state = new Map<string, RowState>();
    if (keys.length === 0) return state;
    const keyCount = s.layout.keyColumns.length;
    for (const row of s.stateIn.raw().iterate(...scope(s.layout, account), `[${keys.join(',')}]`) as Iterable<unknown[]>) {
      state.set(encodeKey(row.slice(0, keyCount) as FieldValue[]), { hash: row[keyCount] as string, deleted: row[keyCount + 1] === 1 });
    }
    return state;
  }

  readValues(type: ExportName, account: string, keys: readonly string[], fields: readonly string[]): Map<string, FieldValue[]> {
    return this.guard(`reading ${type}`, () => {
      const s = this.table(type);
      const values = new Map<string, FieldValue[]>();
      if (keys.length === 0 || fields.length === 0) return values;
      const index = fields.map((field) => {
        const i = s.layout.fields.indexOf(field);
        if (i < 0) throw new StoreError(`${type} has no field ${field}`);
        return i;
      });
      const id = fields.join(',');
      let statement = s.valuesIn.get(id);
      if (statement === undefined) {
        statement = this.db.prepare(s.selectIn.replace('%s', index.map((i) => q(s.layout.columns[i]!)).join(', ')));
        s.valuesIn.set(id, statement);
      }
      const keyCount = s.layout.keyColumns.length;
      const bools = index.map((i) => s.layout.fieldTypes[i] === 'bool');
      for (const row of statement.raw().iterate(...scope(s.layout, account), `[${keys.join(',')}]`) as Iterable<FieldValue[]>) {
        const stored = row.slice(keyCount).map((value, j) => (bools[j] && value !== null ? value === 1 : value));
        values.set(encodeKey(row.slice(0, keyCount)), stored);
      }
      return values;
    });
  }

  countActive(type: ExportName, account: string): number {
    return this.guard(`counting ${type}`, () => {
      const s = this.table(type);
      return s.countActive.pluck().get(...scope(s.layout, account)) as number;
    });
  }

  hasRows(type: ExportName, account: string): boolean {
    return this.guard(`reading ${type}`, () => {
      const s = this.table(type);
      return s.hasRows.pluck().get(...scope(s.layout, account)) === 1;
    });
  }

  writeBatch(type: ExportName, account: string, rows: readonly HashedRecord[], now: string): void {
    this.guard(`writing ${type}`, () => {
      const s = this.table(type);
      this.db.transaction(() => {
        for (const row of rows) s.upsert.run(upsertValues(s.layout, account, row, now));
        if (rows.length > 0) this.marks().mark.run(type, markScope(s.layout, account));
      })();
    });
  }

  softDeleteAbsent(type: ExportName, account: string, present: ReadonlySet<string>, now: string): number {
    return this.guard(`soft-deleting ${type}`, () => {
      const s = this.table(type);
      const where = scope(s.layout, account);
      return this.db.transaction(() => {
        const absent = (s.activeKeys.raw().all(...where) as FieldValue[][]).filter((key) => !present.has(encodeKey(key)));
        for (const key of absent) s.softDelete.run(now, now, ...where, ...key);
        return absent.length;
      })();
    });
  }

  linkToOrders(account: string, now: string): number {
    return this.guard('linking documents to orders', () => this.linker().link(this.db, account, now));
  }

  linkStats(account: string): LinkStats {
    return this.guard('counting unlinked documents', () => this.linker().stats(this.db, account));
  }

  hasUnacknowledgedChanges(type: ExportName, account: string): boolean {
    return this.guard(`reading the change mark of ${type}`, () => {
      const s = this.table(type);
      return this.marks().marked.pluck().get(type, markScope(s.layout, account)) === 1;
    });
  }

  acknowledgeChanges(type: ExportName, account: string): void {
    this.guard(`acknowledging the changes of ${type}`, () => {
      const s = this.table(type);
      this.marks().acknowledge.run(type, markScope(s.layout, account));
    });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private linker() {
    if (!this.spec.linker) throw new StoreError(`${this.spec.file} has no documents to link to orders`);
    return this.spec.linker;
  }

  private marks(): MarkStatements {
    const t = q(CHANGE_MARKS_TABLE);
    this.markStatements ??= {
      mark: this.db.prepare(`INSERT OR IGNORE INTO ${t} (type, account) VALUES (?, ?)`),
      marked: this.db.prepare(`SELECT EXISTS (SELECT 1 FROM ${t} WHERE type = ? AND account = ?)`),
      acknowledge: this.db.prepare(`DELETE FROM ${t} WHERE type = ? AND account = ?`),
    };
    return this.markStatements;
  }

  private table(type: ExportName): TableStatements {
    let s = this.statements.get(type);
    if (!s) {
      if (!this.spec.tables.includes(type)) throw new StoreError(`${type} records are not stored in ${this.spec.file}`);
      s = prepareTable(this.db, tableLayout(type));
      this.statements.set(type, s);
    }
    return s;
  }

  private guard<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw toStoreError(error, `${this.spec.file}: ${doing}`);
    }
  }
}

/** The account parameter of a per-agent table's statements; none for a shared table. */
function scope(layout: TableLayout, account: string): string[] {
  return layout.perAccount ? [account] : [];
}

/** The account of a scope's change mark: a shared table's rows belong to no account. */
function markScope(layout: TableLayout, account: string): string {
  return layout.perAccount ? account : SHARED_SCOPE;
}

function prepareTable(db: SqliteDatabase, layout: TableLayout): TableStatements {
  const t = q(layout.table);
  const scopeColumns = layout.perAccount ? [ACCOUNT_COLUMN] : [];
  const inScope = layout.perAccount ? `${q(ACCOUNT_COLUMN)} = ?` : '1';
  const keys = layout.keyColumns.map(q).join(', ');
  const keyMatch = layout.keyColumns.map((c) => `${q(c)} = ?`).join(' AND ');
  const inserted = [...scopeColumns, ...layout.columns, 'extra', 'hash', 'created_at', 'updated_at'];
  const conflict = [...scopeColumns, ...layout.keyColumns].map(q).join(', ');
  const rewritten = [...layout.columns.filter((c) => !layout.keyColumns.includes(c)), 'extra', 'hash', 'updated_at'];
  const selectIn = `SELECT ${keys}, %s FROM ${t} WHERE ${inScope}
       AND (${keys}) IN (SELECT ${layout.keyColumns.map((_, i) => `json_extract(value, '$[${i}]')`).join(', ')} FROM json_each(?))`;
  return {
    layout,
    selectIn,
    valuesIn: new Map(),
    state: db.prepare(`SELECT ${keys}, hash, deleted_at IS NOT NULL FROM ${t} WHERE ${inScope}`),
    stateIn: db.prepare(selectIn.replace('%s', 'hash, deleted_at IS NOT NULL')),
    countActive: db.prepare(`SELECT COUNT(*) FROM ${t} WHERE ${inScope} AND deleted_at IS NULL`),
    hasRows: db.prepare(`SELECT EXISTS (SELECT 1 FROM ${t} WHERE ${inScope})`),
    activeKeys: db.prepare(`SELECT ${keys} FROM ${t} WHERE ${inScope} AND deleted_at IS NULL ORDER BY ${keys}`),
    upsert: db.prepare(
      `INSERT INTO ${t} (${inserted.map(q).join(', ')}) VALUES (${inserted.map(() => '?').join(', ')})
       ON CONFLICT (${conflict}) DO UPDATE SET ${rewritten.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}, deleted_at = NULL
       WHERE ${t}.hash <> excluded.hash OR ${t}.deleted_at IS NOT NULL`,
    ),
    softDelete: db.prepare(`UPDATE ${t} SET deleted_at = ?, updated_at = ? WHERE ${inScope} AND ${keyMatch} AND deleted_at IS NULL`),
  };
}

/** Binding values for the upsert, in `inserted` column order; booleans become 0/1. */
function upsertValues(layout: TableLayout, account: string, { record, hash }: HashedRecord, now: string): unknown[] {
  const values: unknown[] = layout.perAccount ? [account] : [];
  for (const field of layout.fields) values.push(columnValue(record, field));
  values.push(extraJson(record.extra), hash, now, now);
  return values;
}

function columnValue(record: ExportRecord, field: string): string | number | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'object') throw new StoreError(`field ${field} holds an object, not a value`);
  return value;
}

/** Opens (creating and migrating as needed) one record database under `dataDir`. */
export function openRecordStore(dataDir: string, database: DatabaseName): SqliteRecordStore {
  const spec = databaseSpecs().find((candidate) => candidate.name === database);
  if (spec === undefined) throw new StoreError(`no export is stored in a database named ${database}`);
  const db = openSqlite(join(dataDir, spec.file), spec.migrations);
  try {
    ensureChangeMarks(db);
  } catch (error) {
    db.close();
    throw new StoreError(`cannot prepare ${spec.file}: ${(error as Error).message}`);
  }
  return new SqliteRecordStore(db, spec);
}

/** One open store per record database, for a caller that keeps one writer connection per file. */
export type RecordStores = Record<DatabaseName, SqliteRecordStore>;

/** Opens every record database of the registered exports under `dataDir`; close each (or use `closeRecordStores`). */
export function openRecordStores(dataDir: string): RecordStores {
  const opened: RecordStores = {};
  try {
    for (const spec of databaseSpecs()) opened[spec.name] = openRecordStore(dataDir, spec.name);
    return opened;
  } catch (error) {
    for (const store of Object.values(opened)) store.close();
    throw error;
  }
}

/** Closes every store of a set. */
export function closeRecordStores(stores: Partial<Record<DatabaseName, RecordStore>>): void {
  for (const store of Object.values(stores)) store?.close();
}
