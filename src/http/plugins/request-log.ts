import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { maskedUrl } from '../credentials.js';

/**
 * One log line per request, when its answer is sent: method, URL (token masked), status and duration.
 * Fastify's own request logging (a line when it arrives and another when it completes) is turned off
 * in `buildApp`: two lines per request buried the lines that matter.
 */
export default fp(
  async function requestLog(app) {
    app.addHook('onResponse', async (request, reply) => logRequest(request, reply.statusCode, reply.elapsedTime));
  },
  { name: 'request-log', fastify: '5.x' },
);

/**
 * The line of one request. Also called by the stream route for an accepted WebSocket upgrade, whose
 * reply is taken over by the WebSocket and never reaches `onResponse`.
 */
export function logRequest(request: FastifyRequest, statusCode: number, elapsedMs?: number): void {
  const ms = elapsedMs === undefined ? undefined : Math.round(elapsedMs);
  const line = `${request.method} ${maskedUrl(request.url)} ${statusCode}${ms === undefined ? '' : ` ${ms} ms`}`;
  // `req` goes through the app's request serializer, which masks the token in the URL it logs.
  request.log.info({ req: request, statusCode, ...(ms === undefined ? {} : { ms }) }, line);
}
