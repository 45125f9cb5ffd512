import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { described } from '../../schemas/common.js';
import { HealthBody } from '../../schemas/health.js';

/** `GET /api/health`: public, so that a load balancer or a supervisor can probe it without the token. */
const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Service health',
        description: 'Data freshness, ERP circuit breaker and recent failures. No token needed.',
        tags: ['health'],
        // Public: no bearer token in the OpenAPI document either.
        security: [],
        response: {
          200: described(HealthBody, 'ok or degraded'),
          503: described(HealthBody, 'down'),
        },
      },
    },
    async (_request, reply) => {
      const health = app.orchestrator.health();
      return reply.code(health.status === 'down' ? 503 : 200).send(health);
    },
  );
};

export default healthRoutes;
