import { Type, type Static } from 'typebox';
import type { HealthView } from '../../runtime/orchestrator-port.js';
import type { Assert, Same } from './common.js';

const HealthStatus = Type.Enum(['ok', 'degraded', 'down']);

/** `GET /api/health` body (200 when ok or degraded, 503 when down). */
export const HealthBody = Type.Object(
  {
    status: HealthStatus,
    checks: Type.Record(Type.String(), Type.Object({ status: HealthStatus, detail: Type.String() }), {
      description: 'one entry per check: data freshness, ERP circuit breaker, recent failures',
    }),
  },
  {
    examples: [
      {
        status: 'degraded',
        checks: {
          breaker: { status: 'ok', detail: 'ERP circuit closed' },
          freshness: { status: 'degraded', detail: 'orders@default last completed 3 h ago' },
        },
      },
    ],
  },
);

export type _HealthMatches = Assert<Same<Static<typeof HealthBody>, HealthView>>;
