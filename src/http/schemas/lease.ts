import { Type, type Static } from 'typebox';
import type { LeaseGrant } from '../../runtime/orchestrator-port.js';
import { AccountName, ErrorBody, IsoTime, TargetName, described, type Assert, type Same } from './common.js';

/** `POST /api/priority/leases` body. */
export const LeaseRequestBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 200, description: 'what the user is doing, shown in status and why' }),
    ttlMs: Type.Optional(
      Type.Integer({ minimum: 1000, maximum: 3_600_000, description: 'the lease expires by itself after this (default 5 minutes)' }),
    ),
    account: Type.Optional(described(AccountName, 'the account to hold; every account when absent')),
  },
  { additionalProperties: false, examples: [{ reason: 'creating order for customer 1042', ttlMs: 120000, account: 'default' }] },
);

/** `201` body: every running target in scope has paused. */
export const LeaseGrantBody = Type.Object(
  {
    leaseId: Type.String(),
    pausedTargets: Type.Array(TargetName, { description: 'targets that paused at a checkpoint for this lease' }),
    waitedMs: Type.Number({ description: 'how long the grant waited for them' }),
    expiresAt: IsoTime('the lease is released by itself at this time'),
  },
  {
    description: 'lease granted; nothing in scope is running',
    examples: [{ leaseId: 'lease-7', pausedTargets: ['products@default'], waitedMs: 12, expiresAt: '2025-11-28T18:07:00.000Z' }],
  },
);

/** `503` body: the wait ran out, nothing is held. */
export const LeaseTimeoutBody = Type.Object(
  {
    ...ErrorBody.properties,
    notPaused: Type.Array(TargetName, { description: 'targets still running when the wait ran out' }),
  },
  { description: 'not every running target paused in time; the lease was released again' },
);

/** `DELETE /api/priority/leases/:id` params. */
export const LeaseParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

export type _LeaseGrantMatches = Assert<Same<Static<typeof LeaseGrantBody>, LeaseGrant>>;
