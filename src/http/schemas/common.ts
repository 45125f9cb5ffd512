import { Type, type TSchema } from 'typebox';
import { FAILURE_CLASSES } from '../../../machines/index.js';
import { exportNames } from '../../exports/registry.js';

/**
 * Building blocks shared by the route schemas. Request schemas reject unknown fields
 * (`additionalProperties: false`); response schemas describe exactly what the port returns, and feed
 * the OpenAPI document of a later issue.
 */

/** An ISO-8601 instant (the machines keep epoch ms; the runtime converts at the port). */
export const IsoTime = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });

/** An ISO-8601 instant or `null` when there is none. */
export const NullableIsoTime = (description?: string) => Type.Union([IsoTime(), Type.Null()], description ? { description } : {});

/** A copy of `schema` with its own `description` (a response or a field documented where it is used). */
export function described<T extends TSchema>(schema: T, description: string): T {
  return { ...schema, description };
}

/** `T | null`. */
export const Nullable = <T extends TSchema>(schema: T, description?: string) =>
  Type.Union([schema, Type.Null()], description ? { description } : {});

/** A service as the API returns it. */
export const ServiceEnum = Type.Enum(exportNames(), { description: 'one of the six syncs' });

/**
 * A service as a client names it. Deliberately a plain string rather than an enum: an unknown service is
 * a missing resource (404, listing the services) on every route, not a malformed request (400).
 */
export const ServiceName = Type.String({ minLength: 1, maxLength: 64, description: `one of ${exportNames().join(', ')}`, examples: ['orders'] });

/** Same rule as `ERP_ACCOUNTS` names in `src/config.ts`: they end up in target ids and file names. */
export const AccountName = Type.String({
  pattern: '^[A-Za-z0-9._-]{1,64}$',
  description: 'an ERP account name as configured in ERP_USERNAME / ERP_ACCOUNTS',
  examples: ['default'],
});

/** `service@account`. */
export const TargetName = Type.String({ description: 'a target, `service@account`', examples: ['orders@default'] });

/** Queue priority of a request; higher runs first (catalog defaults are 1–4). */
export const Priority = Type.Integer({ minimum: 0, maximum: 10, description: 'queue priority, higher runs first (defaults 1–4)' });

export const TriggerEnum = Type.Enum(['schedule', 'manual', 'chained', 'catch-up', 'retry'], { description: 'why the run was requested' });

export const PhaseEnum = Type.Enum(['downloading', 'parsing', 'applying', 'finalizing']);

export const FailureClassEnum = Type.Enum(FAILURE_CLASSES, { description: 'decides retry and breaker behaviour' });

/** DESIGN §7 `Run.stats`. */
export const RunStats = Type.Object({
  parsed: Type.Integer(),
  inserted: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  deleted: Type.Integer(),
  orphans: Type.Integer(),
  unlinked: Type.Integer(),
  footer: Type.Optional(Type.String({ description: "the export's summary footer and its checks, in one line" })),
  layoutDrift: Type.Optional(
    Type.Object(
      {
        missingFields: Type.Array(Type.String(), { description: 'optional fields the export had no column for: their stored values were kept' }),
        unknownColumns: Type.Array(Type.String(), { description: 'headers that matched no field (kept in `extra`)' }),
      },
      { description: "present when the export's columns differed from its table's (a hidden or renamed column)" },
    ),
  ),
});

/** A classified failure. */
export const RunError = Type.Object({ class: FailureClassEnum, message: Type.String() });

/** The uniform error body of every non-2xx answer. */
export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer({ examples: [400] }),
    error: Type.String({ description: 'the HTTP reason phrase', examples: ['Bad Request'] }),
    message: Type.String({ description: 'what was wrong, readable', examples: ['body/intervalMinutes must be >= 5'] }),
  },
  { description: 'error' },
);

/** Error responses most protected routes can give. */
export const PROTECTED_ERRORS = {
  400: described(ErrorBody, 'invalid request: unknown field, wrong type or value out of range'),
  401: described(ErrorBody, 'missing, malformed or invalid bearer token'),
};

/** Error response of routes that name a service or another resource. */
export const NOT_FOUND = { 404: described(ErrorBody, 'unknown service, account or resource') };

/** Compile-time proof that a schema and a port type describe the same shape (both ways). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails `tsc` unless `T` is `true`. */
export type Assert<T extends true> = T;
