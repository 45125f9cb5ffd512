import fp from 'fastify-plugin';
import type { FastifySchemaValidationError } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';

/**
 * Request validation: TypeBox's compiler (the same schemas give the static types) and one readable line
 * per problem, e.g. `body/intervalMinutes must be >= 5` or `body/colour is not allowed (unknown field)`.
 *
 * Why not fastify's default AJV: its defaults remove unknown fields silently (`removeAdditional`) and
 * coerce body types (`"7"` → 7). TypeBox's compiler never changes a body and never drops a field, while it
 * still converts querystring and params (`?limit=20` → 20), which are strings by nature.
 */
export default fp(
  async function validation(app) {
    app.setValidatorCompiler(TypeBoxValidatorCompiler);
    app.setSchemaErrorFormatter((errors, dataVar) => new Error(formatValidationErrors(errors, dataVar)));
  },
  { name: 'validation', fastify: '5.x' },
);

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
