import { Type, type Static } from 'typebox';
import type { Why, WhyReason } from '../../../machines/index.js';
import type { IsoTimes } from '../../runtime/orchestrator-port.js';
import { IsoTime, ServiceEnum, TargetName, type Assert, type Same } from './common.js';

const WhyCode = Type.Enum(
  ['RUNNING', 'MUTEX_HELD', 'QUEUED', 'LEASE', 'OPERATOR_PAUSE', 'PREEMPTED', 'BACKOFF', 'BREAKER_OPEN', 'OUTSIDE_ERP_HOURS', 'LOGIN_BUDGET_EXHAUSTED', 'RESOURCE_GUARD', 'NEXT_DUE', 'DISABLED', 'LAYOUT_DRIFT'],
  { description: 'reason code' },
);

/** A metric the resource guard watches. */
export const ResourceMetricEnum = Type.Enum(['eventLoopDelay', 'rss', 'chromiumRss'], {
  description: 'eventLoopDelay: p99 of the sample window, ms; rss: process resident memory, MB; chromiumRss: every Chromium process together (proportional set size), MB',
});

/** One reason; the optional fields repeat `detail` in structured form. */
export const WhyReasonSchema = Type.Object({
  code: WhyCode,
  detail: Type.String(),
  until: Type.Optional(IsoTime('end of a lease, backoff, breaker cooldown or account hold; opening of the ERP window')),
  at: Type.Optional(IsoTime('next due time')),
  by: Type.Optional(Type.Array(TargetName, { description: 'targets holding the mutex, preempting, probing or whose failure holds the account' })),
  position: Type.Optional(Type.Integer({ description: '1-based queue position' })),
  leaseId: Type.Optional(Type.String()),
  attempt: Type.Optional(Type.Integer({ description: 'retry number' })),
  metric: Type.Optional(ResourceMetricEnum),
  value: Type.Optional(Type.Number({ description: 'RESOURCE_GUARD: the reading over its limit (ms or MB)' })),
  limit: Type.Optional(Type.Number({ description: 'RESOURCE_GUARD: its limit' })),
  concurrency: Type.Optional(Type.Integer({ description: 'RESOURCE_GUARD: targets that may run now (0 while starts are held)' })),
  priority: Type.Optional(Type.Number({ description: "a queued entry's own priority" })),
  effectivePriority: Type.Optional(Type.Number({ description: 'its priority plus one level per ageing step waited' })),
  waitedMs: Type.Optional(Type.Integer({ description: 'milliseconds it has waited since its request' })),
});

/** DESIGN §7 `Why` with ISO times. */
export const WhySchema = Type.Object({
  target: TargetName,
  state: Type.String({ description: 'state of the target actor, e.g. idle, running.applying, paused' }),
  reasons: Type.Array(WhyReasonSchema, { description: 'most immediate first' }),
});

/** `GET /api/sync/:service/why` body. */
export const WhyBody = Type.Object(
  { service: ServiceEnum, targets: Type.Array(WhySchema) },
  {
    examples: [
      {
        service: 'customers',
        targets: [
          {
            target: 'customers@default',
            state: 'idle',
            reasons: [
              {
                code: 'QUEUED',
                detail: 'position 1 in the queue; priority 3, effective 4 after waiting 640 s (one level per 600 s waited)',
                position: 1,
                priority: 3,
                effectivePriority: 4,
                waitedMs: 640000,
              },
              { code: 'MUTEX_HELD', detail: 'account default is busy with orders@default', by: ['orders@default'] },
            ],
          },
        ],
      },
    ],
  },
);

export type _WhyReasonMatches = Assert<Same<Static<typeof WhyReasonSchema>, IsoTimes<WhyReason>>>;
export type _WhyMatches = Assert<Same<Static<typeof WhySchema>, IsoTimes<Why>>>;
