import type { IncomingMessage } from 'node:http';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { CredentialCheck } from '../credentials.js';

/** Rate limit of the mutating routes. */
export interface RateLimitSettings {
  /** Requests per client address per window. */
  max: number;
  timeWindowMs: number;
}

/**
 * An operator clicks a few times a minute and a client app takes a lease per ERP operation; 60 a minute
 * leaves room for both while stopping a runaway script from flooding the orchestrator with requests.
 */
export const DEFAULT_RATE_LIMIT: RateLimitSettings = { max: 60, timeWindowMs: 60_000 };

/** Reads never change anything and the dashboard polls some of them: only writes are limited. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A Host header that can be echoed into a CSP source expression (no spaces, quotes or semicolons). */
const PLAIN_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * Security headers (helmet) and the rate limit of mutating routes (`POST`/`DELETE` → 429 with
 * `retry-after` beyond the limit, through the app's error handler). Each address has two budgets of
 * `max` requests: one for requests that present the valid token, one for all the others (missing,
 * malformed or wrong tokens, unknown routes), so that guessing is slowed down without ever spending the
 * budget of the token holder behind the same address (a NAT, a reverse proxy, the same laptop).
 *
 * The CSP lets the dashboard load only its own scripts and styles and connect only to this origin,
 * WebSocket included. `'self'` covers same-origin `ws:` in current browsers; the explicit `ws://host`
 * is for the ones that read CSP level 2 literally. `upgrade-insecure-requests` is left out: the service
 * is usually reached over plain HTTP on a LAN or loopback, where upgrading would break every request.
 */
export default fp(
  async function security(app, options: { rateLimit: RateLimitSettings; credential: CredentialCheck }) {
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'", sameHostWebSocket],
          'frame-ancestors': ["'none'"],
          'form-action': ["'self'"],
          'upgrade-insecure-requests': null,
        },
      },
      // Same reason as upgrade-insecure-requests: HSTS on a plain-HTTP service is noise at best.
      strictTransportSecurity: false,
    });
    await app.register(rateLimit, {
      global: false,
      max: options.rateLimit.max,
      timeWindow: options.rateLimit.timeWindowMs,
      allowList: (request) => SAFE_METHODS.has(request.method),
      keyGenerator: (request) => (options.credential(request) === 'valid' ? request.ip : `${request.ip} unauthenticated`),
    });
    // An app-level hook rather than the plugin's per-route one: route hooks run after the bearer check,
    // so refused attempts (401) and unknown routes (404) would not count, and flooding them would be free.
    const limit = app.rateLimit();
    app.addHook('onRequest', async (request, reply) => limit.call(app, request, reply));
  },
  { name: 'security', fastify: '5.x' },
);

function sameHostWebSocket(request: IncomingMessage): string {
  const host = request.headers.host ?? '';
  return PLAIN_HOST.test(host) ? `ws://${host} wss://${host}` : "'self'";
}
