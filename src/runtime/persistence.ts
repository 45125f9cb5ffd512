import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Subscription } from 'xstate';
import { MACHINE_VERSION, type OrchestratorActor } from '../../machines/index.js';
import type { OrchestratorStore, SnapshotEnvelope } from '../stores/orchestrator-store.js';
import type { RunLedger } from './ledger.js';

/**
 * Longest a state change waits before it is written. The actor changes state many times a second while
 * a run reports progress; writing each change would fsync (`synchronous=FULL`) hundreds of times per
 * run. Five writes a second bound what a crash can lose to a fifth of a second, which the checkpoint
 * logic absorbs (re-applying a committed batch writes nothing).
 */
export const SNAPSHOT_WRITE_INTERVAL_MS = 200;

/** What the persistence loop has done, for logs and the benchmarks. */
export interface PersistenceStats {
  /** Transactions written. */
  writes: number;
  /** Size of the last envelope written, in bytes of JSON. */
  lastEnvelopeBytes: number;
  /** Wall time of the last write (snapshot + JSON + transaction), ms. */
  lastWriteMs: number;
  /** Wall time of every write together, ms. */
  totalWriteMs: number;
  /** Writes that failed (each is logged and retried with the next one). */
  failures: number;
}

/** Options of {@link SnapshotPersistence}. */
export interface PersistenceOptions {
  actor: OrchestratorActor;
  store: OrchestratorStore;
  ledger: RunLedger;
  /** Wall clock (epoch ms) for `savedAt`. */
  now: () => number;
  logger: Logger;
  /** Default {@link SNAPSHOT_WRITE_INTERVAL_MS}. */
  intervalMs?: number;
}

/**
 * The persistence loop: every state change of the actor (and every ledger row) marks the snapshot
 * dirty; at most once per interval the latest envelope `{ machineVersion, savedAt, snapshot }` and the
 * pending ledger rows are written in one transaction. The timer only schedules I/O; it decides nothing
 * about what runs (that is the statechart's alone).
 */
export class SnapshotPersistence {
  readonly stats: PersistenceStats = { writes: 0, lastEnvelopeBytes: 0, lastWriteMs: 0, totalWriteMs: 0, failures: 0 };
  private readonly intervalMs: number;
  private subscription: Subscription | null = null;
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;

  constructor(private readonly options: PersistenceOptions) {
    this.intervalMs = options.intervalMs ?? SNAPSHOT_WRITE_INTERVAL_MS;
  }

  /** Starts listening to the actor; the first snapshot is written at once. */
  start(): void {
    this.subscription ??= this.options.actor.subscribe({ next: () => this.markDirty() });
    this.dirty = true;
    this.flush();
  }

  /**
   * Writes what is pending now (a no-op when nothing is). Throws `StoreError` when the write fails.
   * @returns whether the actor's latest state is on disk: false when a stopped actor's state was not
   * written, or when the loop is not listening (then a later change may not be written at all).
   */
  flush(): boolean {
    this.cancelTimer();
    const { actor, store, ledger, now } = this.options;
    // A stopped actor's snapshot describes stopped children: it must never replace the last live one.
    const live = actor.getSnapshot().status === 'active';
    if (!(this.dirty && live) && !ledger.hasPending) return this.durable();
    const started = performance.now();
    const rows = ledger.pending();
    const envelope: SnapshotEnvelope | undefined =
      this.dirty && live ? { machineVersion: MACHINE_VERSION, savedAt: now(), snapshot: actor.getPersistedSnapshot() } : undefined;
    let bytes: number;
    try {
      bytes = store.write({ ...(envelope === undefined ? {} : { envelope }), ...rows });
    } catch (error) {
      this.stats.failures++;
      throw error;
    }
    ledger.written(rows);
    if (envelope !== undefined) {
      this.dirty = false;
      this.stats.lastEnvelopeBytes = bytes;
    }
    const elapsed = performance.now() - started;
    this.stats.writes++;
    this.stats.lastWriteMs = elapsed;
    this.stats.totalWriteMs += elapsed;
    return this.durable();
  }

  private durable(): boolean {
    return this.subscription !== null && !this.dirty;
  }

  /** Stops listening and cancels the pending write (without writing it: see `flush`). */
  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.cancelTimer();
  }

  private markDirty(): void {
    this.dirty = true;
    if (this.timer !== null || this.subscription === null) return;
    this.timer = setTimeout(() => this.writeOnTimer(), this.intervalMs);
    // A pending write must not keep a finished process alive; close() writes the last one itself.
    this.timer.unref();
  }

  private writeOnTimer(): void {
    this.timer = null;
    try {
      this.flush();
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not write the orchestrator snapshot; retrying with the next change');
      this.markDirty();
    }
  }

  private cancelTimer(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
  }
}
