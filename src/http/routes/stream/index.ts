import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../errors.js';
import { logRequest } from '../../plugins/request-log.js';
import { PROTECTED_ERRORS, described, ErrorBody } from '../../schemas/common.js';
import { StreamClients, type StreamSettings } from './stream-clients.js';

const StreamQuery = Type.Object(
  {
    token: Type.Optional(Type.String({ description: 'the API token, for clients that cannot set `Authorization` (browsers)' })),
    since: Type.Optional(
      Type.Integer({ minimum: 0, description: 'the last `seq` received: the events after it are replayed, or a fresh `status` is sent when they are no longer kept' }),
    ),
    epoch: Type.Optional(
      Type.String({ pattern: '^[0-9a-f]{1,32}$', description: 'the `epoch` of the `status` message the client started from; another epoch means another process, so a fresh `status` is sent' }),
    ),
  },
  { additionalProperties: false },
);

type StreamQuery = Static<typeof StreamQuery>;

const DESCRIPTION = [
  'WebSocket (`Upgrade: websocket`). Authenticated before the upgrade: `Authorization: Bearer` or `?token=`; 401 otherwise.',
  '',
  'The first message is `{seq, type: "status", at, epoch, status}` with the full status of `GET /api/sync/status`; `seq` is the',
  'last event the status reflects (it does not take a number of its own). Then every event of the orchestrator as',
  '`{seq, type, at, …}` with `seq` increasing by one: `orchestrator.state`, `sync.queued`, `sync.started`, `sync.progress`,',
  '`sync.paused`, `sync.resumed`, `sync.completed`, `sync.failed`, `sync.skipped`, `lease.acquired`, `lease.released`,',
  '`schedule.updated`, `erp.circuit`, `resources.guard`, and `machine.transition` (a step of the root or of a target: actor, event, states',
  'before and after, the guards and reasons that decided; what the dashboard\'s inspector shows).',
  '',
  'Reconnect with `?since=<last seq>&epoch=<epoch>` to receive the missed events, or a fresh `status` when they are no',
  'longer kept. The server pings every client; one that misses a pong, or reads too slowly to keep its backlog bounded,',
  'is disconnected. Messages from clients are ignored and limited in size.',
].join('\n');

/** Options of the stream route. */
export interface StreamRouteOptions {
  settings: StreamSettings;
}

/**
 * `GET /api/sync/stream`: the live event stream. A plain GET (no upgrade) answers 426. Registered in
 * the protected scope, with `tokenInQuery` so that a browser can authenticate with `?token=`.
 */
const streamRoute: FastifyPluginAsyncTypebox<StreamRouteOptions> = async (app, options) => {
  const clients = new StreamClients(options.settings, app.log.child({ component: 'stream' }), app.metrics.registry);
  const stop = app.events.listen((event) => clients.broadcast(event));
  app.addHook('onClose', async () => {
    stop();
    clients.close();
  });

  app.route({
    method: 'GET',
    url: '/stream',
    config: { tokenInQuery: true },
    schema: {
      summary: 'Live event stream (WebSocket)',
      description: DESCRIPTION,
      tags: ['sync'],
      querystring: StreamQuery,
      response: {
        101: Type.Null({ description: 'Switching Protocols: the stream follows on the WebSocket' }),
        ...PROTECTED_ERRORS,
        426: described(ErrorBody, 'the request did not ask for a WebSocket upgrade'),
        503: described(ErrorBody, 'too many stream clients connected'),
      },
    },
    preHandler: async () => {
      if (clients.size >= options.settings.maxClients) throw new HttpError(503, `the stream serves at most ${options.settings.maxClients} clients`);
    },
    handler: async () => {
      throw new HttpError(426, 'this route is a WebSocket: connect with Upgrade: websocket', { upgrade: 'websocket' });
    },
    wsHandler: (socket, request) => {
      logRequest(request, 101);
      const log = request.log.child({ component: 'stream' });
      clients.add(socket, initialMessages(app, request.query as StreamQuery), log);
      log.debug({ clients: clients.size }, 'stream client connected');
    },
  });
};

/**
 * What a new client receives before the live events: the events it missed when it resumes within the
 * replay ring of the same epoch, else the full status. Read in the same tick as the client is added.
 */
function initialMessages(app: FastifyInstance, query: StreamQuery): string[] {
  const { events } = app;
  if (query.since !== undefined && (query.epoch === undefined || query.epoch === events.epoch)) {
    const missed = events.since(query.since);
    if (missed !== null) return missed.map((event) => JSON.stringify(event));
  }
  const status = app.orchestrator.status();
  return [JSON.stringify({ seq: events.lastSeq, type: 'status', at: status.now, epoch: events.epoch, status })];
}

export default streamRoute;
