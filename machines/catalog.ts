/**
 * The orchestrator's data: the six services, their scope, priorities, schedules, chain rules and every
 * tuning constant of the statecharts. Nothing here decides anything; the decision modules (`queue.ts`, `dispatch.ts`, `holds.ts`, `schedule.ts`,
 * `retry.ts`, `breaker.ts`, …) read these tables.
 *
 * All durations are milliseconds of wall-clock time at `TIME_SCALE = 1`; `time.scaled()` divides
 * intervals, offsets, backoffs, spacing and cooldowns by the configured time scale.
 */

/** The six syncs, in the order an operator reads them. */
export const SERVICES = ['customers', 'products', 'prices', 'orders', 'ddt', 'invoices'] as const;

/** One of the six syncs. */
export type Service = (typeof SERVICES)[number];

/**
 * `agent`: runs once per configured agent account (the ERP filters the list view by the logged-in agent).
 * `shared`: runs once, on the service account (the list is the same for everyone).
 */
export type ServiceScope = 'agent' | 'shared';

/** Why a run was requested. */
export type Trigger = 'schedule' | 'manual' | 'chained' | 'catch-up' | 'retry';

/** What to do on restore with a schedule slot that passed while the process was down. */
export type MissedPolicy = 'skip' | 'once';

/** A `(service, account)` pair written `service@account`: the unit that is queued, run and paused. */
export type TargetId = string;

/** A service's timer. `intervalMs: null` means the service has no timer of its own. */
export interface ScheduleConfig {
  /** Period between two scheduled runs, or `null` when the service only runs on request or chained. */
  readonly intervalMs: number | null;
  /** Delay of the first slot after boot; staggers services so that they do not all start at once. */
  readonly offsetMs: number;
  /** A disabled schedule keeps its values but never fires. */
  readonly enabled: boolean;
  /** Missed-run policy applied on restore. */
  readonly missed: MissedPolicy;
}

/** Static description of one service. */
export interface ServiceSpec {
  readonly service: Service;
  readonly scope: ServiceScope;
  /** Default queue priority (higher runs first). */
  readonly priority: number;
  /** Default schedule; operators override it with `schedule.update`. */
  readonly schedule: ScheduleConfig;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** No timer: ddt and invoices follow orders (chained) instead of polling the ERP on their own. */
const NO_TIMER: ScheduleConfig = { intervalMs: null, offsetMs: 0, enabled: true, missed: 'once' };

/**
 * The seed plan. Priorities: orders drive what agents see first (4); ddt and invoices complete orders (4);
 * customers change daily (3); the catalogue changes weekly (2); prices follow products (1).
 * Offsets stagger the timers 15 minutes apart so two ERP exports never start at the same minute.
 */
export const CATALOG: Readonly<Record<Service, ServiceSpec>> = {
  orders: {
    service: 'orders',
    scope: 'agent',
    priority: 4,
    schedule: { intervalMs: 60 * MINUTE, offsetMs: 0, enabled: true, missed: 'once' },
  },
  customers: {
    service: 'customers',
    scope: 'agent',
    priority: 3,
    schedule: { intervalMs: 30 * MINUTE, offsetMs: 15 * MINUTE, enabled: true, missed: 'once' },
  },
  products: {
    service: 'products',
    scope: 'shared',
    priority: 2,
    schedule: { intervalMs: 120 * MINUTE, offsetMs: 30 * MINUTE, enabled: true, missed: 'once' },
  },
  prices: {
    service: 'prices',
    scope: 'shared',
    priority: 1,
    schedule: { intervalMs: 180 * MINUTE, offsetMs: 45 * MINUTE, enabled: true, missed: 'once' },
  },
  ddt: { service: 'ddt', scope: 'agent', priority: 4, schedule: NO_TIMER },
  invoices: { service: 'invoices', scope: 'agent', priority: 4, schedule: NO_TIMER },
};

/** A conditional follow-up: when `parent` completes with inserted + updated > 0, `children` run. */
export interface ChainRule {
  readonly parent: Service;
  readonly children: readonly Service[];
}

/**
 * DDT and invoices link to orders, so they are only worth exporting when orders changed; prices hang off
 * products the same way. Children run on the same account as their parent.
 */
export const CHAIN_RULES: readonly ChainRule[] = [
  { parent: 'orders', children: ['ddt', 'invoices'] },
  { parent: 'products', children: ['prices'] },
];

/** How a failure class is handled. */
export interface FailurePolicy {
  /** `backoff`: retried after RETRY_BACKOFF_MS; `none`: the run fails for good. */
  readonly retry: 'backoff' | 'none';
  /** Retried once straight away (with a fresh login) before any backoff. */
  readonly immediateRetryOnce: boolean;
  /** Counts towards opening the shared ERP circuit breaker. */
  readonly tripsBreaker: boolean;
}

/** The four failure classes a run can report. */
export const FAILURE_CLASSES = ['erp-unreachable', 'session-expired', 'export-invalid', 'store-error'] as const;

/** One of the four failure classes; it decides retry and breaker behaviour. */
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/**
 * export-invalid is deterministic (the same PDF fails the same way) so retrying only burns ERP logins;
 * session-expired is usually cured by a fresh login, hence one immediate retry.
 */
export const FAILURE_POLICY: Readonly<Record<FailureClass, FailurePolicy>> = {
  'erp-unreachable': { retry: 'backoff', immediateRetryOnce: false, tripsBreaker: true },
  'session-expired': { retry: 'backoff', immediateRetryOnce: true, tripsBreaker: false },
  'export-invalid': { retry: 'none', immediateRetryOnce: false, tripsBreaker: false },
  'store-error': { retry: 'backoff', immediateRetryOnce: false, tripsBreaker: false },
};

/** Delay before retry n (1-based) is `RETRY_BACKOFF_MS[n - 1]`: short enough to ride out an ERP hiccup. */
export const RETRY_BACKOFF_MS: readonly number[] = [5 * SECOND, 10 * SECOND, 20 * SECOND];

/** Retries after the first attempt; one per backoff step, so a run is tried at most 4 times. */
export const MAX_RETRY_ATTEMPTS = RETRY_BACKOFF_MS.length;

/** ± fraction of the backoff: targets that failed together must not hammer the ERP together. */
export const RETRY_JITTER_RATIO = 0.2;

/** A queued entry preempts a running one on its account only if it outranks it by this much (orders > products). */
export const PREEMPT_MARGIN = 2;

/** After this many pauses a run finishes even if outranked: no starvation, no pause/resume livelock. */
export const MAX_PREEMPTIONS = 2;

/** Catch-ups after downtime start this far apart, so a restart never fires every missed export at once. */
export const CATCHUP_SPACING_MS = 1 * MINUTE;

/** Consecutive `erp-unreachable` failures (any target) that open the breaker: one retry chain of one target. */
export const BREAKER_THRESHOLD = 3;

/** How long starts are held once the breaker opens; an ERP restart usually takes a few minutes. */
export const BREAKER_COOLDOWN_MS = 5 * MINUTE;

/** TTL of a lease whose client gave none: creating an order in the ERP by hand takes a couple of minutes. */
export const LEASE_DEFAULT_TTL_MS = 5 * MINUTE;

/** The classic "one sync at a time" mutex. */
export const DEFAULT_CONCURRENCY = 1;

/**
 * Longest single timer the clock region arms. Node's setTimeout overflows above 2^31-1 ms (about 24.8
 * days) and fires at once; waking up every 6 hours to re-check costs nothing.
 */
export const MAX_TIMER_DELAY_MS = 6 * 60 * MINUTE;

/** The account set: one service account for shared services, agent accounts for per-agent services. */
export interface Accounts {
  /** ERP login used by shared services. */
  readonly service: string;
  /** ERP logins for per-agent services (the default configuration uses the service account). */
  readonly agents: readonly string[];
}

/** `service@account`. */
export function targetId(service: Service, account: string): TargetId {
  return `${service}@${account}`;
}

/** Splits `service@account`; `null` when the service is unknown or the account is empty. */
export function parseTarget(target: TargetId): { service: Service; account: string } | null {
  const at = target.indexOf('@');
  const service = target.slice(0, at);
  const account = target.slice(at + 1);
  if (at < 0 || account === '' || !isService(service)) return null;
  return { service, account };
}

/** True for one of the six service names. */
export function isService(name: string): name is Service {
  return (SERVICES as readonly string[]).includes(name);
}

/** The accounts a service runs on. */
export function accountsOf(service: Service, accounts: Accounts): readonly string[] {
  return CATALOG[service].scope === 'shared' ? [accounts.service] : accounts.agents;
}

/** Every target of a configuration: per-agent services × agent accounts, shared services × service account. */
export function targetsOf(accounts: Accounts): TargetId[] {
  return SERVICES.flatMap((service) => accountsOf(service, accounts).map((account) => targetId(service, account)));
}

/** The chain rule whose parent is `service`, if any. */
export function chainRuleOf(service: Service): ChainRule | undefined {
  return CHAIN_RULES.find((rule) => rule.parent === service);
}

/** The service whose changes chain `service`, if any. */
export function chainParentOf(service: Service): Service | undefined {
  return CHAIN_RULES.find((rule) => rule.children.includes(service))?.parent;
}
