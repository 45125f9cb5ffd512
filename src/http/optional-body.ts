/**
 * A `preValidation` hook for routes whose body is optional as a whole: fastify validates an absent body
 * against the schema too, so an absent body is read as `{}` (a present one is validated as sent).
 */
export async function absentBodyAsEmpty(request: { body: unknown }): Promise<void> {
  if (request.body === undefined) request.body = {};
}
