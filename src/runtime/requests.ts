import {
  CATALOG,
  SERVICES,
  accountsOf,
  chainParentOf,
  isService,
  queuePosition,
  targetId,
  type OrchestratorActor,
  type Service,
  type TargetId,
} from '../../machines/index.js';
import type { EventHub } from './event-hub.js';
import { UnknownAccountError, type SyncRequestResult } from './runtime-port.js';

/**
 * The order `requestAll` asks for the six services: priority first, and a chain parent before its
 * children, so that ddt and invoices find orders pending and ride on its chain (they run only if orders
 * reports changes), as prices rides on products. Asking children first would queue them on their own.
 */
export const REQUEST_ALL_ORDER: readonly Service[] = [...SERVICES].sort(
  (a, b) =>
    CATALOG[b].priority - CATALOG[a].priority ||
    Number(chainParentOf(a) !== undefined) - Number(chainParentOf(b) !== undefined) ||
    SERVICES.indexOf(a) - SERVICES.indexOf(b),
);

/** What {@link requestSyncs} needs from the runtime. */
export interface RequestDeps {
  actor: OrchestratorActor;
  hub: EventHub;
  now: () => number;
}

/**
 * Sends one `sync.request` per service and reports, per target asked for, its queue position after
 * every request was handled (0: not in the queue, because it started at once or rides on its chain
 * parent) and whether the request merged into an entry already waiting (a `COALESCED` skip).
 * Throws `UnknownAccountError` (before sending anything) for an account the service does not run on.
 */
export function requestSyncs(deps: RequestDeps, services: readonly Service[], options: { account?: string; priority?: number } = {}): SyncRequestResult {
  const { actor, hub, now } = deps;
  const { account, priority } = options;
  if (priority !== undefined && !Number.isFinite(priority)) throw new RangeError(`priority must be a number, got ${JSON.stringify(priority)}`);
  const accounts = actor.getSnapshot().context.accounts;
  const targets: TargetId[] = [];
  for (const service of services) {
    if (!isService(service)) throw new RangeError(`unknown service ${JSON.stringify(service)}; services: ${SERVICES.join(', ')}`);
    const known = accountsOf(service, accounts);
    if (account !== undefined && !known.includes(account)) throw new UnknownAccountError(account, [...known]);
    for (const name of account === undefined ? known : [account]) targets.push(targetId(service, name));
  }
  const coalesced = new Set<TargetId>();
  // The actor handles each send to completion before returning, so the facts of these requests are
  // exactly those heard between subscribing and unsubscribing.
  const stopListening = hub.listen((fact) => {
    if (fact.type === 'sync.skipped' && fact.reason === 'COALESCED') coalesced.add(fact.target);
  });
  try {
    for (const service of services) {
      actor.send({
        type: 'sync.request',
        service,
        ...(account === undefined ? {} : { account }),
        ...(priority === undefined ? {} : { priority }),
        now: now(),
      });
    }
  } finally {
    stopListening();
  }
  const queue = actor.getSnapshot().context.queue;
  return { queued: targets.map((target) => ({ target, position: queuePosition(queue, target), coalesced: coalesced.has(target) })) };
}
