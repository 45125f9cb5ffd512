import type { Logger } from 'pino';
import { waitFor } from 'xstate';
import { selectRegionStates, type OrchestratorActor, type TargetId } from '../../machines/index.js';
import type { ExportSource } from '../erp/export-source.js';
import type { OrchestratorStore } from '../stores/orchestrator-store.js';
import { closeRecordStores, type RecordStores } from '../stores/sqlite-record-store.js';
import type { SnapshotPersistence } from './persistence.js';
import type { ExportRuns } from '../sync/export-runs.js';

/**
 * How long a graceful shutdown waits for running targets to pause at their next checkpoint. A run in
 * its apply phase pauses within one 500-row batch; a download or parse is abandoned at once. A target
 * still running after this is recorded as running and re-runs from its last checkpoint on restart.
 */
export const SHUTDOWN_PAUSE_MS = 10_000;

/** How long closing waits for abandoned runs to stop touching the databases before closing them. */
const RUNS_SETTLE_MS = 5_000;

/** The ordered, named phases of a graceful stop (the process adds "stop accepting requests" before them). */
export interface ShutdownPhases {
  /**
   * Phase 1: a transient operator pause (lifted by the next start's restore), then waits until the
   * dispatch region holds, i.e. every run stopped at a checkpoint.
   * @returns the targets still running after `timeoutMs` (empty when everything paused).
   */
  pauseRuns(timeoutMs?: number): Promise<TargetId[]>;
  /** Phase 2: writes the snapshot and ledger rows now; nothing is written after it. */
  writeFinalSnapshot(): void;
  /** Phase 3: stops the actor, lets abandoned runs stop, closes the export source and every database. */
  closeDatabases(): Promise<void>;
  /** The three phases in order (idempotent). */
  close(): Promise<void>;
}

/** What the shutdown phases act on. */
export interface ShutdownDeps {
  actor: OrchestratorActor;
  persistence: SnapshotPersistence;
  runs: ExportRuns;
  source: ExportSource;
  stores: RecordStores;
  store: OrchestratorStore;
  /** Aborted first (phase 1, again in phase 3): lease requests still waiting are rejected and released. */
  closing: AbortController;
  now: () => number;
  logger: Logger;
}

/** The shutdown phases of one runtime. */
export function shutdownPhases(deps: ShutdownDeps): ShutdownPhases {
  const { actor, persistence, runs, source, stores, store, closing, now, logger } = deps;

  const pauseRuns = async (timeoutMs = SHUTDOWN_PAUSE_MS): Promise<TargetId[]> => {
    // Lease requests still waiting give up (and release their lease) before the final snapshot: a
    // pending lease restored without its client would hold its account until the TTL ran out.
    closing.abort();
    if (actor.getSnapshot().status !== 'active') return Object.keys(actor.getSnapshot().context.running);
    // An operator's own pause stays as it is: replacing it with a transient one would lift it on restart.
    if (actor.getSnapshot().context.operatorPause === null) {
      actor.send({ type: 'orchestrator.pause', reason: 'shutdown', transient: true, now: now() });
    }
    try {
      await waitFor(actor, (snapshot) => selectRegionStates(snapshot).dispatch === 'paused.holding', { timeout: timeoutMs });
      return [];
    } catch {
      const still = Object.keys(actor.getSnapshot().context.running);
      logger.warn({ still, timeoutMs }, 'runs did not pause in time; they re-run from their last checkpoint on restart');
      return still;
    }
  };

  const writeFinalSnapshot = (): void => {
    persistence.flush();
    persistence.stop();
  };

  const closeDatabases = async (): Promise<void> => {
    closing.abort();
    persistence.stop();
    actor.stop();
    if (!(await runs.settled(RUNS_SETTLE_MS))) logger.warn('runs still busy after stop; closing the databases under them');
    try {
      await source.close();
    } finally {
      closeRecordStores(stores);
      store.close();
    }
  };

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      await pauseRuns();
      try {
        writeFinalSnapshot();
      } finally {
        await closeDatabases();
      }
    })());

  return { pauseRuns, writeFinalSnapshot, closeDatabases, close };
}
