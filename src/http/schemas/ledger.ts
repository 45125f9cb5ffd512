import { Type, type Static } from 'typebox';
import type { RunView, SkipView } from '../../runtime/orchestrator-port.js';
import {
  AccountName,
  IsoTime,
  NullableIsoTime,
  Nullable,
  RunStats,
  ServiceEnum,
  ServiceName,
  TargetName,
  TriggerEnum,
  type Assert,
  type Same,
} from './common.js';

/** `GET /api/sync/runs` and `/skips` query. */
export const LedgerQuery = Type.Object(
  {
    service: Type.Optional(ServiceName),
    account: Type.Optional(AccountName),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'newest first, at most this many' })),
  },
  { additionalProperties: false },
);

/** Rows returned when the query gives no `limit`. */
export const DEFAULT_LEDGER_LIMIT = 50;

/** DESIGN §7 `Run`. */
export const RunViewSchema = Type.Object({
  id: Type.Integer(),
  target: TargetName,
  service: ServiceEnum,
  account: Type.String(),
  trigger: TriggerEnum,
  outcome: Type.Enum(['running', 'completed', 'failed', 'paused', 'cancelled']),
  startedAt: IsoTime(),
  finishedAt: NullableIsoTime(),
  phases: Type.Object(
    { downloading: Type.Number(), parsing: Type.Number(), applying: Type.Number(), finalizing: Type.Number() },
    { description: 'milliseconds spent in each phase' },
  ),
  stats: RunStats,
  flags: Type.Array(Type.String(), { description: 'notes such as a skipped soft delete' }),
  // `RunView.error.class` is a plain string in the port, not the machines' FailureClass.
  error: Nullable(Type.Object({ class: Type.String({ examples: ['erp-unreachable'] }), message: Type.String() })),
});

/** DESIGN §7 `Skip`. */
export const SkipViewSchema = Type.Object({
  at: IsoTime(),
  target: TargetName,
  trigger: TriggerEnum,
  reason: Type.String({ examples: ['COALESCED'] }),
  detail: Type.String(),
});

export const RunsBody = Type.Object(
  { runs: Type.Array(RunViewSchema) },
  {
    examples: [
      {
        runs: [
          {
            id: 42,
            target: 'orders@default',
            service: 'orders',
            account: 'default',
            trigger: 'schedule',
            outcome: 'completed',
            startedAt: '2025-11-28T18:00:00.000Z',
            finishedAt: '2025-11-28T18:00:41.000Z',
            phases: { downloading: 21000, parsing: 9000, applying: 10000, finalizing: 1000 },
            stats: { parsed: 4210, inserted: 3, updated: 12, unchanged: 4195, deleted: 0, orphans: 0, unlinked: 0 },
            flags: [],
            error: null,
          },
        ],
      },
    ],
  },
);

export const SkipsBody = Type.Object(
  { skips: Type.Array(SkipViewSchema) },
  {
    examples: [
      {
        skips: [
          { at: '2025-11-28T18:01:00.000Z', target: 'ddt@default', trigger: 'chained', reason: 'NO_PARENT_CHANGES', detail: 'orders@default reported no changes' },
        ],
      },
    ],
  },
);

export type _RunViewMatches = Assert<Same<Static<typeof RunViewSchema>, RunView>>;
export type _SkipViewMatches = Assert<Same<Static<typeof SkipViewSchema>, SkipView>>;
