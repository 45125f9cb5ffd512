import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NOT_FOUND, PROTECTED_ERRORS } from '../../schemas/common.js';
import { ServiceParams, SyncAllBody, SyncRequestAccepted, SyncRequestBody } from '../../schemas/sync-request.js';
import { serviceOr404 } from '../../errors.js';
import { absentBodyAsEmpty } from '../../optional-body.js';

/**
 * `POST /api/sync/all` and `POST /api/sync/:service`. The static `all` route wins over the parameter
 * in fastify's router, so `all` is never read as a service name. Both bodies are optional.
 */
const requestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/all',
    {
      preValidation: absentBodyAsEmpty,
      schema: {
        summary: 'Request all six syncs',
        tags: ['sync'],
        body: SyncAllBody,
        response: { 202: SyncRequestAccepted, ...PROTECTED_ERRORS },
      },
    },
    async (request, reply) => reply.code(202).send(app.orchestrator.requestAll(request.body)),
  );

  app.post(
    '/:service',
    {
      preValidation: absentBodyAsEmpty,
      schema: {
        summary: 'Request one sync',
        description: 'Queues the service on one account, or on every account it runs on. A target already queued is coalesced.',
        tags: ['sync'],
        params: ServiceParams,
        body: SyncRequestBody,
        response: { 202: SyncRequestAccepted, ...PROTECTED_ERRORS, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const service = serviceOr404(request.params.service);
      return reply.code(202).send(app.orchestrator.request(service, request.body));
    },
  );
};

export default requestRoutes;
