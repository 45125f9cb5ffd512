import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PROTECTED_ERRORS } from '../../schemas/common.js';

/** `GET /metrics`: the Prometheus text exposition (protected by the scope that registers it). */
const metricsRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        description:
          'Text exposition format 0.0.4: runs by service and outcome, run and phase durations, rows changed, skips, queue length, ' +
          'root region states, leases and their hold time, pause latency, ERP breaker, stream clients, event-loop delay and memory.',
        tags: ['operations'],
        produces: ['text/plain'],
        response: {
          200: Type.String({
            description: 'Prometheus text format',
            examples: ['# HELP sync_queue_length Entries waiting in the queue.\n# TYPE sync_queue_length gauge\nsync_queue_length 1\n'],
          }),
          401: PROTECTED_ERRORS[401],
        },
      },
    },
    async (_request, reply) => {
      const status = app.orchestrator.status();
      app.metrics.refresh(status);
      return reply.type(app.metrics.contentType).send(await app.metrics.exposition());
    },
  );
};

export default metricsRoute;
