/**
 * Pure reads of a root snapshot for the HTTP layer and the dashboard: region states, the status summary,
 * `why` per target, and lease progress. They never change anything.
 */
import type { AnyActorRef } from 'xstate';
import type { ScheduleConfig, Service, TargetId } from './catalog.js';
import { erpWindowOf, formatErpHours, type ErpWindow } from './erp-hours.js';
import { leaseRefCounts, runningInScope } from './holds.js';
import { orderQueue, queuePosition } from './queue.js';
import { describeBreach, startCap } from './resource-guard.js';
import { explain, type Why, type WhyReason } from './why.js';
import type {
  AccountHold,
  BreakerState,
  Lease,
  OperatorPause,
  OrchestratorContext,
  PausedEntry,
  QueueEntry,
  ResourceGuardState,
  RunningEntry,
  TargetRecord,
} from './types.js';

/** The part of a root snapshot the selectors read (a live snapshot or a restored one both fit). */
export interface SnapshotLike {
  value: unknown;
  context: OrchestratorContext;
  children: Record<string, AnyActorRef | undefined>;
}

/** The three regions as dotted state names, e.g. `{ dispatch: 'paused.draining', clock: 'waiting', erp: 'closed' }`. */
export interface RegionStates {
  dispatch: string;
  clock: string;
  erp: string;
}

/** A lease with what it still waits for. */
export interface LeaseStatus extends Lease {
  /** Running targets in scope that have not reported paused yet (empty once active). */
  waitingFor: TargetId[];
  /** Leases held on the same scope, this one included. */
  refCount: number;
}

/** One target as the status route shows it. */
export interface TargetStatus extends TargetRecord {
  /** State of the child actor, e.g. `idle`, `running.applying`, `paused`, `retrying`, `failed`. */
  state: string;
}

/** The resource guard as the status shows it. */
export interface ResourceGuardStatus extends ResourceGuardState {
  /** Targets that may run now: `concurrency` lowered by the guard, 0 while starts are held. */
  effectiveConcurrency: number;
  /** `RESOURCE_GUARD(metric, value)` while the guard lowers or holds, else null. */
  reason: string | null;
}

/** `GET /api/sync/status`. Times are epoch ms. */
export interface OrchestratorStatus {
  now: number;
  state: RegionStates;
  running: RunningEntry[];
  queue: Array<QueueEntry & { position: number; reasons: WhyReason[] }>;
  paused: PausedEntry[];
  leases: LeaseStatus[];
  operatorPause: OperatorPause | null;
  breaker: BreakerState;
  /** The ERP window: as configured (`null`: any hour), where it stands now, and its next boundary. */
  erpHours: { hours: string | null; timeZone: string; state: ErpWindow['state']; until: number | null };
  /** Accounts held by themselves (an exhausted login budget) until `until`. */
  accountHolds: AccountHold[];
  concurrency: number;
  resourceGuard: ResourceGuardStatus;
  timeScale: number;
  schedules: Record<Service, ScheduleConfig>;
  targets: TargetStatus[];
}

/** A state value as a dotted name (`{ paused: 'draining' }` → `paused.draining`). */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  return Object.entries(value)
    .map(([key, child]) => `${key}.${stateName(child)}`)
    .join(',');
}

/** The root's three region states. */
export function selectRegionStates(snapshot: SnapshotLike): RegionStates {
  const value = (snapshot.value ?? {}) as Record<string, unknown>;
  return { dispatch: stateName(value.dispatch), clock: stateName(value.clock), erp: stateName(value.erp) };
}

/**
 * The regions an `orchestrator.state` fact announces: `next` when any region differs from the last ones
 * `announced` (null before the first announcement), else null, so a step that moves no region announces
 * nothing. The one derivation of that fact (the runtime's event hub, and the HTTP tests' double of it).
 */
export function regionChange(announced: RegionStates | null, next: RegionStates): RegionStates | null {
  const same = announced !== null && announced.dispatch === next.dispatch && announced.clock === next.clock && announced.erp === next.erp;
  return same ? null : next;
}

/** State name of a target's child actor (`idle` when it has none). */
export function selectTargetState(snapshot: SnapshotLike, target: TargetId): string {
  const child = snapshot.children[`target:${target}`];
  const value = (child?.getSnapshot() as { value?: unknown } | undefined)?.value;
  return value === undefined ? 'idle' : stateName(value);
}

/** A lease and what it still waits for, or `undefined` when it is not held (released or expired). */
export function selectLease(snapshot: SnapshotLike, leaseId: string): LeaseStatus | undefined {
  const { context } = snapshot;
  const lease = context.leases.find((candidate) => candidate.leaseId === leaseId);
  return lease === undefined ? undefined : leaseStatus(context, lease);
}

function leaseStatus(context: OrchestratorContext, lease: Lease): LeaseStatus {
  const waitingFor = lease.status === 'active' ? [] : runningInScope(context.running, lease.scope);
  return { ...lease, waitingFor, refCount: leaseRefCounts(context.leases)[lease.scope] ?? 0 };
}

/** `why` for every target of a service (empty for a service without targets). */
export function selectWhy(snapshot: SnapshotLike, service: Service): Why[] {
  return Object.values(snapshot.context.targets)
    .filter((record) => record.service === service)
    .map((record) => explain(snapshot.context, record.target, selectTargetState(snapshot, record.target)));
}

/** The status summary. */
export function selectStatus(snapshot: SnapshotLike): OrchestratorStatus {
  const { context } = snapshot;
  const explainOf = (target: TargetId) => explain(context, target, selectTargetState(snapshot, target)).reasons;
  return {
    now: context.now,
    state: selectRegionStates(snapshot),
    running: Object.values(context.running),
    queue: orderQueue(context.queue, context.services, context).map((entry) => ({
      ...entry,
      position: queuePosition(context.queue, entry.target, context.services, context),
      reasons: explainOf(entry.target),
    })),
    paused: Object.values(context.paused),
    leases: context.leases.map((lease) => leaseStatus(context, lease)),
    operatorPause: context.operatorPause,
    breaker: context.breaker,
    erpHours: erpHoursStatus(context),
    accountHolds: Object.values(context.accountHolds ?? {}).filter((hold) => hold.until > context.now),
    concurrency: context.concurrency,
    resourceGuard: selectResourceGuard(context),
    timeScale: context.timeScale,
    schedules: context.schedules,
    targets: Object.values(context.targets).map((record) => ({ ...record, state: selectTargetState(snapshot, record.target) })),
  };
}

function erpHoursStatus(context: OrchestratorContext): OrchestratorStatus['erpHours'] {
  const window = erpWindowOf(context);
  const hours = context.erpHours === null || context.erpHours === undefined ? null : formatErpHours(context.erpHours);
  return { hours, timeZone: context.erpTimeZone, state: window.state, until: window.until };
}

/** The resource guard with its effective concurrency and reason. */
export function selectResourceGuard(context: OrchestratorContext): ResourceGuardStatus {
  const guard = context.resourceGuard;
  return { ...guard, effectiveConcurrency: startCap(context), reason: guard.cause === null ? null : describeBreach(guard.cause) };
}
