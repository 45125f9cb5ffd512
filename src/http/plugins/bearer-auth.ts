import fp from 'fastify-plugin';
import type { Credential, CredentialCheck } from '../credentials.js';
import { HttpError } from '../errors.js';

/** The 401 of each refused credential: message and `WWW-Authenticate` challenge (RFC 6750 §3). */
const REFUSALS: Record<Exclude<Credential, 'valid'>, { message: string; challenge: string }> = {
  missing: { message: 'missing bearer token', challenge: 'Bearer' },
  malformed: { message: 'malformed bearer token: expected "Authorization: Bearer <token>" with the token alone', challenge: 'Bearer error="invalid_request"' },
  invalid: { message: 'invalid token', challenge: 'Bearer error="invalid_token"' },
};

/**
 * `Authorization: Bearer <API_TOKEN>` on every route of the scope this plugin is registered in (it is
 * wrapped with `fastify-plugin`, so its hook belongs to the registering scope, not to a scope of its own).
 * Runs at `onRequest`, before any body is read and before a WebSocket upgrade.
 */
export default fp(
  async function bearerAuth(app, options: { credential: CredentialCheck }) {
    app.addHook('onRequest', async (request) => {
      const credential = options.credential(request);
      if (credential === 'valid') return;
      const { message, challenge } = REFUSALS[credential];
      throw new HttpError(401, message, { 'www-authenticate': challenge });
    });
  },
  { name: 'bearer-auth', fastify: '5.x' },
);
