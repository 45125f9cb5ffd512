import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/stores/errors.js';
import { openSqlite, schemaVersion, type Migration } from '../../src/stores/sqlite.js';
import { tempDir } from '../support/export-records.js';

const v1: Migration = { version: 1, name: 'create notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)' };
const v2: Migration = { version: 2, name: 'add author', sql: 'ALTER TABLE notes ADD COLUMN author TEXT' };

describe('openSqlite', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    dir = tempDir('sqlite-');
    file = join(dir.path, 'nested', 'notes.db');
  });
  afterEach(() => dir.remove());

  it('opens a fresh file with WAL, synchronous=FULL, foreign keys on and a busy timeout', () => {
    const db = openSqlite(file, [v1]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    db.close();
  });

  it('records every applied migration in schema_version', () => {
    const db = openSqlite(file, [v1, v2]);
    expect(db.prepare('SELECT version, name FROM schema_version ORDER BY version').all()).toEqual([
      { version: 1, name: 'create notes' },
      { version: 2, name: 'add author' },
    ]);
    expect(schemaVersion(db)).toBe(2);
    db.close();
  });

  it('changes nothing when reopening an up-to-date database', () => {
    const first = openSqlite(file, [v1, v2]);
    const before = first.prepare('SELECT * FROM schema_version').all();
    first.prepare('INSERT INTO notes (body) VALUES (?)').run('kept');
    first.close();
    const again = openSqlite(file, [v1, v2]);
    expect(again.prepare('SELECT total_changes()').pluck().get()).toBe(0);
    expect(again.prepare('SELECT * FROM schema_version').all()).toEqual(before);
    expect(again.prepare('SELECT body FROM notes').pluck().all()).toEqual(['kept']);
    again.close();
  });

  it('applies only the migrations newer than the recorded version', () => {
    openSqlite(file, [v1]).close();
    const db = openSqlite(file, [v1, v2]);
    expect(schemaVersion(db)).toBe(2);
    expect((db.pragma('table_info(notes)') as { name: string }[]).map((c) => c.name)).toEqual(['id', 'body', 'author']);
    db.close();
  });

  it('leaves a failed migration unapplied and unrecorded', () => {
    openSqlite(file, [v1]).close();
    const broken: Migration = { version: 2, name: 'broken', sql: 'CREATE TABLE half (x); CREATE TABLE notes (y)' };
    expect(() => openSqlite(file, [v1, broken])).toThrow(StoreError);
    const db = openSqlite(file, [v1]);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    db.close();
  });

  it('refuses a database written by a newer build, saying so', () => {
    openSqlite(file, [v1, v2]).close();
    expect(() => openSqlite(file, [v1])).toThrow(StoreError);
    expect(() => openSqlite(file, [v1])).toThrow(/schema version 2, newer than the latest this build knows \(1\)/);
  });
});
