import { access, rm } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Checkpoint, Phase, RunControls, RunFunction, RunOutcome, RunStats, RunSyncInput, TargetId } from '../../machines/index.js';
import type { ExportSource } from '../erp/export-source.js';
import type { DatabaseName } from '../stores/database-spec.js';
import type { RecordStore } from '../stores/record-store.js';
import { applyExport, type ApplyCheckpoint, type ApplyFlag, type ApplyProgress, type ApplyStats } from './apply-export.js';
import { loadExportParser, type ParseExportFile } from './export-parser.js';
import { ParseCache } from './parse-cache.js';

/** What the real `runSync` needs; everything is injected by the composition root. */
export interface ExportRunsDeps {
  source: ExportSource;
  /** The record stores, kept open by the runtime (one writer connection per file). */
  stores: Partial<Record<DatabaseName, RecordStore>>;
  /** `DATA_DIR/downloads`. */
  downloadsDir: string;
  logger: Logger;
  /** Wall clock (epoch ms): the run's `created_at` / `updated_at` / `deleted_at`. */
  now: () => number;
  completenessMin: number;
  /** The parser port (default: pdf.js in a worker). Benchmarks pass a pre-parsed export. */
  parse?: ParseExportFile;
  /** Told the flags of every completed run, before the machine hears of the completion (the ledger keeps them). */
  onCompleted?: (target: TargetId, flags: readonly ApplyFlag[]) => void;
}

/**
 * Progress reports per run: one per percent is plenty for a status page, and each report is an event
 * through two actors, so reporting every parsed page of a 14,000-page export would be pure overhead.
 */
const PROGRESS_STEPS = 100;

/**
 * The real `runSync`: download the target's export from the export source into `DATA_DIR/downloads`,
 * then `applyExport` it with checkpoints, resuming from the machine's checkpoint when there is one.
 * A pause request aborts the run's signal, so the download or parse in flight is abandoned (both are
 * idempotent) and `applyExport` stops at the next batch boundary with a checkpoint. Failures are thrown
 * with their class (`SourceError`, `ExportInvalidError`, `StoreError`); anything else becomes
 * `store-error` in `toRunError`, and is logged here with its stack first.
 */
export class ExportRuns {
  private readonly inFlight = new Set<Promise<RunOutcome>>();
  private readonly cache: ParseCache;

  constructor(private readonly deps: ExportRunsDeps) {
    this.cache = new ParseCache(deps.parse ?? (async (file, options) => (await loadExportParser())(file, options)));
  }

  /** The run function for `createRunSyncLogic`. */
  readonly run: RunFunction = (input, controls) => {
    const running = this.execute(input, controls);
    this.inFlight.add(running);
    const forget = (): void => void this.inFlight.delete(running);
    running.then(forget, forget);
    return running;
  };

  /**
   * Resolves once every run in flight has settled, or after `timeoutMs`: a stopped actor aborts its runs,
   * which then stop at their next batch boundary; databases must stay open until they do.
   * @returns whether every run settled in time.
   */
  async settled(timeoutMs: number): Promise<boolean> {
    if (this.inFlight.size === 0) return true;
    const all = Promise.allSettled([...this.inFlight]).then(() => true);
    return Promise.race([all, delay(timeoutMs, false, { ref: false })]);
  }

  private async execute(input: RunSyncInput, controls: RunControls): Promise<RunOutcome> {
    const log = this.deps.logger.child({ target: input.target, attempt: input.attempt });
    const pause = new AbortController();
    if (controls.pauseRequested) pause.abort();
    else controls.onPauseRequested(() => pause.abort());
    const signal = AbortSignal.any([controls.signal, pause.signal]);
    const report = progressReporter(controls);

    const resumeFrom = await this.resumePoint(input, log);
    let file: string;
    if (resumeFrom !== null) {
      file = resumeFrom.file;
      log.info({ file, nextBatch: resumeFrom.nextBatch }, 'resuming from checkpoint');
    } else {
      report('downloading', 0, 1);
      try {
        file = (await this.deps.source.download({ service: input.service, account: input.account, downloadsDir: this.deps.downloadsDir, signal })).file;
      } catch (error) {
        // A download in flight is abandoned on pause and redone on resume: there is nothing to keep.
        if (signal.aborted) return { outcome: 'paused', checkpoint: null };
        throw this.logged(error, log, controls);
      }
      report('downloading', 1, 1);
    }

    report('parsing', 0, 0);
    try {
      const result = await applyExport(file, {
        type: input.service,
        account: input.account,
        stores: this.deps.stores,
        ...(resumeFrom === null ? {} : { resumeFrom }),
        signal,
        completenessMin: this.deps.completenessMin,
        now: () => new Date(this.deps.now()),
        parse: this.cache.parse,
        // An ApplyCheckpoint is plain JSON (see its TSDoc); the machines keep it opaque.
        onCheckpoint: (checkpoint) => controls.checkpoint(checkpoint as unknown as Checkpoint),
        onProgress: (progress) => report(...phaseProgress(progress)),
      });
      if (result.outcome === 'paused') return { outcome: 'paused', checkpoint: result.checkpoint as unknown as Checkpoint };
      this.cache.forget(file);
      this.deps.onCompleted?.(input.target, result.flags);
      await this.removeDownload(file, log);
      return { outcome: 'completed', stats: runStatsOf(result.stats) };
    } catch (error) {
      // The file stays for a retry from the checkpoint, or for the operator to inspect (export-invalid).
      this.cache.forget(file);
      throw this.logged(error, log, controls, file);
    }
  }

  /** The machine's checkpoint as an `ApplyCheckpoint` of this target whose file still exists, else null. */
  private async resumePoint(input: RunSyncInput, log: Logger): Promise<ApplyCheckpoint | null> {
    if (input.resumeFrom === null) return null;
    const checkpoint = applyCheckpointOf(input.resumeFrom, input);
    if (checkpoint === null) {
      log.warn({ checkpoint: input.resumeFrom }, 'the checkpoint is not one of this target; starting over');
      return null;
    }
    try {
      await access(checkpoint.file);
      return checkpoint;
    } catch {
      log.warn({ file: checkpoint.file }, 'the downloaded export of the checkpoint is gone; downloading again');
      return null;
    }
  }

  private async removeDownload(file: string, log: Logger): Promise<void> {
    try {
      await rm(file, { force: true });
    } catch (error) {
      log.warn({ err: error, file }, 'could not remove the applied download');
    }
  }

  /** Logs an error without a failure class with its stack (the ledger will only keep its message). */
  private logged(error: unknown, log: Logger, controls: RunControls, file?: string): unknown {
    const classified = typeof error === 'object' && error !== null && 'class' in error;
    if (!classified && !controls.signal.aborted) log.error({ err: error, file }, 'run failed with an unclassified error (recorded as store-error)');
    return error;
  }
}

/** The machine's opaque checkpoint read back as the `ApplyCheckpoint` this runtime gave it, or null. */
function applyCheckpointOf(checkpoint: Checkpoint, input: RunSyncInput): ApplyCheckpoint | null {
  if (checkpoint === null || typeof checkpoint !== 'object' || Array.isArray(checkpoint)) return null;
  const c = checkpoint as Record<string, unknown>;
  const ours = typeof c.file === 'string' && c.type === input.service && c.account === input.account && typeof c.nextBatch === 'number';
  return ours ? (checkpoint as unknown as ApplyCheckpoint) : null;
}

function phaseProgress(progress: ApplyProgress): [Phase, number, number] {
  switch (progress.phase) {
    case 'parsing':
      return ['parsing', progress.pagesDone, progress.pagesTotal];
    case 'applying':
      return ['applying', progress.recordsDone, progress.recordsTotal];
    case 'finalizing':
      return ['finalizing', 0, 1];
  }
}

/** Reports a phase change at once, then at most one report per percent (and the last one of a phase). */
function progressReporter(controls: RunControls): (phase: Phase, done: number, total: number) => void {
  let lastPhase: Phase | null = null;
  let lastStep = -1;
  return (phase, done, total) => {
    const step = total > 0 ? Math.floor((done / total) * PROGRESS_STEPS) : 0;
    if (phase === lastPhase && step === lastStep && done !== total) return;
    lastPhase = phase;
    lastStep = step;
    controls.progress(phase, done, total);
  };
}

function runStatsOf(stats: ApplyStats): RunStats {
  const { parsed, inserted, updated, unchanged, deleted, orphans, unlinked, footer, carriedChanges, layoutDrift } = stats;
  return {
    parsed,
    inserted,
    updated,
    unchanged,
    deleted,
    orphans,
    unlinked,
    ...(footer === undefined ? {} : { footer }),
    ...(carriedChanges === undefined ? {} : { carriedChanges }),
    ...(layoutDrift === undefined ? {} : { layoutDrift }),
  };
}
