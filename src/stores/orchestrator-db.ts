import { join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import type { JsonValue, RunError, RunStats, Service, SkipReason, Trigger } from '../../machines/index.js';
import { StoreError, toStoreError } from './errors.js';
import {
  DEFAULT_LEDGER_LIMIT,
  MAX_LEDGER_LIMIT,
  type LedgerChanges,
  type LedgerQuery,
  type OrchestratorStore,
  type RunOutcome,
  type RunRecord,
  type ScheduleOverride,
  type SkipRecord,
  type SnapshotEnvelope,
} from './orchestrator-store.js';
import { openSqlite, type Migration, type SqliteDatabase } from './sqlite.js';

/** File name of the orchestrator's database under `DATA_DIR`. */
export const ORCHESTRATOR_DB_FILE = 'orchestrator.db';

/**
 * Schema of `orchestrator.db`. Times are epoch ms (INTEGER). Phase durations are columns so that an
 * operator can query them with the sqlite3 shell; stats, flags and checkpoints are JSON.
 */
export const ORCHESTRATOR_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create snapshots, runs, skips, schedule_overrides',
    sql: `
      -- One row: the latest envelope. Older snapshots are worthless once a newer one is durable.
      CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        machine_version INTEGER NOT NULL,
        saved_at INTEGER NOT NULL,
        envelope TEXT NOT NULL
      );
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL,
        service TEXT NOT NULL,
        account TEXT NOT NULL,
        trigger TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('running', 'completed', 'failed', 'paused', 'cancelled')),
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        downloading_ms INTEGER NOT NULL DEFAULT 0,
        parsing_ms INTEGER NOT NULL DEFAULT 0,
        applying_ms INTEGER NOT NULL DEFAULT 0,
        finalizing_ms INTEGER NOT NULL DEFAULT 0,
        stats TEXT,
        flags TEXT NOT NULL DEFAULT '[]',
        error_class TEXT,
        error_message TEXT,
        checkpoint TEXT
      );
      CREATE INDEX runs_by_service ON runs (service, account, id);
      CREATE INDEX runs_unfinished ON runs (outcome) WHERE outcome IN ('running', 'paused');
      CREATE TABLE skips (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        target TEXT NOT NULL,
        service TEXT,
        account TEXT,
        trigger TEXT NOT NULL,
        reason TEXT NOT NULL,
        detail TEXT NOT NULL
      );
      CREATE INDEX skips_by_service ON skips (service, account, id);
      CREATE TABLE schedule_overrides (
        service TEXT PRIMARY KEY,
        interval_ms INTEGER,
        offset_ms INTEGER NOT NULL,
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        missed TEXT NOT NULL CHECK (missed IN ('skip', 'once'))
      );
    `,
  },
];

interface RunRow {
  id: number;
  target: string;
  service: string;
  account: string;
  trigger: string;
  outcome: string;
  started_at: number;
  finished_at: number | null;
  downloading_ms: number;
  parsing_ms: number;
  applying_ms: number;
  finalizing_ms: number;
  stats: string | null;
  flags: string;
  error_class: string | null;
  error_message: string | null;
  checkpoint: string | null;
}

interface SkipRow {
  at: number;
  target: string;
  service: string | null;
  account: string | null;
  trigger: string;
  reason: string;
  detail: string;
}

interface Statements {
  loadEnvelope: Statement;
  saveEnvelope: Statement;
  upsertRun: Statement;
  insertSkip: Statement;
  unfinishedRuns: Statement;
  lastRunId: Statement;
  lastCompletedAt: Statement;
  scheduleOverrides: Statement;
  saveScheduleOverride: Statement;
}

/** `OrchestratorStore` over `orchestrator.db` (one writer connection for the process). */
export class SqliteOrchestratorStore implements OrchestratorStore {
  private readonly statements: Statements;

  /** @param db an open connection migrated with `ORCHESTRATOR_MIGRATIONS` (see `openOrchestratorDb`). */
  constructor(readonly db: SqliteDatabase) {
    this.statements = this.guard('preparing statements', () => prepare(db));
  }

  loadEnvelope(): SnapshotEnvelope | null {
    const row = this.guard('reading the snapshot', () => this.statements.loadEnvelope.get()) as { envelope: string } | undefined;
    if (row === undefined) return null;
    try {
      return JSON.parse(row.envelope) as SnapshotEnvelope;
    } catch (error) {
      throw toStoreError(error, `${ORCHESTRATOR_DB_FILE}: the saved snapshot is not valid JSON`);
    }
  }

  write(changes: LedgerChanges): number {
    const s = this.statements;
    const { envelope } = changes;
    const json = envelope === undefined ? null : JSON.stringify(envelope);
    this.guard('writing the snapshot and ledgers', () =>
      this.db.transaction(() => {
        for (const run of changes.runs ?? []) s.upsertRun.run(runParams(run));
        for (const skip of changes.skips ?? []) s.insertSkip.run(skipParams(skip));
        if (envelope !== undefined) s.saveEnvelope.run(envelope.machineVersion, envelope.savedAt, json);
      })(),
    );
    return json === null ? 0 : Buffer.byteLength(json);
  }

  runs(query: LedgerQuery = {}): RunRecord[] {
    const rows = this.guard('reading the run ledger', () => this.select('runs', query)) as RunRow[];
    return rows.map(runOf);
  }

  skips(query: LedgerQuery = {}): SkipRecord[] {
    const rows = this.guard('reading the skip ledger', () => this.select('skips', query)) as SkipRow[];
    return rows.map(skipOf);
  }

  unfinishedRuns(): RunRecord[] {
    return (this.guard('reading unfinished runs', () => this.statements.unfinishedRuns.all()) as RunRow[]).map(runOf);
  }

  lastRunId(): number {
    return this.guard('reading the last run id', () => this.statements.lastRunId.pluck().get()) as number;
  }

  lastCompletedAt(): Record<string, number> {
    const rows = this.guard('reading completed runs', () => this.statements.lastCompletedAt.all()) as { target: string; at: number }[];
    return Object.fromEntries(rows.map((row) => [row.target, row.at]));
  }

  scheduleOverrides(): ScheduleOverride[] {
    const rows = this.guard('reading schedule overrides', () => this.statements.scheduleOverrides.all()) as {
      service: string;
      interval_ms: number | null;
      offset_ms: number;
      enabled: number;
      missed: string;
    }[];
    return rows.map((row) => ({
      service: row.service as Service,
      intervalMs: row.interval_ms,
      offsetMs: row.offset_ms,
      enabled: row.enabled === 1,
      missed: row.missed as ScheduleOverride['missed'],
    }));
  }

  saveScheduleOverride(override: ScheduleOverride): void {
    this.guard(`saving the ${override.service} schedule`, () =>
      this.statements.saveScheduleOverride.run(override.service, override.intervalMs, override.offsetMs, override.enabled ? 1 : 0, override.missed),
    );
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Newest first; the filters are optional and the limit bounded. */
  private select(table: 'runs' | 'skips', query: LedgerQuery): unknown[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.service !== undefined) {
      where.push('service = ?');
      params.push(query.service);
    }
    if (query.account !== undefined) {
      where.push('account = ?');
      params.push(query.account);
    }
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? DEFAULT_LEDGER_LIMIT)), MAX_LEDGER_LIMIT);
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    // Ids grow with time (runs take theirs when they start, skips when recorded): id order is time order.
    return this.db.prepare(`SELECT * FROM ${table} ${filter} ORDER BY id DESC LIMIT ?`).all(...params, limit);
  }

  private guard<T>(doing: string, fn: () => T): T {
    if (!this.db.open) throw new StoreError(`${ORCHESTRATOR_DB_FILE}: ${doing}: the database is closed`);
    try {
      return fn();
    } catch (error) {
      throw toStoreError(error, `${ORCHESTRATOR_DB_FILE}: ${doing}`);
    }
  }
}

/** Opens (creating and migrating as needed) `orchestrator.db` under `dataDir`. */
export function openOrchestratorDb(dataDir: string): SqliteOrchestratorStore {
  const db = openSqlite(join(dataDir, ORCHESTRATOR_DB_FILE), ORCHESTRATOR_MIGRATIONS);
  try {
    return new SqliteOrchestratorStore(db);
  } catch (error) {
    db.close();
    throw error;
  }
}

function prepare(db: SqliteDatabase): Statements {
  return {
    loadEnvelope: db.prepare('SELECT envelope FROM snapshots WHERE id = 1'),
    saveEnvelope: db.prepare(
      `INSERT INTO snapshots (id, machine_version, saved_at, envelope) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET machine_version = excluded.machine_version, saved_at = excluded.saved_at, envelope = excluded.envelope`,
    ),
    upsertRun: db.prepare(
      `INSERT INTO runs (id, target, service, account, trigger, outcome, started_at, finished_at, downloading_ms, parsing_ms,
         applying_ms, finalizing_ms, stats, flags, error_class, error_message, checkpoint)
       VALUES (@id, @target, @service, @account, @trigger, @outcome, @startedAt, @finishedAt, @downloading, @parsing,
         @applying, @finalizing, @stats, @flags, @errorClass, @errorMessage, @checkpoint)
       ON CONFLICT (id) DO UPDATE SET trigger = excluded.trigger, outcome = excluded.outcome, finished_at = excluded.finished_at,
         downloading_ms = excluded.downloading_ms, parsing_ms = excluded.parsing_ms, applying_ms = excluded.applying_ms,
         finalizing_ms = excluded.finalizing_ms, stats = excluded.stats, flags = excluded.flags,
         error_class = excluded.error_class, error_message = excluded.error_message, checkpoint = excluded.checkpoint`,
    ),
    insertSkip: db.prepare(
      'INSERT INTO skips (at, target, service, account, trigger, reason, detail) VALUES (@at, @target, @service, @account, @trigger, @reason, @detail)',
    ),
    unfinishedRuns: db.prepare("SELECT * FROM runs WHERE outcome IN ('running', 'paused') ORDER BY id"),
    lastRunId: db.prepare('SELECT COALESCE(MAX(id), 0) FROM runs'),
    lastCompletedAt: db.prepare("SELECT target, MAX(finished_at) AS at FROM runs WHERE outcome = 'completed' GROUP BY target"),
    scheduleOverrides: db.prepare('SELECT * FROM schedule_overrides ORDER BY service'),
    saveScheduleOverride: db.prepare(
      `INSERT INTO schedule_overrides (service, interval_ms, offset_ms, enabled, missed) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (service) DO UPDATE SET interval_ms = excluded.interval_ms, offset_ms = excluded.offset_ms,
         enabled = excluded.enabled, missed = excluded.missed`,
    ),
  };
}

function runParams(run: RunRecord): Record<string, unknown> {
  return {
    id: run.id,
    target: run.target,
    service: run.service,
    account: run.account,
    trigger: run.trigger,
    outcome: run.outcome,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    // Durations come from clock differences; whole milliseconds are all an operator needs.
    downloading: Math.round(run.phases.downloading),
    parsing: Math.round(run.phases.parsing),
    applying: Math.round(run.phases.applying),
    finalizing: Math.round(run.phases.finalizing),
    stats: run.stats === null ? null : JSON.stringify(run.stats),
    flags: JSON.stringify(run.flags),
    errorClass: run.error?.class ?? null,
    errorMessage: run.error?.message ?? null,
    checkpoint: run.checkpoint === null ? null : JSON.stringify(run.checkpoint),
  };
}

function skipParams(skip: SkipRecord): Record<string, unknown> {
  const { at, target, service, account, trigger, reason, detail } = skip;
  return { at, target, service, account, trigger, reason, detail };
}

function runOf(row: RunRow): RunRecord {
  return {
    id: row.id,
    target: row.target,
    service: row.service as Service,
    account: row.account,
    trigger: row.trigger as Trigger,
    outcome: row.outcome as RunOutcome,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    phases: { downloading: row.downloading_ms, parsing: row.parsing_ms, applying: row.applying_ms, finalizing: row.finalizing_ms },
    stats: row.stats === null ? null : (JSON.parse(row.stats) as RunStats),
    flags: JSON.parse(row.flags) as string[],
    error: row.error_class === null ? null : ({ class: row.error_class, message: row.error_message ?? '' } as RunError),
    checkpoint: row.checkpoint === null ? null : (JSON.parse(row.checkpoint) as JsonValue),
  };
}

function skipOf(row: SkipRow): SkipRecord {
  return {
    at: row.at,
    target: row.target,
    service: row.service as Service | null,
    account: row.account,
    trigger: row.trigger as Trigger,
    reason: row.reason as SkipReason,
    detail: row.detail,
  };
}
