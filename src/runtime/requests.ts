import {
  accountsOf,
  chainParentOf,
  queuePosition,
  targetId,
  type OrchestratorActor,
  type Service,
  type ServiceCatalog,
  type TargetId,
} from '../../machines/index.js';
import type { EventHub } from './event-hub.js';
import { UnknownAccountError, type SyncRequestOptions, type SyncRequestResult } from './orchestrator-port.js';

/**
 * The order `requestAll` asks for the six services: priority first, and a chain parent before its
 * children, so that ddt and invoices find orders pending and ride on its chain (they run only if orders
 * reports changes), as prices rides on products. Asking children first would queue them on their own.
 */
export function requestAllOrder(services: ServiceCatalog): Service[] {
  const names = Object.keys(services);
  const priority = (service: Service): number => services[service]?.priority ?? 0;
  const chained = (service: Service): number => Number(chainParentOf(services, service) !== undefined);
  return [...names].sort((a, b) => priority(b) - priority(a) || chained(a) - chained(b) || names.indexOf(a) - names.indexOf(b));
}

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
export function requestSyncs(deps: RequestDeps, services: readonly Service[], options: SyncRequestOptions = {}): SyncRequestResult {
  const { actor, hub, now } = deps;
  const { account, priority, force } = options;
  if (priority !== undefined && !Number.isFinite(priority)) throw new RangeError(`priority must be a number, got ${JSON.stringify(priority)}`);
  const { accounts, services: catalog } = actor.getSnapshot().context;
  const targets: TargetId[] = [];
  for (const service of services) {
    const spec = catalog[service];
    if (spec === undefined) throw new RangeError(`unknown service ${JSON.stringify(service)}; services: ${Object.keys(catalog).join(', ')}`);
    const known = accountsOf(spec, accounts);
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
        ...(force === true ? { force } : {}),
        now: now(),
      });
    }
  } finally {
    stopListening();
  }
  const context = actor.getSnapshot().context;
  return {
    queued: targets.map((target) => ({ target, position: queuePosition(context.queue, target, catalog, context), coalesced: coalesced.has(target) })),
  };
}
