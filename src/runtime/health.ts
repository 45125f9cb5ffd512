import type { OrchestratorContext, Service, TargetId } from '../../machines/index.js';
import { erpWindowAt, scheduleOf, selectResourceGuard } from '../../machines/index.js';
import { scaled } from '../../machines/time.js';
import { isoTime } from './iso-times.js';
import type { HealthView } from './orchestrator-port.js';

type Level = HealthView['status'];
type Check = HealthView['checks'][string];

/**
 * Data older than this many intervals is stale. One missed slot is ordinary (a slow export, a lease, a
 * restart); two in a row mean the service is not keeping the agents' data fresh.
 */
export const STALE_INTERVALS = 2;

/** What the health verdict is computed from. */
export interface HealthInput {
  context: OrchestratorContext;
  /** Status of the root actor: anything but `active` means nothing will run any more. */
  actorStatus: string;
  /** When each target last completed a run (epoch ms), from the run ledger. */
  lastCompletedAt: Record<TargetId, number>;
  /** Wall clock, epoch ms. */
  now: number;
}

const SEVERITY: Record<Level, number> = { ok: 0, degraded: 1, down: 2 };

/**
 * `GET /api/health`: the statechart is alive, the ERP breaker is closed, no target's last run failed,
 * the resource guard lets the configured concurrency run, and every scheduled service completed a run within {@link STALE_INTERVALS} intervals. The verdict is
 * the worst check: `down` only when nothing can sync (statechart stopped, ERP circuit open).
 */
export function assessHealth(input: HealthInput): HealthView {
  const checks: Record<string, Check> = {
    orchestrator: orchestratorCheck(input.actorStatus),
    erp: erpCheck(input.context),
    runs: runsCheck(input.context),
    resources: resourcesCheck(input.context),
  };
  for (const service of Object.keys(input.context.services)) {
    const check = freshnessCheck(input, service);
    if (check !== null) checks[`data.${service}`] = check;
  }
  const status = Object.values(checks).reduce<Level>((worst, check) => (SEVERITY[check.status] > SEVERITY[worst] ? check.status : worst), 'ok');
  return { status, checks };
}

function orchestratorCheck(actorStatus: string): Check {
  return actorStatus === 'active'
    ? { status: 'ok', detail: 'statechart running' }
    : { status: 'down', detail: `statechart ${actorStatus}: no sync will start until the process restarts` };
}

function erpCheck(context: OrchestratorContext): Check {
  const { breaker } = context;
  switch (breaker.state) {
    case 'open':
      return { status: 'down', detail: `ERP circuit open until ${breaker.openUntil === null ? 'unknown' : isoTime(breaker.openUntil)} after ${breaker.failures} failures` };
    case 'halfOpen':
      return { status: 'degraded', detail: 'ERP circuit half-open: one probe run decides' };
    case 'closed':
      return breaker.failures === 0
        ? { status: 'ok', detail: 'ERP circuit closed' }
        : { status: 'degraded', detail: `ERP circuit closed; ${breaker.failures} consecutive erp-unreachable failures` };
  }
}

function runsCheck(context: OrchestratorContext): Check {
  const failed = Object.values(context.targets).filter((record) => record.lastRun?.outcome === 'failed');
  if (failed.length === 0) return { status: 'ok', detail: 'no target’s last run failed' };
  const list = failed.map((record) => {
    const retry = record.retryAt === null ? 'no retry' : `retry ${record.retryAttempt} at ${isoTime(record.retryAt)}`;
    return `${record.target}: ${record.lastRun?.error?.class ?? 'failed'} (${retry})`;
  });
  return { status: 'degraded', detail: `last run failed for ${list.join('; ')}` };
}

/** The resource guard: degraded while it lowers the concurrency or holds new starts (runs are slowed, not stopped). */
function resourcesCheck(context: OrchestratorContext): Check {
  const guard = selectResourceGuard(context);
  if (guard.reason === null) return { status: 'ok', detail: `within the resource limits: concurrency ${context.concurrency}` };
  const what = guard.held ? 'new starts held' : `concurrency ${guard.effectiveConcurrency} of ${context.concurrency}`;
  return { status: 'degraded', detail: `${guard.reason}: ${what}` };
}

/**
 * Freshness of a scheduled service (null for services without an enabled timer: they follow a parent).
 * Data that ages while the ERP window is closed, or while its catch-up waits for the opening, is not
 * stale: the service is doing what it was told (ERP_HOURS), and every night would otherwise read degraded.
 */
function freshnessCheck(input: HealthInput, service: Service): Check | null {
  const { context, now, lastCompletedAt } = input;
  const schedule = scheduleOf(context.schedules, service);
  if (!schedule.enabled || schedule.intervalMs === null) return null;
  const window = erpWindowAt(context.erpHours, context.erpTimeZone, now);
  if (window.state === 'closed') return { status: 'ok', detail: `ERP window closed until ${isoTime(window.until)}; runs wait for it` };
  const period = scaled(schedule.intervalMs, context.timeScale);
  const firstSlot = context.bootAt + scaled(schedule.offsetMs, context.timeScale);
  const limit = STALE_INTERVALS * period;
  const stale: string[] = [];
  let oldest = now;
  for (const record of Object.values(context.targets)) {
    if (record.service !== service || (context.erpHours !== null && record.catchUpAt !== null)) continue;
    const last = lastCompletedAt[record.target];
    if (last === undefined) {
      if (now - firstSlot > limit) stale.push(`${record.target} never completed`);
      continue;
    }
    oldest = Math.min(oldest, last);
    if (now - last > limit) stale.push(`${record.target} last completed ${minutes(now - last)} ago`);
  }
  const interval = `interval ${minutes(period)}`;
  if (stale.length > 0) return { status: 'degraded', detail: `stale (${interval}): ${stale.join('; ')}` };
  return { status: 'ok', detail: oldest === now ? `waiting for the first run (${interval})` : `fresh: oldest data ${minutes(now - oldest)} old (${interval})` };
}

function minutes(ms: number): string {
  const m = ms / 60_000;
  return m < 1 ? `${Math.round(ms / 1000)} s` : m < 120 ? `${Math.round(m)} min` : `${(m / 60).toFixed(1)} h`;
}
