/**
 * Pure decisions of the orchestrator: queue order, coalescing, which entries start, who preempts whom,
 * schedule slots, missed runs, retry backoff, breaker thresholds and the `why` explanation.
 *
 * Every function takes plain data and returns plain data; time and randomness are arguments. The machines
 * call these from named guards and actions; the unit tests call them directly.
 */
import {
  BREAKER_COOLDOWN_MS,
  BREAKER_THRESHOLD,
  CATALOG,
  CATCHUP_SPACING_MS,
  FAILURE_POLICY,
  MAX_PREEMPTIONS,
  MAX_RETRY_ATTEMPTS,
  MAX_TIMER_DELAY_MS,
  PREEMPT_MARGIN,
  RETRY_BACKOFF_MS,
  RETRY_JITTER_RATIO,
  chainParentOf,
  chainRuleOf,
  parseTarget,
  targetId,
  targetsOf,
} from './catalog.js';
import type { Accounts, FailureClass, ScheduleConfig, Service, TargetId, Trigger } from './catalog.js';
import type {
  BreakerState,
  ClockArm,
  HoldCause,
  Lease,
  OrchestratorContext,
  PausedEntry,
  QueueEntry,
  RunningEntry,
  RunStats,
  TargetRecord,
} from './types.js';

// ─── time ──────────────────────────────────────────────────────────────────────────────────────────

/** A duration divided by TIME_SCALE (a positive duration never shrinks to 0). */
export function scaled(ms: number, timeScale: number): number {
  if (ms <= 0) return 0;
  return Math.max(1, Math.round(ms / timeScale));
}

/** The later of the context's time and an event's `now`: time never runs backwards inside the machine. */
export function laterOf(current: number, eventNow: number | undefined): number {
  return eventNow === undefined || !Number.isFinite(eventNow) ? current : Math.max(current, eventNow);
}

// ─── schedules ─────────────────────────────────────────────────────────────────────────────────────

/** Scaled period of an enabled timer, or `null` when the schedule never fires. */
function periodOf(schedule: ScheduleConfig, timeScale: number): number | null {
  if (!schedule.enabled || schedule.intervalMs === null || schedule.intervalMs <= 0) return null;
  return scaled(schedule.intervalMs, timeScale);
}

/** First slot of a schedule: boot + offset (stagger), or `null` without an enabled timer. */
export function firstDueAt(bootAt: number, schedule: ScheduleConfig, timeScale: number): number | null {
  return periodOf(schedule, timeScale) === null ? null : bootAt + scaled(schedule.offsetMs, timeScale);
}

/** The first slot `bootAt + offset + k × interval` (k ≥ 0) strictly after `after`, or `null` without a timer. */
export function nextSlotAfter(bootAt: number, schedule: ScheduleConfig, timeScale: number, after: number): number | null {
  const period = periodOf(schedule, timeScale);
  if (period === null) return null;
  const first = bootAt + scaled(schedule.offsetMs, timeScale);
  if (first > after) return first;
  return first + (Math.floor((after - first) / period) + 1) * period;
}

/** Fresh per-target records for a configuration, with first due times from the stagger. */
export function initialTargets(
  accounts: Accounts,
  schedules: Record<Service, ScheduleConfig>,
  bootAt: number,
  timeScale: number,
): Record<TargetId, TargetRecord> {
  const records: Record<TargetId, TargetRecord> = {};
  for (const target of targetsOf(accounts)) {
    const parsed = parseTarget(target);
    if (parsed === null) continue;
    records[target] = {
      target,
      ...parsed,
      nextDueAt: firstDueAt(bootAt, schedules[parsed.service], timeScale),
      catchUpAt: null,
      retryAt: null,
      retryAttempt: 0,
      lastRun: null,
    };
  }
  return records;
}

/** Targets whose deadline of the given kind has passed, in a stable order. */
function dueBy(targets: Record<TargetId, TargetRecord>, now: number, key: 'nextDueAt' | 'catchUpAt' | 'retryAt'): TargetId[] {
  return Object.values(targets)
    .filter((record) => record[key] !== null && (record[key] as number) <= now)
    .map((record) => record.target)
    .sort();
}

/** What became due at `now`: scheduled slots, planned catch-ups, backoff ends and lease TTLs. */
export interface DueWork {
  scheduled: TargetId[];
  catchUps: TargetId[];
  retries: TargetId[];
  expiredLeases: Lease[];
}

/** Everything whose absolute deadline is at or before `now`. */
export function dueWork(context: OrchestratorContext, now: number): DueWork {
  return {
    scheduled: dueBy(context.targets, now, 'nextDueAt'),
    catchUps: dueBy(context.targets, now, 'catchUpAt'),
    retries: dueBy(context.targets, now, 'retryAt'),
    expiredLeases: context.leases.filter((lease) => lease.expiresAt <= now),
  };
}

/** The earliest absolute deadline the clock region must wake up for, or `null` when there is none. */
export function earliestDeadline(context: OrchestratorContext): number | null {
  const deadlines: number[] = [];
  for (const record of Object.values(context.targets)) {
    for (const at of [record.nextDueAt, record.catchUpAt, record.retryAt]) if (at !== null) deadlines.push(at);
  }
  for (const lease of context.leases) deadlines.push(lease.expiresAt);
  if (context.breaker.state === 'open' && context.breaker.openUntil !== null) deadlines.push(context.breaker.openUntil);
  return deadlines.length === 0 ? null : Math.min(...deadlines);
}

/** The clock region's timer for a deadline: never longer than MAX_TIMER_DELAY_MS, never in the past. */
export function armClock(deadline: number | null, now: number): ClockArm {
  const cap = now + MAX_TIMER_DELAY_MS;
  return { deadline, armedAt: now, wakeAt: deadline === null ? cap : Math.max(now, Math.min(deadline, cap)) };
}

/** A restore's decision for the schedule slots that passed while the process was down. */
export interface MissedRunPlan {
  /** Missed policy `once` (and catch-ups already planned): one run each, CATCHUP_SPACING apart. */
  catchUps: Array<{ target: TargetId; at: number }>;
  /** Missed policy `skip`: recorded as MISSED. */
  skipped: Array<{ target: TargetId; missedAt: number }>;
  /** New `nextDueAt` of every target whose slot passed: the first slot after `now`. */
  nextDueAt: Record<TargetId, number | null>;
}

/** Applies the missed-run policy of each service to every deadline that passed before `now`. */
export function planMissedRuns(context: OrchestratorContext, now: number): MissedRunPlan {
  const plan: MissedRunPlan = { catchUps: [], skipped: [], nextDueAt: {} };
  const spacing = scaled(CATCHUP_SPACING_MS, context.timeScale);
  for (const record of missedTargets(context, now)) {
    const schedule = context.schedules[record.service];
    const slotMissed = record.nextDueAt !== null && record.nextDueAt < now;
    if (slotMissed) plan.nextDueAt[record.target] = nextSlotAfter(context.bootAt, schedule, context.timeScale, now);
    if (schedule.missed === 'once' || record.catchUpAt !== null) {
      plan.catchUps.push({ target: record.target, at: now + plan.catchUps.length * spacing });
    } else {
      plan.skipped.push({ target: record.target, missedAt: record.nextDueAt ?? now });
    }
  }
  return plan;
}

/** Targets with a slot or a catch-up in the past, oldest first, then by priority. */
function missedTargets(context: OrchestratorContext, now: number): TargetRecord[] {
  const missedAt = (record: TargetRecord): number => Math.min(record.catchUpAt ?? now, record.nextDueAt ?? now);
  return Object.values(context.targets)
    .filter((record) => missedAt(record) < now)
    .sort(
      (a, b) =>
        missedAt(a) - missedAt(b) ||
        CATALOG[b.service].priority - CATALOG[a.service].priority ||
        a.target.localeCompare(b.target),
    );
}

// ─── queue ─────────────────────────────────────────────────────────────────────────────────────────

/** 1 for services that chain after a parent (ddt, invoices, prices), 0 otherwise. */
function chainDepth(service: Service): number {
  return chainParentOf(service) === undefined ? 0 : 1;
}

/**
 * Queue order: effective priority (desc), then chain parents before their children (orders before ddt at
 * equal priority), then request time, then target name (stable).
 */
export function compareQueued(a: QueueEntry, b: QueueEntry): number {
  return (
    b.priority - a.priority ||
    chainDepth(a.service) - chainDepth(b.service) ||
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
  const parent = parsed === null ? undefined : chainParentOf(parsed.service);
  if (parsed === null || parent === undefined) return null;
  const parentTarget = targetId(parent, parsed.account);
  const pending =
    context.running[parentTarget] !== undefined ||
    context.paused[parentTarget] !== undefined ||
    context.queue.some((entry) => entry.target === parentTarget);
  return pending ? parentTarget : null;
}

/** The queue in dispatch order (a new array). */
export function orderQueue(queue: readonly QueueEntry[]): QueueEntry[] {
  return [...queue].sort(compareQueued);
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
export function enqueue(queue: readonly QueueEntry[], request: RunRequest): EnqueueResult {
  const existing = queue.find((entry) => entry.target === request.target);
  if (existing !== undefined) {
    const entry = { ...existing, priority: Math.max(existing.priority, request.priority), merges: existing.merges + 1 };
    return { queue: orderQueue(queue.map((e) => (e === existing ? entry : e))), entry, coalesced: true };
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
  return { queue: orderQueue([...queue, entry]), entry, coalesced: false };
}

/** 1-based position of a target in dispatch order, or 0 when it is not queued. */
export function queuePosition(queue: readonly QueueEntry[], target: TargetId): number {
  return orderQueue(queue).findIndex((entry) => entry.target === target) + 1;
}

/** Default priority of a target's service. */
export function defaultPriority(service: Service): number {
  return CATALOG[service].priority;
}

// ─── holds (leases and operator pause) ─────────────────────────────────────────────────────────────

/** A lease scope covers one account, or every account with `'*'`. */
export function scopeCovers(scope: string, account: string): boolean {
  return scope === '*' || scope === account;
}

/** Leases covering an account, oldest first. */
export function coveringLeases(leases: readonly Lease[], account: string): Lease[] {
  return leases.filter((lease) => scopeCovers(lease.scope, account));
}

/** What holds an account (operator pause first, then the oldest covering lease), or `null` when free. */
export function holdOf(context: OrchestratorContext, account: string): HoldCause | null {
  if (context.operatorPause !== null) return { kind: 'operator' };
  const lease = coveringLeases(context.leases, account)[0];
  return lease === undefined ? null : { kind: 'lease', leaseId: lease.leaseId };
}

/** Number of leases held per scope (leases are ref-counted: a scope is free when its count drops to 0). */
export function leaseRefCounts(leases: readonly Lease[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const lease of leases) counts[lease.scope] = (counts[lease.scope] ?? 0) + 1;
  return counts;
}

/** Running targets a lease must wait for before it is active. */
export function runningInScope(running: Record<TargetId, RunningEntry>, scope: string): TargetId[] {
  return Object.values(running)
    .filter((entry) => scopeCovers(scope, entry.account))
    .map((entry) => entry.target)
    .sort();
}

/** Pending leases with nothing left running in their scope: they become active now. */
export function readyLeases(context: OrchestratorContext): Lease[] {
  return context.leases.filter(
    (lease) => lease.status === 'pending' && runningInScope(context.running, lease.scope).length === 0,
  );
}

/** Leases whose TTL deadline has passed. */
export function expiredLeases(leases: readonly Lease[], now: number): Lease[] {
  return leases.filter((lease) => lease.expiresAt <= now);
}

// ─── dispatch ──────────────────────────────────────────────────────────────────────────────────────

/** The `dispatch` region's state, as derived from the context. */
export type DispatchMode = 'idle' | 'queued' | 'running' | 'draining' | 'holding';

/** One start decided by `planStarts`. */
export type StartPlan =
  | { kind: 'start'; entry: QueueEntry; probe: boolean }
  | { kind: 'resume'; entry: PausedEntry; probe: boolean };

interface Candidate {
  plan: StartPlan;
  account: string;
  priority: number;
  requestedAt: number;
  /** 0: a paused run that nothing outranks by PREEMPT_MARGIN resumes before the queue. */
  rank: 0 | 1;
}

/** True while a target is backing off after a failure. */
export function inBackoff(context: OrchestratorContext, target: TargetId): boolean {
  const retryAt = context.targets[target]?.retryAt ?? null;
  return retryAt !== null && retryAt > context.now;
}

/** Queued entries that could run if their account were free: not running, not paused, not backing off. */
function eligibleQueue(context: OrchestratorContext): QueueEntry[] {
  return orderQueue(context.queue).filter(
    (entry) =>
      context.running[entry.target] === undefined &&
      context.paused[entry.target] === undefined &&
      !inBackoff(context, entry.target),
  );
}

/** True when `challenger` may pause a run of `victim` priority that was preempted `preemptions` times. */
export function outranks(challenger: number, victim: number, preemptions: number): boolean {
  return preemptions < MAX_PREEMPTIONS && challenger >= victim + PREEMPT_MARGIN;
}

/** Paused runs and queued entries in start order: rank, priority (desc), request time, target. */
function startCandidates(context: OrchestratorContext): Candidate[] {
  const queue = eligibleQueue(context);
  const paused = Object.values(context.paused);
  const rivals = [...queue, ...paused];
  const fromPaused = paused.map((entry): Candidate => {
    // The preemption that paused this run is already counted: it still yields to its preemptor.
    const spent = entry.cause.kind === 'preempt' ? entry.preemptions - 1 : entry.preemptions;
    const outranked = rivals.some(
      (rival) => rival.account === entry.account && rival.target !== entry.target && outranks(rival.priority, entry.priority, spent),
    );
    return { plan: { kind: 'resume', entry, probe: false }, ...entry, rank: outranked ? 1 : 0 };
  });
  const fromQueue = queue.map((entry): Candidate => ({ plan: { kind: 'start', entry, probe: false }, ...entry, rank: 1 }));
  return [...fromPaused, ...fromQueue].sort(
    (a, b) =>
      a.rank - b.rank ||
      b.priority - a.priority ||
      chainDepth(a.plan.entry.service) - chainDepth(b.plan.entry.service) ||
      a.requestedAt - b.requestedAt ||
      a.plan.entry.target.localeCompare(b.plan.entry.target),
  );
}

/**
 * Which paused runs resume and which queued entries start now: at most one running target per account,
 * at most `concurrency` in total, nothing on an account held by a lease or the operator, nothing while
 * the breaker is open, and a single probe while it is half-open.
 */
export function planStarts(context: OrchestratorContext): StartPlan[] {
  const { breaker } = context;
  if (breaker.state === 'open' || (breaker.state === 'halfOpen' && breaker.probe !== null)) return [];
  const running = Object.values(context.running);
  const busy = new Set(running.map((entry) => entry.account));
  const plans: StartPlan[] = [];
  const free = context.concurrency - running.length;
  const slots = breaker.state === 'halfOpen' ? Math.min(1, free) : free;
  for (const candidate of startCandidates(context)) {
    if (plans.length >= slots) break;
    if (busy.has(candidate.account) || holdOf(context, candidate.account) !== null) continue;
    busy.add(candidate.account);
    plans.push({ ...candidate.plan, probe: breaker.state === 'halfOpen' });
  }
  return plans;
}

/** Running targets on held accounts that have not been told to pause yet, with the hold that pauses them. */
export function planHoldPauses(context: OrchestratorContext): Array<{ target: TargetId; cause: HoldCause }> {
  const pauses: Array<{ target: TargetId; cause: HoldCause }> = [];
  for (const entry of Object.values(context.running)) {
    const cause = entry.pauseRequested === null ? holdOf(context, entry.account) : null;
    if (cause !== null) pauses.push({ target: entry.target, cause });
  }
  return pauses.sort((a, b) => a.target.localeCompare(b.target));
}

/**
 * A running target to pause because a queued entry on its account outranks it by PREEMPT_MARGIN, while
 * its preemption budget lasts; `null` when none. Only with a closed breaker: the urgent entry must be able
 * to start once the account is free.
 */
export function planPreemption(context: OrchestratorContext): { target: TargetId; by: TargetId } | null {
  if (context.breaker.state !== 'closed') return null;
  const queue = eligibleQueue(context);
  for (const entry of Object.values(context.running).sort((a, b) => a.priority - b.priority)) {
    if (entry.pauseRequested !== null || holdOf(context, entry.account) !== null) continue;
    const urgent = queue.find((q) => q.account === entry.account && outranks(q.priority, entry.priority, entry.preemptions));
    if (urgent !== undefined) return { target: entry.target, by: urgent.target };
  }
  return null;
}

/**
 * The dispatch region's state: `paused` when the operator paused or leases cover every account with work
 * (`draining` while a covered run has not reported paused, then `holding`); otherwise `running` with a run
 * in flight, `queued` with work that cannot start, `idle` without work.
 */
export function dispatchMode(context: OrchestratorContext): DispatchMode {
  const running = Object.values(context.running);
  const paused = Object.values(context.paused);
  const workAccounts = new Set([...context.queue, ...running, ...paused].map((entry) => entry.account));
  const everyHeld = [...workAccounts].every((account) => holdOf(context, account) !== null);
  if (context.operatorPause !== null || (context.leases.length > 0 && everyHeld)) {
    return running.length > 0 ? 'draining' : 'holding';
  }
  if (running.length > 0) return 'running';
  return context.queue.length > 0 || paused.length > 0 ? 'queued' : 'idle';
}

// ─── chained syncs ─────────────────────────────────────────────────────────────────────────────────

/** Chained follow-ups of a completed target: the children, and whether the parent changed anything. */
export function chainedTargets(target: TargetId, stats: RunStats): { children: TargetId[]; changed: boolean } | null {
  const parsed = parseTarget(target);
  const rule = parsed === null ? undefined : chainRuleOf(parsed.service);
  if (parsed === null || rule === undefined) return null;
  return {
    children: rule.children.map((child) => targetId(child, parsed.account)),
    changed: stats.inserted + stats.updated > 0,
  };
}

// ─── retries ───────────────────────────────────────────────────────────────────────────────────────

/** What to do after a failed attempt. */
export type RetryDecision = { kind: 'immediate' } | { kind: 'backoff'; retry: number } | { kind: 'none' };

/**
 * session-expired is retried once at once (fresh login); retryable classes then back off up to
 * MAX_RETRY_ATTEMPTS times; export-invalid never retries.
 */
export function retryDecision(failure: FailureClass, retriesDone: number, sessionRetried: boolean): RetryDecision {
  const policy = FAILURE_POLICY[failure];
  if (policy.immediateRetryOnce && !sessionRetried) return { kind: 'immediate' };
  if (policy.retry === 'backoff' && retriesDone < MAX_RETRY_ATTEMPTS) return { kind: 'backoff', retry: retriesDone + 1 };
  return { kind: 'none' };
}

/** Backoff before retry n (1-based): 5 s, 10 s, 20 s ± RETRY_JITTER_RATIO, from `jitter` in [0, 1). */
export function retryDelayMs(retry: number, jitter: number, timeScale: number): number {
  const base = RETRY_BACKOFF_MS[Math.min(retry, RETRY_BACKOFF_MS.length) - 1] ?? 0;
  const factor = 1 + RETRY_JITTER_RATIO * (2 * jitter - 1);
  return scaled(Math.round(base * factor), timeScale);
}

/** Unknown or missing classes become `store-error`: retried with backoff, never silently dropped. */
export function failureClassOf(value: unknown): FailureClass {
  return typeof value === 'string' && value in FAILURE_POLICY ? (value as FailureClass) : 'store-error';
}

/** mulberry32: a tiny deterministic PRNG whose state is one integer, so it persists with the snapshot. */
export function nextRandom(state: number): { value: number; state: number } {
  const next = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(next ^ (next >>> 15), next | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4294967296, state: next };
}

// ─── breaker ───────────────────────────────────────────────────────────────────────────────────────

/** Only "ERP unreachable / login refused" failures say anything about the ERP's health. */
export function countsTowardBreaker(failure: FailureClass): boolean {
  return FAILURE_POLICY[failure].tripsBreaker;
}

/** True when this failure is the one that reaches BREAKER_THRESHOLD consecutive ERP failures. */
export function tripsBreaker(breaker: BreakerState, failure: FailureClass): boolean {
  return countsTowardBreaker(failure) && breaker.failures + 1 >= BREAKER_THRESHOLD;
}

/** End of the breaker cooldown for a breaker opening at `now`. */
export function breakerReopensAt(now: number, timeScale: number): number {
  return now + scaled(BREAKER_COOLDOWN_MS, timeScale);
}

/** True once an open breaker's cooldown has elapsed. */
export function cooldownElapsed(breaker: BreakerState, now: number): boolean {
  return breaker.state === 'open' && breaker.openUntil !== null && now >= breaker.openUntil;
}

// ─── why ───────────────────────────────────────────────────────────────────────────────────────────

/** Reason codes of `GET /api/sync/:service/why`. */
export type WhyCode =
  | 'RUNNING'
  | 'MUTEX_HELD'
  | 'QUEUED'
  | 'LEASE'
  | 'OPERATOR_PAUSE'
  | 'PREEMPTED'
  | 'BACKOFF'
  | 'BREAKER_OPEN'
  | 'NEXT_DUE'
  | 'DISABLED';

/** One reason; the structured fields repeat what `detail` says in words. Times are epoch ms. */
export interface WhyReason {
  code: WhyCode;
  detail: string;
  until?: number;
  at?: number;
  by?: TargetId[];
  position?: number;
  leaseId?: string;
  attempt?: number;
}

/** Why a target is (not) running now (DESIGN §7 `Why`). */
export interface Why {
  target: TargetId;
  state: string;
  reasons: WhyReason[];
}

/**
 * Explains a target from the root's context and the child's state name: what it is doing, or everything
 * that keeps it from running now, most immediate first.
 */
export function explain(context: OrchestratorContext, target: TargetId, state: string): Why {
  const running = context.running[target];
  const reasons = running !== undefined ? [runningReason(running)] : waitingReasons(context, target);
  return { target, state, reasons };
}

function runningReason(entry: RunningEntry): WhyReason {
  const progress = entry.phase === null ? 'starting' : `${entry.phase} ${entry.done}/${entry.total}`;
  const pausing = entry.pauseRequested === null ? '' : `, pausing at the next checkpoint (${describeHold(entry.pauseRequested)})`;
  return { code: 'RUNNING', detail: `${entry.trigger} run ${progress}${pausing}` };
}

function describeHold(cause: HoldCause): string {
  switch (cause.kind) {
    case 'lease':
      return `lease ${cause.leaseId}`;
    case 'operator':
      return 'operator pause';
    case 'preempt':
      return `preempted by ${cause.by}`;
    case 'runtime':
      return 'stopped by the runtime';
  }
}

function waitingReasons(context: OrchestratorContext, target: TargetId): WhyReason[] {
  const record = context.targets[target];
  if (record === undefined) return [];
  const paused = context.paused[target];
  const position = queuePosition(context.queue, target);
  const waiting = paused !== undefined || position > 0;
  return [
    ...(paused?.cause.kind === 'preempt'
      ? [{ code: 'PREEMPTED' as const, detail: `paused at a checkpoint for ${paused.cause.by}`, by: [paused.cause.by] }]
      : []),
    ...(position > 0 ? [{ code: 'QUEUED' as const, detail: `position ${position} in the queue`, position }] : []),
    ...holdReasons(context, record.account),
    ...(waiting ? mutexReasons(context, record.account) : []),
    ...breakerReasons(context.breaker),
    ...backoffReasons(record),
    ...(waiting ? [] : scheduleReasons(context, record)),
  ];
}

function holdReasons(context: OrchestratorContext, account: string): WhyReason[] {
  const reasons: WhyReason[] = coveringLeases(context.leases, account).map((lease) => ({
    code: 'LEASE',
    detail: `lease ${lease.leaseId} (${lease.reason}) on ${lease.scope} until ${iso(lease.expiresAt)}`,
    leaseId: lease.leaseId,
    until: lease.expiresAt,
  }));
  const pause = context.operatorPause;
  return pause === null ? reasons : [{ code: 'OPERATOR_PAUSE', detail: `paused by the operator: ${pause.reason}` }, ...reasons];
}

function mutexReasons(context: OrchestratorContext, account: string): WhyReason[] {
  const running = Object.values(context.running);
  const sameAccount = running.filter((entry) => entry.account === account).map((entry) => entry.target);
  if (sameAccount.length > 0) {
    return [{ code: 'MUTEX_HELD', detail: `account ${account} is busy with ${sameAccount.join(', ')}`, by: sameAccount }];
  }
  if (running.length < context.concurrency) return [];
  const by = running.map((entry) => entry.target).sort();
  return [{ code: 'MUTEX_HELD', detail: `global concurrency cap ${context.concurrency} held by ${by.join(', ')}`, by }];
}

function breakerReasons(breaker: BreakerState): WhyReason[] {
  if (breaker.state === 'open' && breaker.openUntil !== null) {
    return [{ code: 'BREAKER_OPEN', detail: `ERP circuit open until ${iso(breaker.openUntil)}`, until: breaker.openUntil }];
  }
  if (breaker.state === 'halfOpen' && breaker.probe !== null) {
    return [{ code: 'BREAKER_OPEN', detail: `ERP circuit half-open: waiting for probe ${breaker.probe}`, by: [breaker.probe] }];
  }
  return [];
}

function backoffReasons(record: TargetRecord): WhyReason[] {
  if (record.retryAt === null) return [];
  const detail = `retry ${record.retryAttempt} after a failure, at ${iso(record.retryAt)}`;
  return [{ code: 'BACKOFF', detail, attempt: record.retryAttempt, until: record.retryAt }];
}

function scheduleReasons(context: OrchestratorContext, record: TargetRecord): WhyReason[] {
  if (record.catchUpAt !== null) {
    return [{ code: 'NEXT_DUE', detail: `catch-up of a missed slot at ${iso(record.catchUpAt)}`, at: record.catchUpAt }];
  }
  if (record.nextDueAt !== null) return [{ code: 'NEXT_DUE', detail: `next slot at ${iso(record.nextDueAt)}`, at: record.nextDueAt }];
  const schedule = context.schedules[record.service];
  const detail =
    schedule.intervalMs === null
      ? `${record.service} has no timer: it runs on request${chainedHint(record.service)}`
      : `the ${record.service} schedule is disabled`;
  return [{ code: 'DISABLED', detail }];
}

function chainedHint(service: Service): string {
  const parent = chainParentOf(service);
  return parent === undefined ? '' : ` or after ${parent} reports changes`;
}

/** An epoch-ms time as operators read it in a reason's detail (the `until`/`at` fields keep the number). */
function iso(ms: number | null): string {
  return ms === null ? 'unknown' : new Date(ms).toISOString();
}
