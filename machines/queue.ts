/**
 * The queue: its order, coalescing (one entry per target) and how a request becomes an entry or a skip.
 */
import { effectivePriority, type AgeingClock } from './ageing.js';
import { chainParentOf, parseTarget, targetId } from './catalog.js';
import type { Service, ServiceCatalog, TargetId, Trigger } from './catalog.js';
import { emit, skip, withContext, type Tx } from './transaction.js';
import type { OrchestratorContext, QueueEntry } from './types.js';

/** 1 for services that chain after a parent (ddt, invoices, prices), 0 otherwise. */
export function chainDepth(services: ServiceCatalog, service: Service): number {
  return chainParentOf(services, service) === undefined ? 0 : 1;
}

/**
 * Queue order at `clock.now`: effective priority (desc: priority plus ageing, `ageing.ts`), then chain
 * parents before their children (orders before ddt at equal priority), then request time, then target
 * name (stable).
 */
export function compareQueued(services: ServiceCatalog, clock: AgeingClock, a: QueueEntry, b: QueueEntry): number {
  return (
    effectivePriority(b, clock) - effectivePriority(a, clock) ||
    chainDepth(services, a.service) - chainDepth(services, b.service) ||
    a.requestedAt - b.requestedAt ||
    a.target.localeCompare(b.target)
  );
}

/**
 * The chain parent of a target that is queued, running or paused on the same account, if any: a request
 * for ddt while orders is pending rides on orders' chain (it runs only if orders reports changes).
 */
export function pendingChainParent(context: OrchestratorContext, target: TargetId): TargetId | null {
  const parsed = parseTarget(target);
  const parent = parsed === null ? undefined : chainParentOf(context.services, parsed.service);
  if (parsed === null || parent === undefined) return null;
  const parentTarget = targetId(parent, parsed.account);
  const pending =
    context.running[parentTarget] !== undefined ||
    context.paused[parentTarget] !== undefined ||
    context.queue.some((entry) => entry.target === parentTarget);
  return pending ? parentTarget : null;
}

/** The queue in dispatch order at `clock.now` (a new array). */
export function orderQueue(queue: readonly QueueEntry[], services: ServiceCatalog, clock: AgeingClock): QueueEntry[] {
  return [...queue].sort((a, b) => compareQueued(services, clock, a, b));
}

/** A request for one target. */
export interface RunRequest {
  target: TargetId;
  priority: number;
  trigger: Trigger;
  at: number;
}

/** Result of adding a request to the queue. */
export interface EnqueueResult {
  queue: QueueEntry[];
  entry: QueueEntry;
  /** True when the request merged into an entry already queued for the target. */
  coalesced: boolean;
}

/**
 * Adds a request, keeping at most one entry per target (Temporal's BUFFER_ONE): a second request merges
 * into the queued one, which keeps the higher priority, its original trigger and request time, and counts
 * the merge.
 */
export function enqueue(queue: readonly QueueEntry[], request: RunRequest, services: ServiceCatalog, timeScale = 1): EnqueueResult {
  const clock = { now: request.at, timeScale };
  const existing = queue.find((entry) => entry.target === request.target);
  if (existing !== undefined) {
    const entry = { ...existing, priority: Math.max(existing.priority, request.priority), merges: existing.merges + 1 };
    return { queue: orderQueue(queue.map((e) => (e === existing ? entry : e)), services, clock), entry, coalesced: true };
  }
  const parsed = parseTarget(request.target);
  if (parsed === null) throw new Error(`unknown target ${request.target}`);
  const entry: QueueEntry = {
    target: request.target,
    ...parsed,
    priority: request.priority,
    trigger: request.trigger,
    requestedAt: request.at,
    merges: 0,
  };
  return { queue: orderQueue([...queue, entry], services, clock), entry, coalesced: false };
}

/** 1-based position of a target in dispatch order at `clock.now`, or 0 when it is not queued. */
export function queuePosition(queue: readonly QueueEntry[], target: TargetId, services: ServiceCatalog, clock: AgeingClock): number {
  return orderQueue(queue, services, clock).findIndex((entry) => entry.target === target) + 1;
}

/** Default priority of a target's service. */
export function defaultPriority(services: ServiceCatalog, service: Service): number {
  return services[service]?.priority ?? 0;
}

const TIMER_TRIGGERS: readonly Trigger[] = ['schedule', 'catch-up'];

/**
 * Queues one target, coalescing into its queued entry (skip COALESCED). A request for a chain child whose
 * parent is pending rides on the parent's chain (skip COALESCED) unless it is forced: an operator who asks
 * for ddt with `force` gets a ddt run whether or not orders changes anything. Timer triggers are skipped
 * (BREAKER_OPEN) while the breaker is open: the next slot comes soon enough and the ERP is down anyway.
 */
export function requestTarget(tx: Tx, target: TargetId, trigger: Trigger, priority?: number, force = false): Tx {
  const parsed = parseTarget(target);
  if (parsed === null || tx.ctx.targets[target] === undefined) {
    return skip(tx, target, trigger, 'UNKNOWN_TARGET', `${target} is not a configured target`);
  }
  if (TIMER_TRIGGERS.includes(trigger) && tx.ctx.breaker.state === 'open') {
    return skip(tx, target, trigger, 'BREAKER_OPEN', `ERP circuit open until ${tx.ctx.breaker.openUntil}`);
  }
  const parent = trigger === 'chained' || force ? null : pendingChainParent(tx.ctx, target);
  if (parent !== null) {
    return skip(tx, target, trigger, 'COALESCED', `rides on ${parent}: runs chained if ${parent} reports changes (not forced; ask with force to run it anyway)`);
  }
  const request = { target, trigger, priority: priority ?? defaultPriority(tx.ctx.services, parsed.service), at: tx.ctx.now };
  const result = enqueue(tx.ctx.queue, request, tx.ctx.services, tx.ctx.timeScale);
  const next = withContext(tx, { queue: result.queue });
  if (result.coalesced) {
    const detail = `merged into the queued ${result.entry.trigger} entry (${result.entry.merges} merges, priority ${result.entry.priority})`;
    return skip(next, target, trigger, 'COALESCED', detail);
  }
  const position = queuePosition(result.queue, target, tx.ctx.services, tx.ctx);
  return emit(next, { type: 'sync.queued', at: tx.ctx.now, target, trigger, priority: request.priority, position });
}

/** `sync.request`: one account, or every account of the service. */
export function requestSync(
  tx: Tx,
  event: { service: Service; account?: string; priority?: number; trigger?: Trigger; force?: boolean },
): Tx {
  const accounts =
    event.account !== undefined
      ? [event.account]
      : Object.values(tx.ctx.targets)
          .filter((record) => record.service === event.service)
          .map((record) => record.account);
  return accounts.reduce(
    (acc, account) => requestTarget(acc, `${event.service}@${account}`, event.trigger ?? 'manual', event.priority, event.force === true),
    tx,
  );
}
