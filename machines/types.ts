/**
 * Data shapes shared by the decisions and the two machines. Everything here is plain JSON (no functions, no
 * `undefined`, no `Infinity`) because it lives in persisted snapshots. Times are epoch milliseconds.
 */
import type { Accounts, FailureClass, ScheduleConfig, Service, ServiceCatalog, TargetId, Trigger } from './catalog.js';
import type { ErpHours } from './erp-hours.js';

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Opaque resume point produced by the run (downloaded file + next batch); the machines only store it. */
export type Checkpoint = JsonValue;

/** The four phases of a run. */
export type Phase = 'downloading' | 'parsing' | 'applying' | 'finalizing';

/** Counters of a completed run (DESIGN §7 `Run.stats`). */
export interface RunStats {
  /** Records in the export. */
  parsed: number;
  inserted: number;
  /** Rows rewritten because they changed or were revived after a soft delete. */
  updated: number;
  unchanged: number;
  /** Rows soft-deleted because the export no longer holds them. */
  deleted: number;
  /** Active DDT of the account without a known order (orders, ddt and invoices runs; else 0). */
  orphans: number;
  /** Active invoices of the account linked to no order (orders, ddt and invoices runs; else 0). */
  unlinked: number;
  /** The export's summary footer and its checks in one line, when the parser found one. */
  footer?: string;
  /**
   * Present (true) when this run changed no row itself but its scope holds changes committed before and
   * not yet acknowledged: by an attempt killed before its completion was recorded, or by a run that failed
   * after committing batches. Its chained children run as if it had changed those rows.
   */
  carriedChanges?: true;
  /**
   * Present when the export's columns differed from its table's (ERP-EXPORTS §1: column visibility is a
   * per-user ERP setting): the stored values of the missing fields were kept, not emptied.
   */
  layoutDrift?: LayoutDrift;
}

/**
 * How an export's columns differed from what its table knows. A field whose column is missing is unknown
 * for that run, not empty: stored values stay and change detection leaves it out.
 */
export interface LayoutDrift {
  /** Optional record fields the export had no column for (e.g. `customerReference`). */
  missingFields: string[];
  /** Header texts that matched no field of the table (their text went to each written row's `extra`). */
  unknownColumns: string[];
}

/** A classified failure. */
export interface RunError {
  class: FailureClass;
  message: string;
}

/** A trigger that did not become a run (DESIGN §7 `Skip`). */
export interface Skip {
  at: number;
  target: TargetId;
  trigger: Trigger;
  reason: SkipReason;
  detail: string;
}

/** Why a trigger did not become a run. */
export type SkipReason = 'COALESCED' | 'NO_PARENT_CHANGES' | 'MISSED' | 'BREAKER_OPEN' | 'UNKNOWN_TARGET' | 'OUTSIDE_ERP_HOURS';

/** One account kept from starting runs until `until` (its daily login budget is used up). */
export interface AccountHold {
  account: string;
  reason: 'LOGIN_BUDGET_EXHAUSTED';
  /** The run whose failure set the hold. */
  target: TargetId;
  since: number;
  /** When the hold ends by itself: the budget's reset, the next midnight of the ERP's time zone. */
  until: number;
  /** The failure's message (the budget, the count). */
  message: string;
}

/** What a queued, running or paused entry carries from the request that created it. */
export interface TargetRequest {
  target: TargetId;
  service: Service;
  account: string;
  priority: number;
  trigger: Trigger;
  requestedAt: number;
}

/** One waiting request. At most one per target (coalescing). */
export interface QueueEntry extends TargetRequest {
  /** Requests merged into this entry since it was queued. */
  merges: number;
}

/** Why a run was asked to pause. `runtime`: the run stopped on its own (e.g. shutdown) at a checkpoint. */
export type HoldCause =
  | { kind: 'lease'; leaseId: string }
  | { kind: 'operator' }
  | { kind: 'preempt'; by: TargetId }
  | { kind: 'runtime' };

/** A started run; it holds its account's mutex until it completes, fails or reports paused. */
export interface RunningEntry extends TargetRequest {
  startedAt: number;
  /**
   * Effective priority (priority + ageing) it started or resumed with, never lowered by a resume;
   * preemption compares a challenger with it, so ageing that let a run start also protects it.
   * Absent in snapshots saved before ageing: the priority stands for it.
   */
  startPriority?: number;
  /** Times this run has been paused by preemption (budget: MAX_PREEMPTIONS). */
  preemptions: number;
  /** Set once the run has been told to pause; it keeps the mutex until it reports `paused`. */
  pauseRequested: HoldCause | null;
  /** The half-open breaker's single probe run. */
  probe: boolean;
  phase: Phase | null;
  done: number;
  total: number;
}

/** A run stopped at a checkpoint, waiting to resume. It does not hold the mutex. */
export interface PausedEntry extends TargetRequest {
  pausedAt: number;
  /** The running entry's `startPriority`, kept for its resume. */
  startPriority?: number;
  preemptions: number;
  cause: HoldCause;
}

/** `'*'` or one account. */
export type LeaseScope = string;

/** A priority hold taken by a user operation. */
export interface Lease {
  leaseId: string;
  scope: LeaseScope;
  reason: string;
  acquiredAt: number;
  /** Absolute TTL deadline. */
  expiresAt: number;
  /** `pending` until every running target in scope has paused; then `active`. */
  status: 'pending' | 'active';
  /** Targets paused (or finished) while this lease was pending. */
  pausedTargets: TargetId[];
}

/** Outcome of a target's last finished run. */
export interface LastRun {
  outcome: 'completed' | 'failed';
  at: number;
  trigger: Trigger;
  stats: RunStats | null;
  error: RunError | null;
}

/** Per-target bookkeeping of the root. */
export interface TargetRecord {
  target: TargetId;
  service: Service;
  account: string;
  /** Next slot of the service's schedule, or `null` without an enabled timer. */
  nextDueAt: number | null;
  /** A catch-up planned on restore (missed policy `once`). */
  catchUpAt: number | null;
  /** Absolute backoff deadline of a failed run that will be retried. */
  retryAt: number | null;
  /** Retry number that `retryAt` leads to (1..MAX_RETRY_ATTEMPTS); 0 when not backing off. */
  retryAttempt: number;
  lastRun: LastRun | null;
}

/** Mirror of the `erp` region plus its counters. */
export interface BreakerState {
  state: 'closed' | 'open' | 'halfOpen';
  /** Consecutive `erp-unreachable` failures while closed. */
  failures: number;
  /** End of the cooldown while open. */
  openUntil: number | null;
  /** The half-open probe, while it runs. */
  probe: TargetId | null;
}

/** What the `clock` region armed its single timer for. */
export interface ClockArm {
  /** Earliest absolute deadline at arming time, or `null` when none. */
  deadline: number | null;
  armedAt: number;
  /** When the timer wakes: the deadline, capped at MAX_TIMER_DELAY_MS after arming. */
  wakeAt: number;
}

/** An operator pause. `transient` pauses (graceful shutdown) are lifted by `orchestrator.restored`. */
export interface OperatorPause {
  reason: string;
  since: number;
  transient: boolean;
}

/** The root's context: every lock, queue, lease and deadline of the product. */
export interface OrchestratorContext {
  /** Latest time seen in an event (or the deadline a timer fired for). */
  now: number;
  /** Anchor of every schedule grid: slot k of a service is bootAt + offset + k × interval. */
  bootAt: number;
  timeScale: number;
  concurrency: number;
  accounts: Accounts;
  /** The services given as input (scope, priority, default schedule, chain). */
  services: ServiceCatalog;
  schedules: Record<Service, ScheduleConfig>;
  targets: Record<TargetId, TargetRecord>;
  queue: QueueEntry[];
  running: Record<TargetId, RunningEntry>;
  paused: Record<TargetId, PausedEntry>;
  leases: Lease[];
  operatorPause: OperatorPause | null;
  breaker: BreakerState;
  /** State of the jitter PRNG (mulberry32), so jitter is deterministic and survives restore. */
  rngState: number;
  clock: ClockArm;
  /** ERP_HOURS: the daily window in which runs may start, or `null` for any hour. */
  erpHours: ErpHours | null;
  /** ERP_TIME_ZONE: where the window and the login budget's day are read (Europe/Rome). */
  erpTimeZone: string;
  /** Accounts held by themselves (an exhausted login budget), by account. */
  accountHolds: Record<string, AccountHold>;
  /** Adaptive concurrency under resource pressure (`resource-guard.ts`). */
  resourceGuard: ResourceGuardState;
}

/** Input of the root; ignored on restore (the snapshot's context wins) except what `orchestrator.restored` carries. */
export interface OrchestratorInput {
  /** The services to drive: the catalogue is data given to the chart, not owned by it. */
  services: ServiceCatalog;
  accounts: Accounts;
  /** SYNC_CONCURRENCY: global cap on running targets (default 1). */
  concurrency?: number;
  /** TIME_SCALE: divides every interval, offset, backoff, spacing and cooldown (default 1). */
  timeScale?: number;
  /** Persisted schedule overrides per service. */
  schedules?: Partial<Record<Service, Partial<ScheduleConfig>>>;
  /** First boot time: anchor of every schedule grid. */
  bootAt: number;
  /** Seed of the jitter PRNG (tests pass a fixed one). */
  random?: number;
  /** ERP_HOURS (default: none, any hour). */
  erpHours?: ErpHours | null;
  /** ERP_TIME_ZONE (default Europe/Rome). */
  erpTimeZone?: string;
  /** GUARD_EVENT_LOOP_MS, GUARD_RSS_MB, GUARD_CHROMIUM_RSS_MB (default DEFAULT_RESOURCE_LIMITS). */
  resourceLimits?: ResourceReadings;
}

/**
 * What the resource guard watches: the main thread's event-loop delay (p99 of a sample window, ms), the
 * process's resident memory (MB) and the memory of every Chromium process of the service together (MB,
 * proportional set size).
 */
export type ResourceMetric = 'eventLoopDelay' | 'rss' | 'chromiumRss';

/** One value per watched metric: a sample's readings, or the limits they are held against. */
export type ResourceReadings = Record<ResourceMetric, number>;

/** A reading over its limit. */
export interface ResourceBreach {
  metric: ResourceMetric;
  value: number;
  limit: number;
}

/**
 * The resource guard: the concurrency it lets run (stepped down under pressure, back up with hysteresis)
 * and whether new starts are held. Decided by `resource-guard.ts` from `resources.sampled` events.
 */
export interface ResourceGuardState {
  limits: ResourceReadings;
  /**
   * Cap on running targets while stepped down (never below 1), or null when the configured concurrency
   * applies: kept apart from `concurrency` so a restart with another SYNC_CONCURRENCY needs no conversion.
   */
  cap: number | null;
  /** True while new starts are held (over a limit with the cap already at 1). */
  held: boolean;
  /** The breach behind the last step down or the hold; cleared once back at full concurrency. */
  cause: ResourceBreach | null;
  /** Consecutive samples with every reading below its limit × RESOURCE_HYSTERESIS. */
  calmSamples: number;
  /** The latest sample, or null before the first. */
  last: { at: number; readings: ResourceReadings } | null;
}
