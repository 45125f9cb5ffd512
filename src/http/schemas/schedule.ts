import { Type, type Static } from 'typebox';
import type { ScheduleView } from '../../runtime/orchestrator-port.js';
import { NullableIsoTime, ServiceEnum, ServiceName, type Assert, type Same } from './common.js';

const Missed = Type.Enum(['skip', 'once'], { description: 'on restore, a slot missed while down is skipped or run once' });

/** One service's schedule. */
export const ScheduleViewSchema = Type.Object(
  {
    service: ServiceEnum,
    chainedAfter: Type.Union([ServiceEnum, Type.Null()], {
      description: 'the service this one runs after when it reports changes; its interval is then a safety interval',
    }),
    intervalMinutes: Type.Union([Type.Number(), Type.Null()], {
      description: 'minutes between runs (chained: at most this long without a run); null: no timer of its own',
    }),
    offsetMinutes: Type.Number({ description: 'delay of the first slot after boot (staggers services)' }),
    enabled: Type.Boolean(),
    missed: Missed,
    nextDueAt: Type.Record(Type.String(), NullableIsoTime(), { description: 'next due time per target' }),
  },
  {
    examples: [
      { service: 'orders', chainedAfter: null, intervalMinutes: 60, offsetMinutes: 0, enabled: true, missed: 'once', nextDueAt: { 'orders@default': '2025-11-28T19:00:00.000Z' } },
    ],
  },
);

/** `GET /api/sync/schedule` body. */
export const SchedulesBody = Type.Object({ schedules: Type.Array(ScheduleViewSchema) });

/** `POST /api/sync/schedule` body: only `service` is required. */
export const ScheduleUpdateBody = Type.Object(
  {
    service: ServiceName,
    intervalMinutes: Type.Optional(
      Type.Integer({ minimum: 5, maximum: 1440, description: 'minutes between runs; for a chained service, its safety interval' }),
    ),
    offsetMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440, description: 'delay of the first slot after boot' })),
    enabled: Type.Optional(Type.Boolean()),
    missed: Type.Optional(Missed),
  },
  { additionalProperties: false, examples: [{ service: 'customers', intervalMinutes: 30, offsetMinutes: 15 }] },
);

export type _ScheduleMatches = Assert<Same<Static<typeof ScheduleViewSchema>, ScheduleView>>;
