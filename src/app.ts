import { readFileSync } from 'node:fs';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { credentialCheck, maskedUrl } from './http/credentials.js';
import bearerAuth from './http/plugins/bearer-auth.js';
import contentType from './http/plugins/content-type.js';
import dashboard from './http/plugins/dashboard.js';
import docs from './http/plugins/docs.js';
import errorHandler, { frameworkErrors } from './http/plugins/error-handler.js';
import eventJournal from './http/plugins/event-journal.js';
import metrics from './http/plugins/metrics.js';
import requestLog from './http/plugins/request-log.js';
import orchestratorPlugin from './http/plugins/orchestrator.js';
import security, { DEFAULT_RATE_LIMIT, type RateLimitSettings } from './http/plugins/security.js';
import validation from './http/plugins/validation.js';
import healthRoutes from './http/routes/health/index.js';
import machineRoutes from './http/routes/machines/index.js';
import metricsRoute from './http/routes/metrics/index.js';
import priorityRoutes from './http/routes/priority/index.js';
import streamRoute from './http/routes/stream/index.js';
import { DEFAULT_STREAM_SETTINGS, type StreamSettings } from './http/routes/stream/stream-clients.js';
import syncRoutes from './http/routes/sync/index.js';
import type { OrchestratorPort } from './runtime/orchestrator-port.js';
import { DEFAULT_LEASE_WAIT_MS } from './runtime/leases.js';

/** What the HTTP app needs from the process. */
export interface AppDeps {
  /** The running orchestrator; the caller owns it (creates it before, closes it after the app). */
  orchestrator: OrchestratorPort;
  config: Config;
  /** A pino logger to log through, `true` for a new one at `config.logLevel`, `false`/absent for none. */
  logger?: Logger | boolean;
  /** Longest `POST /api/priority/leases` waits for running targets to pause before answering 503. */
  leaseWaitMs?: number;
  /** Tuning of the WebSocket stream (heartbeat, replay ring, slow-client bound); defaults in `DEFAULT_STREAM_SETTINGS`. */
  stream?: Partial<StreamSettings>;
  /** Rate limit of `POST`/`DELETE` routes per client address; default `DEFAULT_RATE_LIMIT`. */
  rateLimit?: RateLimitSettings;
  /** How long clients may take to send a request; defaults in `DEFAULT_HTTP_TIMEOUTS` (tests shorten them). */
  timeouts?: Partial<HttpTimeouts>;
}

/** The time limits of slow clients. */
export interface HttpTimeouts {
  /** A whole request, headers and body, must arrive within this (408 after it). */
  requestMs: number;
  /** How often Node checks the requests in progress against it: the 408 comes at most this late. */
  checkIntervalMs: number;
}

export { DEFAULT_LEASE_WAIT_MS };

/** Bodies are a handful of small fields; anything larger is a mistake or an attack. */
const BODY_LIMIT = 16 * 1024;

/**
 * Slow clients get 30 s to send a whole request (the service may run without a reverse proxy). Node
 * checks it every 30 s by default, and gives headers their own 60 s, which let a stalled request live
 * for a minute or more: both are aligned on the limit here.
 */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { requestMs: 30_000, checkIntervalMs: 1_000 };

/**
 * A path parameter longer than this is refused before routing (414). It is above the longest parameter
 * a schema allows (a lease id, 200), so that those get their validation message (400) first.
 */
const MAX_PARAM_LENGTH = 256;

/**
 * Idle socket timeout. It must outlast the longest quiet answer, a lease request waiting for a pause, or
 * the socket would be cut before the 201/503.
 */
const MIN_CONNECTION_TIMEOUT_MS = 60_000;

/** The bearer token must never reach a log line, whatever a serializer decides to include. */
const REDACT = ['req.headers.authorization', 'headers.authorization'];

/** `version` of package.json, shown in the OpenAPI document. */
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * Builds the HTTP control API (DESIGN §7) without listening: `src/server.ts` listens, tests `inject()`.
 * Public: `GET /api/health`, the dashboard at `/` and the API docs at `/docs`. Everything else, the
 * WebSocket stream and `/metrics` included, sits in scopes guarded by the bearer token.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const leaseWaitMs = deps.leaseWaitMs ?? DEFAULT_LEASE_WAIT_MS;
  const stream: StreamSettings = { ...DEFAULT_STREAM_SETTINGS, ...deps.stream };
  const timeouts: HttpTimeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...deps.timeouts };
  const credential = credentialCheck(deps.config.apiToken);
  const app = Fastify({
    ...loggerOptions(deps),
    // One line per request, from the request-log plugin, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    requestTimeout: timeouts.requestMs,
    http: { requestTimeout: timeouts.requestMs, headersTimeout: timeouts.requestMs, connectionsCheckingInterval: timeouts.checkIntervalMs },
    connectionTimeout: Math.max(MIN_CONNECTION_TIMEOUT_MS, leaseWaitMs * 2),
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(validation);
  await app.register(errorHandler);
  await app.register(contentType);
  await app.register(requestLog);
  await app.register(orchestratorPlugin, { orchestrator: deps.orchestrator });
  // Before any route: these plugins act through onRoute hooks (limits, OpenAPI, WebSocket handlers).
  await app.register(security, { rateLimit: deps.rateLimit ?? DEFAULT_RATE_LIMIT, credential });
  await app.register(docs, { version: VERSION });
  await app.register(websocket, { options: { maxPayload: stream.maxPayloadBytes }, preClose: closeStreamClients });
  await app.register(eventJournal, { replayCapacity: stream.replayCapacity });
  await app.register(metrics);

  await app.register(dashboard);
  await app.register(healthRoutes, { prefix: '/api' });
  await app.register(
    async function protectedScope(scope) {
      await scope.register(bearerAuth, { credential });
      await scope.register(syncRoutes, { prefix: '/sync' });
      await scope.register(streamRoute, { prefix: '/sync', settings: stream });
      await scope.register(priorityRoutes, { prefix: '/priority', leaseWaitMs });
      await scope.register(machineRoutes);
    },
    { prefix: '/api' },
  );
  await app.register(async function protectedOperations(scope) {
    await scope.register(bearerAuth, { credential });
    await scope.register(metricsRoute);
  });
  return app;
}

/**
 * Replaces @fastify/websocket's default pre-close, which closes sockets without a code (1005): 1001
 * "going away" tells a client the server is shutting down, so it reconnects with `?since=` later.
 */
function closeStreamClients(this: FastifyInstance, done: () => void): void {
  for (const client of this.websocketServer.clients) client.close(1001, 'server shutting down');
  this.websocketServer.close(() => done());
}

function loggerOptions(deps: AppDeps): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  const { logger = false } = deps;
  if (logger === false) return { logger: false };
  if (logger === true) return { logger: { level: deps.config.logLevel, redact: REDACT, serializers: { req: (req: LoggedRequest) => maskToken(requestSummary(req)) } } };
  const inherited = (logger as unknown as Record<symbol, { req?: (req: unknown) => unknown } | undefined>)[pino.symbols.serializersSym]?.req;
  const req = (request: LoggedRequest): unknown => maskToken(inherited === undefined ? requestSummary(request) : inherited(request));
  return { loggerInstance: logger.child({}, { redact: REDACT, serializers: { req } }) };
}

/** The request fields the `req` serializer reads (fastify hands it its `FastifyRequest`). */
interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** What fastify's own request serializer logs. */
function requestSummary(req: LoggedRequest) {
  return { method: req.method, url: req.url, host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

/**
 * The stream accepts the token as `?token=` (browsers cannot set headers on a WebSocket), so a request
 * URL may carry it; every logged URL has it replaced, whichever serializer produced the line.
 */
function maskToken<T>(summary: T): T {
  if (summary === null || typeof summary !== 'object' || typeof (summary as { url?: unknown }).url !== 'string') return summary;
  return { ...summary, url: maskedUrl((summary as unknown as { url: string }).url) };
}
