import type { MissedPolicy, OrchestratorStatus, RunStats, Service, Trigger, Why } from '../../machines/index.js';

/** How an operator asks for a sync. */
export interface SyncRequestOptions {
  /** One account; every account of the service when absent. */
  account?: string;
  /** Overrides the service's default priority. */
  priority?: number;
  /**
   * Runs a chained service (ddt, invoices, prices) even when its chain parent is pending: without it such
   * a request rides on the parent and runs only if the parent reports changes.
   */
  force?: boolean;
}

/**
 * What the HTTP layer (and the CLI, the dashboard, the benchmarks) may ask of the running orchestrator.
 * `src/runtime/` implements it over the one actor; `src/http/` only calls it. Times are ISO-8601 strings
 * at this boundary (the machines keep epoch milliseconds).
 */
export interface OrchestratorPort {
  /** Root state, running targets, queue with reasons, leases, per-target state, last runs, breaker. */
  status(): RuntimeStatus;
  /** Reason codes explaining why each target of `service` is not running now. */
  why(service: Service): IsoTimes<Why>[];
  /** Requests a sync of one service (every account of it when `account` is absent). */
  request(service: Service, options?: SyncRequestOptions): SyncRequestResult;
  /** Requests all six services. */
  requestAll(options?: Omit<SyncRequestOptions, 'account'>): SyncRequestResult;
  /** Operator pause of every account; resolves immediately (runs pause at their next checkpoint). */
  pause(reason: string): void;
  resume(): void;
  /**
   * Takes a priority lease and resolves once every running target in scope has paused, or rejects
   * with `LeaseTimeoutError` after `waitMs` naming the targets that did not pause (the lease is then
   * released again, so a failed acquire holds nothing).
   */
  acquireLease(request: LeaseRequest, waitMs?: number): Promise<LeaseGrant>;
  /** Releases a lease; false when no such lease is held. */
  releaseLease(leaseId: string): boolean;
  schedules(): ScheduleView[];
  /** Changes one service's schedule; persisted. Throws `RangeError` with a readable message. */
  updateSchedule(update: ScheduleUpdate): ScheduleView;
  /** Run ledger, newest first. */
  runs(filter?: LedgerFilter): RunView[];
  /** Skip ledger, newest first. */
  skips(filter?: LedgerFilter): SkipView[];
  health(): HealthView;
  /**
   * Every emitted orchestrator event, as it happens (for the WebSocket stream and metrics); with
   * `transitions`, also each state change of the root and of the targets (`machine.transition`, see
   * `machine-transitions.ts`) for the dashboard's inspector.
   */
  subscribe(listener: (event: RuntimeEvent) => void, options?: { transitions?: boolean }): () => void;
  /** Services that exist and the accounts each runs on. */
  targets(): { service: Service; account: string; target: string }[];
}

/**
 * `GET /api/sync/status`: the machines' `OrchestratorStatus` with every time (epoch ms there) as an
 * ISO-8601 string or null, plus process facts.
 */
export type RuntimeStatus = IsoTimes<OrchestratorStatus> & {
  /** Seconds since the process started. */
  uptimeSeconds: number;
  /** The export source in use (`directory`, `browser`). */
  source: string;
};

/** Field names that hold epoch-ms times in the machines' shapes and ISO strings at this boundary. */
export const TIME_FIELDS = ['now', 'requestedAt', 'startedAt', 'pausedAt', 'acquiredAt', 'expiresAt', 'nextDueAt', 'catchUpAt', 'retryAt', 'openUntil', 'since', 'at', 'until', 'armedAt', 'wakeAt', 'deadline'] as const;

/** A machine shape with its time fields turned into ISO strings. */
export type IsoTimes<T> = T extends number
  ? T
  : T extends (infer U)[]
    ? IsoTimes<U>[]
    : T extends object
      ? { [K in keyof T]: K extends (typeof TIME_FIELDS)[number] ? (null extends T[K] ? string | null : string) : IsoTimes<T[K]> }
      : T;

/** `POST /api/sync/:service` → 202 body. */
export interface SyncRequestResult {
  queued: { target: string; position: number; coalesced: boolean }[];
}

/** `POST /api/priority/leases` body. */
export interface LeaseRequest {
  reason: string;
  ttlMs?: number;
  /** One account, or every account when absent (`*`). */
  account?: string;
}

/** `POST /api/priority/leases` → 201 body. */
export interface LeaseGrant {
  leaseId: string;
  pausedTargets: string[];
  waitedMs: number;
  expiresAt: string;
}

/** The lease could not be granted in time; nothing is held. */
export class LeaseTimeoutError extends Error {
  constructor(readonly notPaused: string[], waitMs: number) {
    super(`lease not granted within ${waitMs} ms: still running ${notPaused.join(', ')}`);
    this.name = 'LeaseTimeoutError';
  }
}

/** An account that no target runs on. */
export class UnknownAccountError extends Error {
  constructor(account: string, known: string[]) {
    super(`unknown account "${account}"; configured accounts: ${known.join(', ')}`);
    this.name = 'UnknownAccountError';
  }
}

/** One service's schedule at the HTTP boundary (minutes). */
export interface ScheduleView {
  service: Service;
  /** The parent a chained service runs after (its interval is then a safety interval), or `null`. */
  chainedAfter: Service | null;
  intervalMinutes: number | null;
  offsetMinutes: number;
  enabled: boolean;
  missed: MissedPolicy;
  /** Next due time per target of the service. */
  nextDueAt: Record<string, string | null>;
}

/** `POST /api/sync/schedule` body: only `service` is required. */
export interface ScheduleUpdate {
  service: Service;
  intervalMinutes?: number;
  offsetMinutes?: number;
  enabled?: boolean;
  missed?: MissedPolicy;
}

/** Filters of the ledgers. */
export interface LedgerFilter {
  service?: Service;
  account?: string;
  limit?: number;
}

/** DESIGN §7 `Run`. */
export interface RunView {
  id: number;
  target: string;
  service: Service;
  account: string;
  trigger: Trigger;
  outcome: 'running' | 'completed' | 'failed' | 'paused' | 'cancelled';
  startedAt: string;
  finishedAt: string | null;
  phases: { downloading: number; parsing: number; applying: number; finalizing: number };
  stats: RunStats;
  flags: string[];
  error: { class: string; message: string } | null;
}

/** DESIGN §7 `Skip`. */
export interface SkipView {
  at: string;
  target: string;
  trigger: Trigger;
  reason: string;
  detail: string;
}

/** `GET /api/health`. */
export interface HealthView {
  status: 'ok' | 'degraded' | 'down';
  checks: Record<string, { status: 'ok' | 'degraded' | 'down'; detail: string }>;
}

/** An orchestrator event as streamed (DESIGN §7), without the stream's `seq`. */
export interface RuntimeEvent {
  type: string;
  at: string;
  [field: string]: unknown;
}
