import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PROTECTED_ERRORS } from '../../schemas/common.js';
import { StatusBody } from '../../schemas/status.js';

/** `GET /api/sync/status`. */
const statusRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/status',
    {
      schema: {
        summary: 'Orchestrator status',
        description: 'Root state, running targets with phase and progress, the queue with its reasons, leases, per-target state, last runs, next due times and the ERP breaker.',
        tags: ['sync'],
        response: { 200: StatusBody, 401: PROTECTED_ERRORS[401] },
      },
    },
    async () => app.orchestrator.status(),
  );
};

export default statusRoute;
