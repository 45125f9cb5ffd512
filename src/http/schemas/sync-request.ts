import { Type, type Static } from 'typebox';
import type { SyncRequestResult } from '../../runtime/orchestrator-port.js';
import { AccountName, Priority, ServiceName, TargetName, described, type Assert, type Same } from './common.js';

/** `POST /api/sync/:service` params. */
export const ServiceParams = Type.Object({ service: ServiceName }, { additionalProperties: false });

const Force = Type.Boolean({
  description:
    'run a chained service (ddt, invoices, prices) even when its parent is pending; without it the request rides on the parent and runs only if the parent reports changes',
});

/** `POST /api/sync/:service` body (optional as a whole). */
export const SyncRequestBody = Type.Object(
  {
    account: Type.Optional(described(AccountName, 'one account; every account of the service when absent')),
    priority: Type.Optional(Priority),
    force: Type.Optional(Force),
  },
  { additionalProperties: false, examples: [{ account: 'default', priority: 6 }, { force: true }] },
);

/** `POST /api/sync/all` body (optional as a whole). */
export const SyncAllBody = Type.Object(
  { priority: Type.Optional(Priority), force: Type.Optional(Force) },
  { additionalProperties: false, examples: [{ priority: 5 }, { force: true }] },
);

/** `202` body of both sync requests. */
export const SyncRequestAccepted = Type.Object(
  {
    queued: Type.Array(
      Type.Object({
        target: TargetName,
        position: Type.Integer({ description: '1-based position in the queue' }),
        coalesced: Type.Boolean({ description: 'merged into an entry that was already queued' }),
      }),
    ),
  },
  { description: 'the requests were queued', examples: [{ queued: [{ target: 'orders@default', position: 1, coalesced: false }] }] },
);

export type _SyncRequestMatches = Assert<Same<Static<typeof SyncRequestAccepted>, SyncRequestResult>>;
