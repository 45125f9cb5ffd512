import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Also accept the token as `?token=` (the WebSocket stream: a browser cannot set headers on a
     * WebSocket). The `Authorization` header still wins when both are present.
     */
    tokenInQuery?: boolean;
  }
}

/**
 * `Authorization: Bearer <API_TOKEN>` on every route of the scope this plugin is registered in (it is
 * wrapped with `fastify-plugin`, so its hook belongs to the registering scope, not to a scope of its own).
 * Runs at `onRequest`, before any body is read and before a WebSocket upgrade.
 */
export default fp(
  async function bearerAuth(app, options: { token: string }) {
    // Both sides are compared as SHA-256 digests: equal-length buffers for `timingSafeEqual`, and the
    // comparison time does not reveal the token's length either.
    const expected = digest(options.token);
    app.addHook('onRequest', async (request) => {
      const presented = bearerToken(request.headers.authorization) ?? queryToken(request);
      if (presented === null) throw unauthorized('missing bearer token', 'Bearer');
      if (!timingSafeEqual(digest(presented), expected)) throw unauthorized('invalid token', 'Bearer error="invalid_token"');
    });
  },
  { name: 'bearer-auth', fastify: '5.x' },
);

/** The token of an `Authorization: Bearer …` header (scheme case-insensitive, RFC 7235), else null. */
function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer +([^\s]+) *$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/** `?token=` on routes that allow it (see `tokenInQuery`), else null. */
function queryToken(request: FastifyRequest): string | null {
  if (request.routeOptions.config.tokenInQuery !== true) return null;
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' && token !== '' ? token : null;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function unauthorized(message: string, challenge: string): HttpError {
  return new HttpError(401, message, { 'www-authenticate': challenge });
}
