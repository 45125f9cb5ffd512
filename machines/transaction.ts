/**
 * A transaction: the next context plus the facts to emit and the commands to send to children, built by
 * pure steps. `orchestrator.machine.ts` commits one with a single `assign`, its `emit`s and its `sendTo`s.
 */
import type { FailureClass, ScheduleConfig, Service, TargetId, Trigger } from './catalog.js';
import type { SyncTargetCommand, SyncTargetReport } from './sync-target.machine.js';
import { laterOf } from './time.js';
import type {
  AccountHold,
  BreakerState,
  Checkpoint,
  HoldCause,
  OrchestratorContext,
  Phase,
  ResourceBreach,
  ResourceReadings,
  RunningEntry,
  RunStats,
  Skip,
  SkipReason,
  TargetRecord,
} from './types.js';

/** Facts the root emits (`actor.on(type, …)`); the runtime records and streams them. Times are epoch ms. */
export type OrchestratorEmitted =
  | { type: 'sync.queued'; at: number; target: TargetId; trigger: Trigger; priority: number; position: number }
  | { type: 'sync.started'; at: number; target: TargetId; trigger: Trigger; probe: boolean }
  | { type: 'sync.progress'; at: number; target: TargetId; phase: Phase; done: number; total: number }
  | { type: 'sync.paused'; at: number; target: TargetId; cause: HoldCause; checkpoint: Checkpoint | null }
  | { type: 'sync.resumed'; at: number; target: TargetId; trigger: Trigger; restored: boolean }
  | { type: 'sync.completed'; at: number; target: TargetId; trigger: Trigger; stats: RunStats }
  | {
      type: 'sync.failed';
      at: number;
      target: TargetId;
      trigger: Trigger;
      class: FailureClass;
      message: string;
      /** Retry number that follows (0: none); `immediate` for the at-once session-expired retry. */
      retry: number | 'immediate';
      retryAt: number | null;
    }
  | ({ type: 'sync.skipped' } & Skip)
  | {
      type: 'lease.acquired';
      at: number;
      leaseId: string;
      scope: string;
      pausedTargets: TargetId[];
      waitedMs: number;
      expiresAt: number;
    }
  | { type: 'lease.released'; at: number; leaseId: string; scope: string; reason: 'released' | 'expired' }
  | { type: 'erp.circuit'; at: number; state: BreakerState['state']; until: number | null; failures: number }
  /** The ERP window opened or closed (`until`: its next boundary), or was lifted (`unrestricted`). */
  | { type: 'erp.hours'; at: number; state: 'open' | 'closed' | 'unrestricted'; hours: string | null; until: number | null }
  | { type: 'account.held'; at: number; account: string; reason: AccountHold['reason']; target: TargetId; until: number }
  | { type: 'account.released'; at: number; account: string; reason: AccountHold['reason'] }
  | { type: 'schedule.updated'; at: number; service: Service; schedule: ScheduleConfig }
  | {
      type: 'resources.guard';
      at: number;
      change: 'held' | 'stepped-down' | 'released' | 'stepped-up';
      /** Targets that may run now (0 while held). */
      effective: number;
      concurrency: number;
      held: boolean;
      cause: ResourceBreach | null;
      readings: ResourceReadings;
    };

/** A command for the child of `to`. */
export interface ChildCommand {
  to: TargetId;
  event: SyncTargetCommand;
}

/** The next context and its effects, built step by step. */
export interface Tx {
  ctx: OrchestratorContext;
  emitted: OrchestratorEmitted[];
  commands: ChildCommand[];
  /** Targets whose child actor must be spawned (accounts added on restore). */
  spawned: TargetId[];
  /** Targets whose child actor must be stopped (accounts removed on restore). */
  stopped: TargetId[];
}

/** The report of one type a child sends. */
export type Report<T extends SyncTargetReport['type']> = Extract<SyncTargetReport, { type: T }>;

/** Starts a transaction at the later of the context's time and the event's `now`. */
export function begin(context: OrchestratorContext, eventNow?: number): Tx {
  return { ctx: { ...context, now: laterOf(context.now, eventNow) }, emitted: [], commands: [], spawned: [], stopped: [] };
}

/** The transaction with part of its next context replaced. */
export function withContext(tx: Tx, patch: Partial<OrchestratorContext>): Tx {
  return { ...tx, ctx: { ...tx.ctx, ...patch } };
}

/** The transaction with one more emitted fact. */
export function emit(tx: Tx, event: OrchestratorEmitted): Tx {
  return { ...tx, emitted: [...tx.emitted, event] };
}

/** The transaction with one more command for a child. */
export function command(tx: Tx, to: TargetId, event: SyncTargetCommand): Tx {
  return { ...tx, commands: [...tx.commands, { to, event }] };
}

/** A copy of a record without one key. */
export function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}

/** Patches a target's record (no-op for an unknown target). */
export function patchTarget(tx: Tx, target: TargetId, patch: Partial<TargetRecord>): Tx {
  const record = tx.ctx.targets[target];
  return record === undefined ? tx : withContext(tx, { targets: { ...tx.ctx.targets, [target]: { ...record, ...patch } } });
}

/** Patches a running entry (no-op when the target does not run). */
export function patchRunning(tx: Tx, target: TargetId, patch: Partial<RunningEntry>): Tx {
  const entry = tx.ctx.running[target];
  return entry === undefined ? tx : withContext(tx, { running: { ...tx.ctx.running, [target]: { ...entry, ...patch } } });
}

/** Records a trigger that did not become a run (`sync.skipped`). */
export function skip(tx: Tx, target: TargetId, trigger: Trigger, reason: SkipReason, detail: string): Tx {
  return emit(tx, { type: 'sync.skipped', at: tx.ctx.now, target, trigger, reason, detail });
}
