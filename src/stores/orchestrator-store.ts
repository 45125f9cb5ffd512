import type { JsonValue, MissedPolicy, RunError, RunStats, Service, SkipReason, TargetId, Trigger } from '../../machines/index.js';

/**
 * The port through which the runtime keeps what the orchestrator must not forget across restarts: the
 * versioned snapshot envelope, the run ledger, the skip ledger and the operators' schedule overrides.
 * Times are epoch milliseconds here; the runtime turns them into ISO strings at the HTTP boundary.
 * Adapters are named for their technology (`orchestrator-db.ts`: SQLite). Every method throws
 * `StoreError` on a storage failure.
 */
export interface OrchestratorStore {
  /** The saved envelope, or `null` before the first save. Its version is the reader's business. */
  loadEnvelope(): SnapshotEnvelope | null;
  /**
   * Writes a snapshot (when given) and ledger rows in one transaction, so the snapshot and the ledger
   * never disagree about what happened. Runs are upserted by `id`; skips are appended.
   * @returns the size of the envelope written, in bytes of JSON (0 without one).
   */
  write(changes: LedgerChanges): number;
  /** Run ledger, newest first. */
  runs(query?: LedgerQuery): RunRecord[];
  /** Skip ledger, newest first. */
  skips(query?: LedgerQuery): SkipRecord[];
  /** Runs still `running` or `paused`: at boot, the ones the last process left open. */
  unfinishedRuns(): RunRecord[];
  /** Highest run id ever written (0 when none): the next run takes the following one. */
  lastRunId(): number;
  /** When each target last completed a run (epoch ms), for data freshness. */
  lastCompletedAt(): Record<TargetId, number>;
  scheduleOverrides(): ScheduleOverride[];
  /** Replaces the override of one service. */
  saveScheduleOverride(override: ScheduleOverride): void;
  close(): void;
}

/** `{ machineVersion, savedAt, snapshot }`: what `actor.getPersistedSnapshot()` needs to be read back safely. */
export interface SnapshotEnvelope {
  /** `MACHINE_VERSION` of the build that saved it; an unknown version is refused, never guessed at. */
  machineVersion: number;
  /** Epoch ms. */
  savedAt: number;
  snapshot: unknown;
}

/** Outcome of a run as the ledger records it. `cancelled`: abandoned (its target or process went away). */
export type RunOutcome = 'running' | 'completed' | 'failed' | 'paused' | 'cancelled';

/** Time spent in each phase of a run, in ms (a paused run's waiting time is not counted). */
export interface PhaseDurations {
  downloading: number;
  parsing: number;
  applying: number;
  finalizing: number;
}

/** One row of the run ledger. */
export interface RunRecord {
  id: number;
  target: TargetId;
  service: Service;
  account: string;
  trigger: Trigger;
  outcome: RunOutcome;
  startedAt: number;
  finishedAt: number | null;
  phases: PhaseDurations;
  stats: RunStats | null;
  /** What an operator should know about a completed run (e.g. `INCOMPLETE_EXPORT`). */
  flags: string[];
  error: RunError | null;
  /** Last checkpoint of a paused run (cleared when it finishes). */
  checkpoint: JsonValue | null;
}

/** One row of the skip ledger: a trigger that did not become a run. */
export interface SkipRecord {
  at: number;
  target: TargetId;
  service: Service | null;
  account: string | null;
  trigger: Trigger;
  reason: SkipReason;
  detail: string;
}

/** What one transaction writes. */
export interface LedgerChanges {
  envelope?: SnapshotEnvelope;
  runs?: readonly RunRecord[];
  skips?: readonly SkipRecord[];
}

/** Filters of both ledgers. */
export interface LedgerQuery {
  service?: Service;
  account?: string;
  /** Default `DEFAULT_LEDGER_LIMIT`, at most `MAX_LEDGER_LIMIT`. */
  limit?: number;
}

/** An operator's change to a service's schedule (DESIGN §7 `POST /api/sync/schedule`), in ms. */
export interface ScheduleOverride {
  service: Service;
  intervalMs: number | null;
  offsetMs: number;
  enabled: boolean;
  missed: MissedPolicy;
}

/** Rows a ledger query returns when the caller gives no limit: a screenful. */
export const DEFAULT_LEDGER_LIMIT = 100;

/** Largest page of a ledger query: bounds the memory and time one HTTP request can take. */
export const MAX_LEDGER_LIMIT = 1_000;
