import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/stores/errors.js';
import { ORCHESTRATOR_DB_FILE, openOrchestratorDb, type SqliteOrchestratorStore } from '../../src/stores/orchestrator-db.js';
import { schemaVersion } from '../../src/stores/sqlite.js';
import { tempDir } from '../support/export-records.js';
import { orchestratorStoreContract } from './orchestrator-store.contract.js';

orchestratorStoreContract('SQLite (better-sqlite3)', () => {
  const dir = tempDir('orchestrator-db-');
  return { store: openOrchestratorDb(dir.path), reopen: () => openOrchestratorDb(dir.path), dispose: () => dir.remove() };
});

describe('orchestrator.db', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteOrchestratorStore;
  beforeEach(() => {
    dir = tempDir('orchestrator-db-');
    store = openOrchestratorDb(dir.path);
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('is a WAL database with synchronous=FULL, foreign keys and a recorded schema version', () => {
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(schemaVersion(store.db)).toBe(1);
  });

  it('refuses a run outcome the ledger does not know, writing nothing of the transaction', () => {
    const bad = { id: 1, target: 't', service: 'orders', account: 'a', trigger: 'manual', outcome: 'exploded' } as never;
    expect(() => store.write({ envelope: { machineVersion: 1, savedAt: 1, snapshot: {} }, runs: [bad] })).toThrow(StoreError);
    expect(store.loadEnvelope()).toBeNull();
  });

  it('reports a corrupt snapshot row as a StoreError that names the file', () => {
    store.db.prepare("INSERT INTO snapshots (id, machine_version, saved_at, envelope) VALUES (1, 1, 0, '{not json')").run();
    expect(() => store.loadEnvelope()).toThrow(new RegExp(ORCHESTRATOR_DB_FILE));
  });

  it('fails with a StoreError after close instead of crashing on a closed handle', () => {
    store.close();
    expect(() => store.runs()).toThrow(StoreError);
  });

  it('refuses to open a file that is not a database', () => {
    const other = tempDir('orchestrator-db-');
    try {
      writeFileSync(join(other.path, ORCHESTRATOR_DB_FILE), 'plain text, not SQLite');
      expect(() => openOrchestratorDb(other.path)).toThrow(StoreError);
    } finally {
      other.remove();
    }
  });
});
