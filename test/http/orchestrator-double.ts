import {
  accountsOf,
  regionChange,
  targetId,
  targetsOf,
  type Accounts,
  type Service,
  type ServiceSpec,
  type Why,
} from '../../machines/index.js';
import { exportDefinition, serviceCatalog } from '../../src/exports/registry.js';
import {
  LeaseTimeoutError,
  type IsoTimes,
  UnknownAccountError,
  type HealthView,
  type LeaseGrant,
  type LeaseRequest,
  type LedgerFilter,
  type OrchestratorPort,
  type RunView,
  type RuntimeEvent,
  type RuntimeStatus,
  type ScheduleUpdate,
  type ScheduleView,
  type SkipView,
  type SyncRequestOptions,
  type SyncRequestResult,
} from '../../src/runtime/orchestrator-port.js';

const CATALOG = serviceCatalog();
const SERVICES = Object.keys(CATALOG);

/** A registered service's entry (the double answers for registered services only). */
function specOf(service: Service): ServiceSpec {
  return { service, ...exportDefinition(service).service };
}

/** One call the HTTP layer made on the port. */
export interface PortCall {
  method: keyof OrchestratorPort;
  args: unknown[];
}

/** The instant every canned view is taken at. */
export const NOW = Date.parse('2025-11-28T18:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const MINUTE = 60_000;

/**
 * An in-memory stand-in for the orchestrator at the HTTP port boundary: it records every call and answers
 * with canned but realistic views of one moment (orders@default applying, customers@default queued behind
 * it, one failed prices run in the ledger). The HTTP tests are about routing, auth, validation and
 * status codes, not about orchestration, which the machine tests cover against the real actor.
 */
export class OrchestratorDouble implements OrchestratorPort {
  readonly calls: PortCall[] = [];
  readonly accounts: Accounts = { service: 'default', agents: ['default', 'rossi'] };
  /** What `health()` answers. */
  healthView: HealthView = {
    status: 'ok',
    checks: {
      breaker: { status: 'ok', detail: 'ERP circuit closed' },
      freshness: { status: 'ok', detail: 'every target completed within 2 intervals' },
      failures: { status: 'ok', detail: 'no failed run in the last hour' },
    },
  };
  /** `grant`: leases are granted at once; `timeout`: `acquireLease` rejects with `LeaseTimeoutError`. */
  leaseOutcome: 'grant' | 'timeout' = 'grant';
  /** Leases currently held. */
  readonly leases = new Set<string>(['lease-1']);
  /**
   * The root's region states `status()` reports. A test changes them and emits an event: the double then
   * announces them as the real runtime does after a step (`orchestrator.state`, through `regionChange`).
   */
  regionStates: RuntimeStatus['state'] = { dispatch: 'running', clock: 'waiting', erp: 'closed' };
  /** What `status()` reports of the resource guard (calm at full concurrency, one sample taken). */
  resourceGuard: RuntimeStatus['resourceGuard'] = {
    limits: { eventLoopDelay: 250, rss: 1536, chromiumRss: 1536 },
    cap: null,
    held: false,
    cause: null,
    calmSamples: 3,
    last: { at: iso(NOW - 5_000), readings: { eventLoopDelay: 12.5, rss: 310, chromiumRss: 640 } },
    effectiveConcurrency: 1,
    reason: null,
  };
  /** The regions last announced: the initial ones count as announced before the test began. */
  private announced: RuntimeStatus['state'] = { ...this.regionStates };
  private readonly schedule = new Map<Service, ScheduleView>(SERVICES.map((service) => [service, this.initialSchedule(service)]));
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();
  private nextLease = 2;

  status(): RuntimeStatus {
    this.record('status');
    return {
      now: iso(NOW),
      state: { ...this.regionStates },
      running: [
        {
          target: 'orders@default',
          service: 'orders',
          account: 'default',
          priority: 4,
          trigger: 'schedule',
          requestedAt: iso(NOW - 2 * MINUTE),
          startedAt: iso(NOW - 2 * MINUTE),
          preemptions: 0,
          pauseRequested: null,
          probe: false,
          phase: 'applying',
          done: 1500,
          total: 4210,
        },
      ],
      queue: [
        {
          target: 'customers@default',
          service: 'customers',
          account: 'default',
          priority: 3,
          trigger: 'manual',
          requestedAt: iso(NOW - MINUTE),
          merges: 1,
          position: 1,
          reasons: [
            { code: 'QUEUED', detail: 'position 1 in the queue', position: 1 },
            { code: 'MUTEX_HELD', detail: 'account default is busy with orders@default', by: ['orders@default'] },
          ],
        },
      ],
      paused: [
        {
          target: 'products@default',
          service: 'products',
          account: 'default',
          priority: 2,
          trigger: 'schedule',
          requestedAt: iso(NOW - 30 * MINUTE),
          pausedAt: iso(NOW - 3 * MINUTE),
          preemptions: 1,
          cause: { kind: 'preempt', by: 'orders@default' },
        },
      ],
      leases: [],
      operatorPause: null,
      breaker: { state: 'closed', failures: 0, openUntil: null, probe: null },
      erpHours: { hours: null, timeZone: 'Europe/Rome', state: 'unrestricted', until: null },
      accountHolds: [],
      concurrency: 1,
      resourceGuard: { ...this.resourceGuard },
      timeScale: 1,
      schedules: Object.fromEntries(SERVICES.map((service) => [service, specOf(service).schedule])) as RuntimeStatus['schedules'],
      targets: targetsOf(CATALOG, this.accounts).map((target) => {
        const [service, account] = target.split('@') as [Service, string];
        return {
          target,
          service,
          account,
          state: target === 'orders@default' ? 'running.applying' : target === 'products@default' ? 'paused' : 'idle',
          nextDueAt: specOf(service).schedule.intervalMs === null ? null : iso(NOW + 15 * MINUTE),
          catchUpAt: null,
          retryAt: target === 'prices@default' ? iso(NOW + 10_000) : null,
          retryAttempt: target === 'prices@default' ? 1 : 0,
          lastRun:
            target === 'prices@default'
              ? { outcome: 'failed', at: iso(NOW - 5_000), trigger: 'chained', stats: null, error: { class: 'erp-unreachable', message: 'connect ECONNREFUSED' } }
              : null,
        };
      }),
      uptimeSeconds: 3600,
      source: 'directory',
    };
  }

  why(service: Service): IsoTimes<Why>[] {
    this.record('why', service);
    return accountsOf(specOf(service), this.accounts).map((account) => ({
      target: targetId(service, account),
      state: 'idle',
      reasons:
        account === 'default'
          ? [
              { code: 'QUEUED', detail: 'position 1 in the queue', position: 1 },
              { code: 'MUTEX_HELD', detail: 'account default is busy with orders@default', by: ['orders@default'] },
              { code: 'LEASE', detail: 'lease lease-1 (new order) on * until …', leaseId: 'lease-1', until: iso(NOW + 2 * MINUTE) },
            ]
          : [{ code: 'NEXT_DUE', detail: 'next slot at …', at: iso(NOW + 15 * MINUTE) }],
    }));
  }

  request(service: Service, options: SyncRequestOptions = {}): SyncRequestResult {
    this.record('request', service, options);
    const accounts = accountsOf(specOf(service), this.accounts);
    if (options.account !== undefined && !accounts.includes(options.account)) throw new UnknownAccountError(options.account, [...accounts]);
    const chosen = options.account === undefined ? accounts : [options.account];
    return { queued: chosen.map((account, i) => ({ target: targetId(service, account), position: i + 2, coalesced: service === 'customers' })) };
  }

  requestAll(options: Omit<SyncRequestOptions, 'account'> = {}): SyncRequestResult {
    this.record('requestAll', options);
    return { queued: targetsOf(CATALOG, this.accounts).map((target, i) => ({ target, position: i + 1, coalesced: target === 'customers@default' })) };
  }

  pause(reason: string): void {
    this.record('pause', reason);
  }

  resume(): void {
    this.record('resume');
  }

  async acquireLease(request: LeaseRequest, waitMs?: number): Promise<LeaseGrant> {
    this.record('acquireLease', request, waitMs);
    const known = [...new Set([this.accounts.service, ...this.accounts.agents])];
    if (request.account !== undefined && !known.includes(request.account)) throw new UnknownAccountError(request.account, known);
    if (this.leaseOutcome === 'timeout') throw new LeaseTimeoutError(['products@default'], waitMs ?? 0);
    const leaseId = `lease-${this.nextLease++}`;
    this.leases.add(leaseId);
    return { leaseId, pausedTargets: ['orders@default'], waitedMs: 37, expiresAt: iso(NOW + (request.ttlMs ?? 5 * MINUTE)) };
  }

  releaseLease(leaseId: string): boolean {
    this.record('releaseLease', leaseId);
    return this.leases.delete(leaseId);
  }

  schedules(): ScheduleView[] {
    this.record('schedules');
    return [...this.schedule.values()];
  }

  updateSchedule(update: ScheduleUpdate): ScheduleView {
    this.record('updateSchedule', update);
    const current = this.schedule.get(update.service)!;
    if (current.intervalMinutes === null && update.intervalMinutes === undefined && update.offsetMinutes !== undefined) {
      throw new RangeError(`${update.service} has no timer: set intervalMinutes with the offset`);
    }
    const next: ScheduleView = { ...current, ...update };
    this.schedule.set(update.service, next);
    return next;
  }

  runs(filter: LedgerFilter = {}): RunView[] {
    this.record('runs', filter);
    return applyFilter(RUNS, filter);
  }

  skips(filter: LedgerFilter = {}): SkipView[] {
    this.record('skips', filter);
    return applyFilter(SKIPS, filter);
  }

  health(): HealthView {
    this.record('health');
    return this.healthView;
  }

  /**
   * Not recorded in `calls`: the app subscribes once when it is built (the stream and the metrics),
   * which is wiring, not a request the HTTP tests assert on.
   */
  subscribe(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /**
   * Delivers an event to every subscriber, synchronously like the real runtime; `at` defaults to now.
   * Then, like the runtime at the end of a step, an `orchestrator.state` at the same time when
   * `regionStates` moved since the last announcement.
   */
  emit(event: { type: string; at?: string; [field: string]: unknown }): RuntimeEvent {
    const full: RuntimeEvent = { ...event, at: event.at ?? new Date().toISOString() };
    this.deliver(full);
    const state = regionChange(this.announced, this.regionStates);
    if (state !== null) {
      this.announced = { ...state };
      this.deliver({ type: 'orchestrator.state', at: full.at, state: { ...state } });
    }
    return full;
  }

  private deliver(event: RuntimeEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Subscribers now (the app's journal holds one while it is open). */
  get subscribers(): number {
    return this.listeners.size;
  }

  targets(): { service: Service; account: string; target: string }[] {
    this.record('targets');
    return SERVICES.flatMap((service) => accountsOf(specOf(service), this.accounts).map((account) => ({ service, account, target: targetId(service, account) })));
  }

  /** The calls made to one method, in order. */
  callsOf(method: keyof OrchestratorPort): unknown[][] {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }

  private record(method: keyof OrchestratorPort, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  private initialSchedule(service: Service): ScheduleView {
    const { intervalMs, offsetMs, enabled, missed } = specOf(service).schedule;
    return {
      service,
      chainedAfter: specOf(service).chainedAfter,
      intervalMinutes: intervalMs === null ? null : intervalMs / MINUTE,
      offsetMinutes: offsetMs / MINUTE,
      enabled,
      missed,
      nextDueAt: Object.fromEntries(
        accountsOf(specOf(service), this.accounts).map((account) => [targetId(service, account), intervalMs === null ? null : iso(NOW + offsetMs + MINUTE)]),
      ),
    };
  }
}

function applyFilter<T extends { target: string }>(rows: readonly T[], filter: LedgerFilter): T[] {
  return rows
    .filter((row) => filter.service === undefined || row.target.startsWith(`${filter.service}@`))
    .filter((row) => filter.account === undefined || row.target.endsWith(`@${filter.account}`))
    .slice(0, filter.limit ?? rows.length);
}

const STATS = { parsed: 4210, inserted: 3, updated: 12, unchanged: 4195, deleted: 0, orphans: 0, unlinked: 0 };

/** Newest first. */
const RUNS: readonly RunView[] = [
  {
    id: 3,
    target: 'orders@default',
    service: 'orders',
    account: 'default',
    trigger: 'schedule',
    outcome: 'running',
    startedAt: iso(NOW - 2 * MINUTE),
    finishedAt: null,
    phases: { downloading: 21_000, parsing: 9_000, applying: 4_000, finalizing: 0 },
    stats: { ...STATS, inserted: 0, updated: 0, unchanged: 1500 },
    flags: [],
    error: null,
  },
  {
    id: 2,
    target: 'prices@default',
    service: 'prices',
    account: 'default',
    trigger: 'chained',
    outcome: 'failed',
    startedAt: iso(NOW - 6 * MINUTE),
    finishedAt: iso(NOW - 5 * MINUTE),
    phases: { downloading: 60_000, parsing: 0, applying: 0, finalizing: 0 },
    stats: { parsed: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, orphans: 0, unlinked: 0 },
    flags: [],
    error: { class: 'erp-unreachable', message: 'connect ECONNREFUSED 127.0.0.1:8080' },
  },
  {
    id: 1,
    target: 'customers@rossi',
    service: 'customers',
    account: 'rossi',
    trigger: 'manual',
    outcome: 'completed',
    startedAt: iso(NOW - 20 * MINUTE),
    finishedAt: iso(NOW - 19 * MINUTE),
    phases: { downloading: 20_000, parsing: 8_000, applying: 11_000, finalizing: 900 },
    stats: { ...STATS, parsed: 812, unchanged: 797 },
    flags: ['soft-delete-skipped'],
    error: null,
  },
];

const SKIPS: readonly SkipView[] = [
  { at: iso(NOW - MINUTE), target: 'customers@default', trigger: 'manual', reason: 'COALESCED', detail: 'merged into the queued entry' },
  { at: iso(NOW - 19 * MINUTE), target: 'ddt@rossi', trigger: 'chained', reason: 'NO_PARENT_CHANGES', detail: 'orders@rossi reported no changes' },
];
