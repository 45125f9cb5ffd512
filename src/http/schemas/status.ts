import { Type, type Static } from 'typebox';
import { exportNames } from '../../exports/registry.js';
import type { RuntimeStatus } from '../../runtime/orchestrator-port.js';
import {
  IsoTime,
  Nullable,
  NullableIsoTime,
  PhaseEnum,
  RunError,
  RunStats,
  ServiceEnum,
  TargetName,
  TriggerEnum,
  type Assert,
  type Same,
} from './common.js';
import { ResourceMetricEnum, WhyReasonSchema } from './why.js';

/** Why a run was asked to pause. */
const HoldCause = Type.Union([
  Type.Object({ kind: Type.Literal('lease'), leaseId: Type.String() }),
  Type.Object({ kind: Type.Literal('operator') }),
  Type.Object({ kind: Type.Literal('preempt'), by: TargetName }),
  Type.Object({ kind: Type.Literal('runtime') }),
]);

/** Fields every queued, running and paused entry shares. */
const entryFields = {
  target: TargetName,
  service: ServiceEnum,
  account: Type.String(),
  priority: Type.Integer(),
  trigger: TriggerEnum,
  requestedAt: IsoTime(),
};

const RunningEntry = Type.Object({
  ...entryFields,
  startedAt: IsoTime(),
  startPriority: Type.Optional(Type.Number({ description: 'effective priority it started with: preemption must beat it by the margin' })),
  preemptions: Type.Integer({ description: 'times this run was paused by preemption' }),
  pauseRequested: Nullable(HoldCause, 'set once the run was told to pause at its next checkpoint'),
  probe: Type.Boolean({ description: "the half-open breaker's probe run" }),
  phase: Nullable(PhaseEnum),
  done: Type.Integer(),
  total: Type.Integer(),
});

const QueuedEntry = Type.Object({
  ...entryFields,
  merges: Type.Integer({ description: 'requests coalesced into this entry' }),
  position: Type.Integer(),
  reasons: Type.Array(WhyReasonSchema),
});

const PausedEntry = Type.Object({
  ...entryFields,
  pausedAt: IsoTime(),
  startPriority: Type.Optional(Type.Number({ description: 'effective priority it last ran with' })),
  preemptions: Type.Integer(),
  cause: HoldCause,
});

const LeaseStatus = Type.Object({
  leaseId: Type.String(),
  scope: Type.String({ description: 'an account or `*`' }),
  reason: Type.String(),
  acquiredAt: IsoTime(),
  expiresAt: IsoTime(),
  status: Type.Enum(['pending', 'active']),
  pausedTargets: Type.Array(TargetName),
  waitingFor: Type.Array(TargetName, { description: 'running targets in scope that have not paused yet' }),
  refCount: Type.Integer({ description: 'leases held on the same scope' }),
});

const ScheduleConfig = Type.Object({
  intervalMs: Type.Union([Type.Number(), Type.Null()]),
  offsetMs: Type.Number(),
  enabled: Type.Boolean(),
  missed: Type.Enum(['skip', 'once']),
});

const LastRun = Type.Object({
  outcome: Type.Enum(['completed', 'failed']),
  at: IsoTime(),
  trigger: TriggerEnum,
  stats: Nullable(RunStats),
  error: Nullable(RunError),
});

const TargetStatus = Type.Object({
  target: TargetName,
  service: ServiceEnum,
  account: Type.String(),
  state: Type.String({ description: 'state of the target actor' }),
  nextDueAt: NullableIsoTime(),
  catchUpAt: NullableIsoTime(),
  retryAt: NullableIsoTime(),
  retryAttempt: Type.Integer(),
  lastRun: Nullable(LastRun),
});

const Readings = Type.Object({ eventLoopDelay: Type.Number(), rss: Type.Number(), chromiumRss: Type.Number() });

const ResourceGuard = Type.Object(
  {
    limits: Readings,
    cap: Nullable(Type.Integer(), 'cap on running targets while stepped down; null: SYNC_CONCURRENCY applies'),
    held: Type.Boolean({ description: 'new starts held: over a limit at an effective concurrency of 1' }),
    cause: Nullable(Type.Object({ metric: ResourceMetricEnum, value: Type.Number(), limit: Type.Number() }), 'the breach behind the step down or the hold'),
    calmSamples: Type.Integer({ description: 'samples in a row below limit × hysteresis' }),
    last: Nullable(Type.Object({ at: IsoTime(), readings: Readings }), 'the latest sample'),
    effectiveConcurrency: Type.Integer({ description: 'targets that may run now: concurrency lowered by the guard, 0 while held' }),
    reason: Nullable(Type.String(), 'RESOURCE_GUARD(metric, value) while the guard lowers or holds'),
  },
  { description: 'resource guard: event-loop delay (ms), RSS and Chromium RSS (MB) against their limits' },
);

/** `GET /api/sync/status` body. */
export const StatusBody = Type.Object({
  now: IsoTime(),
  state: Type.Object(
    { dispatch: Type.String(), clock: Type.String(), erp: Type.String() },
    { description: 'root region states', examples: [{ dispatch: 'running', clock: 'waiting', erp: 'closed' }] },
  ),
  running: Type.Array(RunningEntry),
  queue: Type.Array(QueuedEntry, { description: 'in dispatch order, with the reasons each entry waits' }),
  paused: Type.Array(PausedEntry),
  leases: Type.Array(LeaseStatus),
  operatorPause: Nullable(Type.Object({ reason: Type.String(), since: IsoTime(), transient: Type.Boolean() })),
  breaker: Type.Object({
    state: Type.Enum(['closed', 'open', 'halfOpen']),
    failures: Type.Integer(),
    openUntil: NullableIsoTime(),
    probe: Nullable(TargetName),
  }),
  erpHours: Type.Object(
    {
      hours: Nullable(Type.String({ description: 'ERP_HOURS, e.g. 07:00-20:00; null: any hour' })),
      timeZone: Type.String({ examples: ['Europe/Rome'] }),
      state: Type.Enum(['unrestricted', 'open', 'closed']),
      until: NullableIsoTime('next opening (closed) or closing (open)'),
    },
    { description: 'the ERP window (ERP_HOURS): outside it, starts are held (OUTSIDE_ERP_HOURS)' },
  ),
  accountHolds: Type.Array(
    Type.Object({
      account: Type.String(),
      reason: Type.Enum(['LOGIN_BUDGET_EXHAUSTED']),
      target: TargetName,
      since: IsoTime(),
      until: IsoTime('the login budget resets: next midnight in the ERP time zone'),
      message: Type.String(),
    }),
    { description: 'accounts held by themselves; the other accounts run on' },
  ),
  concurrency: Type.Integer(),
  resourceGuard: ResourceGuard,
  timeScale: Type.Number(),
  schedules: Type.Record(Type.String(), ScheduleConfig, { description: `per service: ${exportNames().join(', ')}` }),
  targets: Type.Array(TargetStatus),
  uptimeSeconds: Type.Number(),
  source: Type.String({ description: 'export source in use', examples: ['directory'] }),
});

export type _StatusMatches = Assert<Same<Static<typeof StatusBody>, RuntimeStatus>>;
