import fp from 'fastify-plugin';
import type { FastifySchema, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';

/**
 * Request validation: TypeBox's compiler (the same schemas give the static types) and one readable line
 * per problem, e.g. `body/intervalMinutes must be >= 5` or `body/colour is not allowed (unknown field)`.
 *
 * Why not fastify's default AJV: its defaults remove unknown fields silently (`removeAdditional`) and
 * coerce body types (`"7"` → 7). TypeBox's compiler never changes a body and never drops a field, while it
 * still converts querystring and params (`?limit=20` → 20), which are strings by nature — strictly:
 * TypeBox's conversion would also read `1.5` as the integer 1 and `0x10` as 16, so numeric fields are
 * taken only when written as plain decimals, and anything else is left as the string it was, for the
 * check to refuse (`querystring/limit must be integer`).
 */
export default fp(
  async function validation(app) {
    app.setValidatorCompiler(strictValidatorCompiler);
    app.setSchemaErrorFormatter((errors, dataVar) => new Error(formatValidationErrors(errors, dataVar)));
  },
  { name: 'validation', fastify: '5.x' },
);

/** How a number must be written in a querystring or a path to be read as one. */
const DECIMAL: Record<string, RegExp> = { integer: /^-?[0-9]+$/, number: /^-?[0-9]+(\.[0-9]+)?$/ };

/** TypeBox's compiler, with numeric strings of a querystring or path read only when written as decimals. */
const strictValidatorCompiler: FastifySchemaCompiler<FastifySchema> = (route) => {
  const validate = TypeBoxValidatorCompiler(route as Parameters<typeof TypeBoxValidatorCompiler>[0]);
  if (route.httpPart === 'body') return validate;
  const properties = (route.schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  const numeric = Object.entries(properties).flatMap(([key, field]) => (typeof field.type === 'string' && field.type in DECIMAL ? [[key, DECIMAL[field.type]!] as const] : []));
  if (numeric.length === 0) return validate;
  return (value) => {
    const raw = value as Record<string, unknown>;
    // A loosely written number is replaced by a marker the type check refuses (an object is never a number).
    const loose = numeric.filter(([key, pattern]) => typeof raw[key] === 'string' && !pattern.test(raw[key]));
    if (loose.length === 0) return validate(value);
    return validate({ ...raw, ...Object.fromEntries(loose.map(([key]) => [key, { written: raw[key] }])) });
  };
};

/** `part/path message` for every error, unknown fields named, duplicates and noise dropped. */
export function formatValidationErrors(errors: FastifySchemaValidationError[], dataVar: string): string {
  const lines = errors.flatMap((error) => describe(error, dataVar));
  return [...new Set(lines)].join('; ') || `${dataVar} is invalid`;
}

function describe(error: FastifySchemaValidationError, dataVar: string): string[] {
  const path = `${dataVar}${error.instancePath}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    // TypeBox reports an unknown field twice: as `additionalProperties` (with its name) and as the
    // `false` sub-schema it failed; the second one says nothing an operator can use.
    case 'boolean':
      return [];
    case 'additionalProperties':
      return names(params.additionalProperties ?? params.additionalProperty).map((name) => `${path}/${name} is not allowed (unknown field)`);
    case 'required':
      return names(params.requiredProperties ?? params.missingProperty).map((name) => `${path}/${name} is required`);
    case 'enum':
      return [`${path} must be one of ${names(params.allowedValues).join(', ')}`];
    default:
      return [`${path} ${error.message ?? 'is invalid'}`];
  }
}

function names(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return value === undefined ? [] : [String(value)];
}
