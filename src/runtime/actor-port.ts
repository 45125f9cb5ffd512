import {
  selectLease,
  selectStatus,
  scheduleOf,
  selectWhy,
  type OrchestratorActor,
  type ResourceReadings,
  type RunStats,
  type Service,
} from '../../machines/index.js';
import { isExportName } from '../exports/registry.js';
import type { LedgerQuery, OrchestratorStore, RunRecord, SkipRecord } from '../stores/orchestrator-store.js';
import type { EventHub } from './event-hub.js';
import type { MachineTransitions } from './machine-transitions.js';
import { assessHealth } from './health.js';
import { isoTime, toIsoTimes } from './iso-times.js';
import { acquireLease } from './leases.js';
import type { SnapshotPersistence } from './persistence.js';
import { requestAllOrder, requestSyncs } from './requests.js';
import {
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
} from './orchestrator-port.js';
import { scheduleCommand, scheduleOverride, scheduleView, scheduleViews } from './schedules.js';

/** What {@link ActorPort} reads and commands. */
export interface ActorPortDeps {
  actor: OrchestratorActor;
  hub: EventHub;
  /** Each state change of the machines, for `subscribe(…, { transitions: true })`. */
  transitions: MachineTransitions;
  store: OrchestratorStore;
  persistence: SnapshotPersistence;
  /** Wall clock, epoch ms. */
  now: () => number;
  /** When this runtime started (for `uptimeSeconds`). */
  startedAt: number;
  /** `ExportSource.kind`, shown in the status. */
  sourceKind: string;
  /** Default bound of `acquireLease`. */
  leaseWaitMs: number;
  /** Aborted when the runtime closes: lease requests still waiting are rejected. */
  closing: AbortSignal;
  /** The resource sampler's latest readings, sent to the machine or not (the status shows them). */
  latestReadings?: () => { at: number; readings: ResourceReadings } | null;
}

/**
 * `OrchestratorPort` over the one root actor: every command is an event to it, every answer a read
 * of its snapshot or of the ledgers. Nothing here decides what runs.
 */
export class ActorPort implements OrchestratorPort {
  constructor(private readonly deps: ActorPortDeps) {}

  /** `now` is the wall clock of the answer (the machine's own `now` is the time of its last event). */
  status(): RuntimeStatus {
    const { actor, now, startedAt, sourceKind } = this.deps;
    const at = now();
    const selected = selectStatus(actor.getSnapshot());
    const last = this.deps.latestReadings?.() ?? selected.resourceGuard.last;
    const status = toIsoTimes({ ...selected, resourceGuard: { ...selected.resourceGuard, last }, now: at });
    return { ...status, uptimeSeconds: Math.round((at - startedAt) / 1000), source: sourceKind };
  }

  why(service: Service): ReturnType<OrchestratorPort['why']> {
    if (!isExportName(service)) throw new RangeError(`unknown service ${JSON.stringify(service)}`);
    return toIsoTimes(selectWhy(this.deps.actor.getSnapshot(), service));
  }

  request(service: Service, options: SyncRequestOptions = {}): SyncRequestResult {
    return this.committed(requestSyncs(this.deps, [service], options));
  }

  requestAll(options: Omit<SyncRequestOptions, 'account'> = {}): SyncRequestResult {
    return this.committed(requestSyncs(this.deps, requestAllOrder(this.deps.actor.getSnapshot().context.services), options));
  }

  pause(reason: string): void {
    this.deps.actor.send({ type: 'orchestrator.pause', reason, now: this.deps.now() });
    this.committed(undefined);
  }

  resume(): void {
    this.deps.actor.send({ type: 'orchestrator.resume', now: this.deps.now() });
    this.committed(undefined);
  }

  acquireLease(request: LeaseRequest, waitMs: number = this.deps.leaseWaitMs): Promise<LeaseGrant> {
    const { accounts } = this.deps.actor.getSnapshot().context;
    const known = [...new Set([accounts.service, ...accounts.agents])];
    if (request.account !== undefined && !known.includes(request.account)) {
      return Promise.reject(new UnknownAccountError(request.account, known));
    }
    try {
      return acquireLease(this.deps, request, waitMs).then((grant) => this.committed(grant));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  releaseLease(leaseId: string): boolean {
    const { actor, now } = this.deps;
    if (selectLease(actor.getSnapshot(), leaseId) === undefined) return false;
    actor.send({ type: 'lease.release', leaseId, now: now() });
    return this.committed(true);
  }

  schedules(): ScheduleView[] {
    return scheduleViews(this.deps.actor.getSnapshot().context);
  }

  updateSchedule(update: ScheduleUpdate): ScheduleView {
    const { actor, store, now } = this.deps;
    actor.send(scheduleCommand(update, now(), scheduleOf(actor.getSnapshot().context.schedules, update.service)));
    const context = actor.getSnapshot().context;
    store.saveScheduleOverride(scheduleOverride(update.service, scheduleOf(context.schedules, update.service)));
    return this.committed(scheduleView(context, update.service));
  }

  runs(filter: LedgerFilter = {}): RunView[] {
    this.deps.persistence.flush();
    return this.deps.store.runs(ledgerQuery(filter)).map(runView);
  }

  skips(filter: LedgerFilter = {}): SkipView[] {
    this.deps.persistence.flush();
    return this.deps.store.skips(ledgerQuery(filter)).map(skipView);
  }

  health(): HealthView {
    const { actor, store, persistence, now } = this.deps;
    persistence.flush();
    const snapshot = actor.getSnapshot();
    return assessHealth({ context: snapshot.context, actorStatus: snapshot.status, lastCompletedAt: store.lastCompletedAt(), now: now() });
  }

  subscribe(listener: (event: RuntimeEvent) => void, options: { transitions?: boolean } = {}): () => void {
    const stopFacts = this.deps.hub.listen((fact) => listener(toIsoTimes(fact) as RuntimeEvent));
    if (options.transitions !== true) return stopFacts;
    const stopTransitions = this.deps.transitions.listen((transition) => listener(toIsoTimes(transition) as RuntimeEvent));
    return () => {
      stopFacts();
      stopTransitions();
    };
  }

  /**
   * Writes the state a command produced before the caller acknowledges it: a 2xx means the change
   * survives a crash a millisecond later. Only commands pay this (one transaction each, a few ms); the
   * stream of run events keeps the coalesced write of `SnapshotPersistence`. Throws `StoreError` when
   * the write fails, so the caller answers 5xx instead of acknowledging a change that is not on disk.
   */
  private committed<T>(result: T): T {
    this.deps.persistence.flush();
    return result;
  }

  targets(): { service: Service; account: string; target: string }[] {
    return Object.values(this.deps.actor.getSnapshot().context.targets).map(({ service, account, target }) => ({ service, account, target }));
  }
}

function ledgerQuery(filter: LedgerFilter): LedgerQuery {
  return {
    ...(filter.service === undefined ? {} : { service: filter.service }),
    ...(filter.account === undefined ? {} : { account: filter.account }),
    ...(filter.limit === undefined ? {} : { limit: filter.limit }),
  };
}

const NO_STATS: RunStats = { parsed: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, orphans: 0, unlinked: 0 };

/**
 * A ledger row at the HTTP boundary. A run that has not completed shows the counts of its checkpoint
 * (what it committed so far) when it has one, else zeros.
 */
function runView(record: RunRecord): RunView {
  return {
    id: record.id,
    target: record.target,
    service: record.service,
    account: record.account,
    trigger: record.trigger,
    outcome: record.outcome,
    startedAt: isoTime(record.startedAt),
    finishedAt: record.finishedAt === null ? null : isoTime(record.finishedAt),
    phases: record.phases,
    stats: record.stats ?? statsSoFar(record.checkpoint) ?? NO_STATS,
    flags: record.flags,
    error: record.error,
  };
}

function statsSoFar(checkpoint: RunRecord['checkpoint']): RunStats | null {
  const so = (checkpoint as { statsSoFar?: Partial<RunStats> } | null)?.statsSoFar;
  if (so === undefined || so === null || typeof so !== 'object') return null;
  const count = (n: unknown): number => (typeof n === 'number' ? n : 0);
  return {
    parsed: count(so.parsed),
    inserted: count(so.inserted),
    updated: count(so.updated),
    unchanged: count(so.unchanged),
    deleted: count(so.deleted),
    orphans: count(so.orphans),
    unlinked: count(so.unlinked),
  };
}

function skipView(record: SkipRecord): SkipView {
  return { at: isoTime(record.at), target: record.target, trigger: record.trigger, reason: record.reason, detail: record.detail };
}

