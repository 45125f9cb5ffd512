/**
 * The orchestrator's data: the shape of a service entry (scope, priority, schedule, chain) and every tuning
 * constant of the statecharts. The entries themselves are the runtime's (`src/exports/`), given as input. Nothing here decides anything; the decision modules (`queue.ts`, `dispatch.ts`, `holds.ts`, `schedule.ts`,
 * `retry.ts`, `breaker.ts`, …) read these tables.
 *
 * All durations are milliseconds of wall-clock time at `TIME_SCALE = 1`; `time.scaled()` divides
 * intervals, offsets, backoffs, spacing and cooldowns by the configured time scale.
 */

/**
 * A sync's name (`orders`, `customers`, …). The machines own no list of services: the runtime gives them
 * the catalogue ({@link ServiceCatalog}) as input, so a new export is data outside `machines/`.
 */
export type Service = string;

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
  /**
   * The service whose changes make this one worth running, or `null`: when the parent completes with
   * inserted + updated > 0 this one runs on the same account (`chained`); otherwise it is skipped.
   */
  readonly chainedAfter: Service | null;
}

/** Every service the orchestrator drives, by name, in the order an operator reads them. */
export type ServiceCatalog = Readonly<Record<Service, ServiceSpec>>;

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** No timer: the service runs only on request or chained after its parent. */
export const NO_TIMER: ScheduleConfig = { intervalMs: null, offsetMs: 0, enabled: true, missed: 'once' };

/** How a failure class is handled. */
export interface FailurePolicy {
  /** `backoff`: retried after RETRY_BACKOFF_MS; `none`: the run fails for good. */
  readonly retry: 'backoff' | 'none';
  /** Retried once straight away (with a fresh login) before any backoff. */
  readonly immediateRetryOnce: boolean;
  /** Counts towards opening the shared ERP circuit breaker. */
  readonly tripsBreaker: boolean;
}

/**
 * The failure classes a run can report. `login-budget-exhausted`: the account's daily login budget is
 * used up, so the run never reached the ERP.
 */
export const FAILURE_CLASSES = ['erp-unreachable', 'session-expired', 'export-invalid', 'store-error', 'login-budget-exhausted'] as const;

/** One of the failure classes; it decides retry and breaker behaviour. */
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
  // Says nothing about the ERP's health, and every retry before the budget resets would fail the same
  // way: the account is held instead (LOGIN_BUDGET_EXHAUSTED, `account-holds.ts`), the others run on.
  'login-budget-exhausted': { retry: 'none', immediateRetryOnce: false, tripsBreaker: false },
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

/**
 * Ageing: a waiting entry gains one priority level per AGE_STEP_MS waited (scaled by TIME_SCALE), so a
 * stream of higher-priority requests can delay it by at most a few steps, never for ever (`ageing.ts`).
 * Ten minutes: longer than a typical queue wait (priority decides there), short next to every interval.
 */
export const AGE_STEP_MS = 10 * MINUTE;

/** Catch-ups after downtime start this far apart, so a restart never fires every missed export at once. */
export const CATCHUP_SPACING_MS = 1 * MINUTE;

/** Consecutive `erp-unreachable` failures (any target) that open the breaker: one retry chain of one target. */
export const BREAKER_THRESHOLD = 3;

/** How long starts are held once the breaker opens; an ERP restart usually takes a few minutes. */
export const BREAKER_COOLDOWN_MS = 5 * MINUTE;

/** TTL of a lease whose client gave none: creating an order in the ERP by hand takes a couple of minutes. */
export const LEASE_DEFAULT_TTL_MS = 5 * MINUTE;

/** The ERP's time zone when none is configured: its window and the login budget's day are read there. */
export const DEFAULT_ERP_TIME_ZONE = 'Europe/Rome';

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

/** Splits `service@account`; `null` when either side is empty. Whether the service exists is the catalogue's. */
export function parseTarget(target: TargetId): { service: Service; account: string } | null {
  const at = target.indexOf('@');
  const service = target.slice(0, at);
  const account = target.slice(at + 1);
  if (at <= 0 || account === '') return null;
  return { service, account };
}

/** The accounts a service runs on. */
export function accountsOf(spec: ServiceSpec, accounts: Accounts): readonly string[] {
  return spec.scope === 'shared' ? [accounts.service] : accounts.agents;
}

/** Every target of a configuration: per-agent services × agent accounts, shared services × service account. */
export function targetsOf(services: ServiceCatalog, accounts: Accounts): TargetId[] {
  return Object.values(services).flatMap((spec) => accountsOf(spec, accounts).map((account) => targetId(spec.service, account)));
}

/** The service whose changes chain `service`, if any. */
export function chainParentOf(services: ServiceCatalog, service: Service): Service | undefined {
  return services[service]?.chainedAfter ?? undefined;
}

/** The services chained after `parent`, in catalogue order (ddt, invoices after orders). */
export function chainChildrenOf(services: ServiceCatalog, parent: Service): Service[] {
  return Object.values(services)
    .filter((spec) => spec.chainedAfter === parent)
    .map((spec) => spec.service);
}

/** A service's live schedule; a service missing from the schedules (dropped from the catalogue) has no timer. */
export function scheduleOf(schedules: Readonly<Record<Service, ScheduleConfig>>, service: Service): ScheduleConfig {
  return schedules[service] ?? NO_TIMER;
}

/**
 * Resource limits when none are configured: p99 event-loop delay 250 ms (the apply yields every 500 rows,
 * so a healthy loop stays in tens of ms and HTTP answers slow down noticeably beyond this); 1536 MB of
 * process RSS (the 15,000-page price export peaks near 900 MB in the parse worker); 1536 MB of Chromium
 * memory, the proportional set size of all its processes together (the demo's browser with three
 * accounts' contexts: about 420 MB; its plain RSS summed, shared libraries counted per process, 1.9 GB).
 */
export const DEFAULT_RESOURCE_LIMITS: Readonly<Record<'eventLoopDelay' | 'rss' | 'chromiumRss', number>> = {
  eventLoopDelay: 250,
  rss: 1536,
  chromiumRss: 1536,
};

/**
 * The guard steps back up only when every reading is below this share of its limit: a reading that hovers
 * at the limit would otherwise step the concurrency down and up on alternate samples.
 */
export const RESOURCE_HYSTERESIS = 0.8;

/** Calm samples in a row before each step back up (or the lift of a hold): pressure must have passed, not paused. */
export const RESOURCE_RECOVERY_SAMPLES = 3;
