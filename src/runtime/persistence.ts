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

/**
 * A change of nothing but progress (a run's `done` / `total`, the machines' `now`) is written on every
 * this many intervals only (2 s), not on the next one: a run reports progress ten times a second, and
 * each write is an fsync on the event loop (the operator benchmark saw 54 of them, 1–4 ms each, in an
 * 11 s sync, and the slowest status requests waited behind them). Progress numbers are worthless after a
 * crash (the run resumes from its checkpoint, a change of its own that is written on the next interval);
 * any other change, a new phase included, is written as before.
 */
export const PROGRESS_WRITE_EVERY = 10;

/** Keys whose values change with progress alone; dropped from the shape that decides whether a write may wait. */
const PROGRESS_KEYS: ReadonlySet<string> = new Set(['done', 'total', 'now']);

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
  /** Intervals that wrote nothing because only progress had changed (see {@link PROGRESS_WRITE_EVERY}). */
  deferred: number;
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
  readonly stats: PersistenceStats = { writes: 0, lastEnvelopeBytes: 0, lastWriteMs: 0, totalWriteMs: 0, failures: 0, deferred: 0 };
  private readonly intervalMs: number;
  private subscription: Subscription | null = null;
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;
  /** The last written snapshot without its progress keys (null before the first write). */
  private writtenShape: string | null = null;
  /** Intervals in a row that deferred a progress-only change. */
  private deferredInARow = 0;

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
    return this.write(false);
  }

  /** `mayDefer`: a change of progress alone waits for a later interval (the timer's writes only). */
  private write(mayDefer: boolean): boolean {
    this.cancelTimer();
    const { actor, store, ledger, now } = this.options;
    // A stopped actor's snapshot describes stopped children: it must never replace the last live one.
    const live = actor.getSnapshot().status === 'active';
    if (!(this.dirty && live) && !ledger.hasPending) return this.durable();
    const started = performance.now();
    const snapshot = this.dirty && live ? actor.getPersistedSnapshot() : undefined;
    const shape = snapshot === undefined ? null : JSON.stringify(snapshot, (key: string, value: unknown) => (PROGRESS_KEYS.has(key) ? undefined : value));
    if (mayDefer && !ledger.hasPending && shape === this.writtenShape && ++this.deferredInARow < PROGRESS_WRITE_EVERY) {
      this.stats.deferred++;
      this.arm();
      return this.durable();
    }
    const rows = ledger.pending();
    const envelope: SnapshotEnvelope | undefined = snapshot === undefined ? undefined : { machineVersion: MACHINE_VERSION, savedAt: now(), snapshot };
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
      this.writtenShape = shape;
      this.deferredInARow = 0;
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
    this.arm();
  }

  private arm(): void {
    this.timer = setTimeout(() => this.writeOnTimer(), this.intervalMs);
    // A pending write must not keep a finished process alive; close() writes the last one itself.
    this.timer.unref();
  }

  private writeOnTimer(): void {
    this.timer = null;
    try {
      this.write(true);
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
