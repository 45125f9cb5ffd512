import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import bearerAuth from './http/plugins/bearer-auth.js';
import errorHandler from './http/plugins/error-handler.js';
import runtimePlugin from './http/plugins/runtime.js';
import validation from './http/plugins/validation.js';
import healthRoutes from './http/routes/health/index.js';
import priorityRoutes from './http/routes/priority/index.js';
import syncRoutes from './http/routes/sync/index.js';
import type { OrchestratorRuntime } from './runtime/runtime-port.js';

/** What the HTTP app needs from the process. */
export interface AppDeps {
  /** The running orchestrator; the caller owns it (creates it before, closes it after the app). */
  runtime: OrchestratorRuntime;
  config: Config;
  /** A pino logger to log through, `true` for a new one at `config.logLevel`, `false`/absent for none. */
  logger?: Logger | boolean;
  /** Longest `POST /api/priority/leases` waits for running targets to pause before answering 503. */
  leaseWaitMs?: number;
}

/** A lease request waits this long for the running sync to reach a checkpoint (batches take well under a second). */
export const DEFAULT_LEASE_WAIT_MS = 10_000;

/** Bodies are a handful of small fields; anything larger is a mistake or an attack. */
const BODY_LIMIT = 16 * 1024;

/** Slow clients get this long to send a whole request (the service may run without a reverse proxy). */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Idle socket timeout. It must outlast the longest quiet answer, a lease request waiting for a pause, or
 * the socket would be cut before the 201/503.
 */
const MIN_CONNECTION_TIMEOUT_MS = 60_000;

/** The bearer token must never reach a log line, whatever a serializer decides to include. */
const REDACT = ['req.headers.authorization', 'headers.authorization'];

/**
 * Builds the HTTP control API (DESIGN §7) without listening: `src/server.ts` listens, tests `inject()`.
 * `GET /api/health` is public; everything else sits in a scope guarded by the bearer token.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const leaseWaitMs = deps.leaseWaitMs ?? DEFAULT_LEASE_WAIT_MS;
  const app = Fastify({
    ...loggerOptions(deps),
    bodyLimit: BODY_LIMIT,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: Math.max(MIN_CONNECTION_TIMEOUT_MS, leaseWaitMs * 2),
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(validation);
  await app.register(errorHandler);
  await app.register(runtimePlugin, { runtime: deps.runtime });

  await app.register(healthRoutes, { prefix: '/api' });
  await app.register(
    async function protectedScope(scope) {
      await scope.register(bearerAuth, { token: deps.config.apiToken });
      await scope.register(syncRoutes, { prefix: '/sync' });
      await scope.register(priorityRoutes, { prefix: '/priority', leaseWaitMs });
    },
    { prefix: '/api' },
  );
  return app;
}

function loggerOptions(deps: AppDeps): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  const { logger = false } = deps;
  if (logger === false) return { logger: false };
  if (logger === true) return { logger: { level: deps.config.logLevel, redact: REDACT } };
  return { loggerInstance: logger.child({}, { redact: REDACT }) };
}
