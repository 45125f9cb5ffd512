import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { LeaseTimeoutError, UnknownAccountError } from '../../runtime/orchestrator-port.js';
import { HttpError, reasonPhrase } from '../errors.js';

/**
 * One error body for every non-2xx answer: `{ error, message, statusCode }`, readable, never a stack.
 * Client errors (4xx) keep their message; server errors are logged with their stack and answered with a
 * generic message that names the request id to look for in the log.
 */
export default fp(
  async function errorHandler(app) {
    app.setErrorHandler(async (error: FastifyError | Error, request, reply) => answer(error, request, reply));
    app.setNotFoundHandler(async (request, reply) =>
      reply.code(404).send(body(404, `route ${request.method} ${request.url.split('?')[0]} not found`)),
    );
  },
  { name: 'error-handler', fastify: '5.x' },
);

/**
 * Fastify's `frameworkErrors`: the few errors raised before routing (a malformed URL, a path parameter
 * over the router's limit) get the same body as every other error instead of fastify's own, which says
 * "Bad Request" whatever the status.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // Fastify's message would echo the whole over-long path back.
  const readable = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? new HttpError(414, 'a path parameter is longer than this API accepts') : error;
  void answer(readable, request, reply);
}

function answer(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const { statusCode, message, headers, extra, unexpected } = classify(error);
  if (unexpected) request.log.error({ err: error }, 'request failed');
  const text = unexpected ? `internal error; see the service log for request ${request.id}` : message;
  return reply
    .code(statusCode)
    .headers(headers)
    .send({ ...body(statusCode, text), ...extra });
}

interface Classified {
  statusCode: number;
  message: string;
  headers: Record<string, string>;
  extra: Record<string, unknown>;
  /** A failure nobody anticipated: logged with its stack, answered without details. */
  unexpected: boolean;
}

function classify(error: FastifyError | Error): Classified {
  if (error instanceof HttpError) return { ...plain(error.statusCode, error.message), headers: error.headers, extra: error.extra };
  // The port's own failures: an account nothing runs on is a missing resource; a lease that could not
  // be granted in time is a temporary refusal naming what kept running.
  if (error instanceof UnknownAccountError) return plain(404, error.message);
  if (error instanceof LeaseTimeoutError) return { ...plain(503, error.message), extra: { notPaused: error.notPaused } };
  const statusCode = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  // Fastify's own 4xx (validation, body too large, bad JSON, unsupported media type) say what was wrong.
  if (statusCode >= 400 && statusCode < 500) return plain(statusCode, error.message);
  return { ...plain(statusCode >= 500 && statusCode < 600 ? statusCode : 500, error.message), unexpected: true };
}

function plain(statusCode: number, message: string): Classified {
  return { statusCode, message, headers: {}, extra: {}, unexpected: false };
}

function body(statusCode: number, message: string) {
  return { error: reasonPhrase(statusCode), message, statusCode };
}
