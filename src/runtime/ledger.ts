import type { OrchestratorContext, Phase, TargetId } from '../../machines/index.js';
import { parseTarget } from '../../machines/index.js';
import type { OrchestratorFact } from './event-hub.js';
import { PhaseTimer } from './phase-timer.js';
import type { LedgerChanges, RunRecord, SkipRecord } from '../stores/orchestrator-store.js';

/** A run that has started and not finished: its row, and the timing of its phases. */
interface OpenRun {
  record: RunRecord;
  timer: PhaseTimer;
}

/** Rows waiting to be written with the next snapshot. */
export interface PendingRows {
  runs: RunRecord[];
  skips: SkipRecord[];
}

/**
 * Turns the orchestrator's emitted facts into rows of the run ledger and the skip ledger (DESIGN §7
 * `Run`, `Skip`). A run's row is created by `sync.started`, moves through its phases with `sync.progress`
 * (each phase's duration is the time between the facts that open and close it, in the machine's clock),
 * turns `paused` and back with `sync.paused` / `sync.resumed`, and ends with `sync.completed` or
 * `sync.failed`. Rows are kept pending here and written by the persistence loop in the same transaction
 * as the snapshot, so the ledger and the snapshot always describe the same moment.
 */
export class RunLedger {
  private readonly open = new Map<TargetId, OpenRun>();
  private readonly pendingRuns = new Map<number, RunRecord>();
  private pendingSkips: SkipRecord[] = [];
  private readonly flags = new Map<TargetId, readonly string[]>();
  private lastId: number;

  /**
   * @param unfinished rows the previous process left `running` or `paused` (they continue if the restored
   *   snapshot still has their run, see {@link settle}).
   * @param lastRunId highest run id already written.
   */
  constructor(unfinished: readonly RunRecord[], lastRunId: number) {
    this.lastId = lastRunId;
    for (const record of unfinished) this.open.set(record.target, { record, timer: new PhaseTimer(record.phases) });
  }

  /** Records one fact. */
  record(fact: OrchestratorFact): void {
    switch (fact.type) {
      case 'sync.started':
        return this.started(fact.target, fact.trigger, fact.at);
      case 'sync.progress':
        return this.progressed(fact.target, fact.phase, fact.at);
      case 'sync.paused':
        return this.update(fact.target, fact.at, { outcome: 'paused', checkpoint: fact.checkpoint });
      case 'sync.resumed':
        return this.resumed(fact.target, fact.trigger, fact.at);
      case 'sync.completed': {
        const flags = [...(this.flags.get(fact.target) ?? [])];
        this.flags.delete(fact.target);
        return this.finish(fact.target, fact.at, { outcome: 'completed', stats: fact.stats, flags });
      }
      case 'sync.failed':
        return this.finish(fact.target, fact.at, { outcome: 'failed', error: { class: fact.class, message: fact.message } });
      case 'sync.skipped': {
        const parsed = parseTarget(fact.target);
        const { at, target, trigger, reason, detail } = fact;
        this.pendingSkips.push({ at, target, service: parsed?.service ?? null, account: parsed?.account ?? null, trigger, reason, detail });
        return;
      }
      default:
        return;
    }
  }

  /** Flags of a run that is about to report completion (from the run itself: the machine does not carry them). */
  noteFlags(target: TargetId, flags: readonly string[]): void {
    this.flags.set(target, flags);
  }

  /**
   * Once the actor has started (restored or fresh): a row the last process left open whose run the
   * actor does not have (its account was removed, the snapshot was discarded) is `cancelled`; one whose
   * run waits paused is `paused`. Runs that were running continue in the same row (`sync.resumed` with
   * `restored`).
   */
  settle(context: OrchestratorContext, at: number): void {
    for (const target of [...this.open.keys()]) {
      if (context.running[target] !== undefined) continue;
      if (context.paused[target] !== undefined) this.update(target, at, { outcome: 'paused' });
      else this.finish(target, at, { outcome: 'cancelled' });
    }
  }

  /** Rows not written yet. */
  pending(): PendingRows {
    return { runs: [...this.pendingRuns.values()], skips: [...this.pendingSkips] };
  }

  /** Forgets rows that were written (a row changed again since stays pending). */
  written(rows: Pick<LedgerChanges, 'runs' | 'skips'>): void {
    for (const run of rows.runs ?? []) if (this.pendingRuns.get(run.id) === run) this.pendingRuns.delete(run.id);
    // Skips are only ever appended, so the written ones are the oldest.
    this.pendingSkips = this.pendingSkips.slice(rows.skips?.length ?? 0);
  }

  /** True when rows wait to be written. */
  get hasPending(): boolean {
    return this.pendingRuns.size > 0 || this.pendingSkips.length > 0;
  }

  private started(target: TargetId, trigger: RunRecord['trigger'], at: number): void {
    // A row still open here was abandoned without a fact (defensive: the machine reports every end).
    if (this.open.has(target)) this.finish(target, at, { outcome: 'cancelled' });
    const parsed = parseTarget(target);
    if (parsed === null) return;
    const record: RunRecord = {
      id: ++this.lastId,
      target,
      service: parsed.service,
      account: parsed.account,
      trigger,
      outcome: 'running',
      startedAt: at,
      finishedAt: null,
      phases: { downloading: 0, parsing: 0, applying: 0, finalizing: 0 },
      stats: null,
      flags: [],
      error: null,
      checkpoint: null,
    };
    this.open.set(target, { record, timer: new PhaseTimer(record.phases) });
    this.pendingRuns.set(record.id, record);
  }

  private resumed(target: TargetId, trigger: RunRecord['trigger'], at: number): void {
    if (!this.open.has(target)) return this.started(target, trigger, at);
    this.update(target, at, { outcome: 'running' });
  }

  /** Only a phase change is written: a run reports progress every percent, its row needs the phases. */
  private progressed(target: TargetId, phase: Phase, at: number): void {
    const run = this.open.get(target);
    if (run === undefined || !run.timer.enter(phase, at)) return;
    this.put(run, { ...run.record, phases: { ...run.record.phases, ...run.timer.totals } });
  }

  private update(target: TargetId, at: number, patch: Partial<RunRecord>): void {
    const run = this.open.get(target);
    if (run === undefined) return;
    run.timer.stop(at);
    this.put(run, { ...run.record, phases: { ...run.record.phases, ...run.timer.totals }, ...patch });
  }

  private finish(target: TargetId, at: number, patch: Partial<RunRecord>): void {
    const run = this.open.get(target);
    if (run === undefined) return;
    this.update(target, at, { ...patch, finishedAt: at, checkpoint: null });
    this.open.delete(target);
  }

  private put(run: OpenRun, record: RunRecord): void {
    run.record = record;
    this.pendingRuns.set(record.id, record);
  }
}
