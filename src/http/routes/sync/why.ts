import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NOT_FOUND, PROTECTED_ERRORS } from '../../schemas/common.js';
import { ServiceParams } from '../../schemas/sync-request.js';
import { WhyBody } from '../../schemas/why.js';
import { serviceOr404 } from '../../errors.js';

/** `GET /api/sync/:service/why`. */
const whyRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:service/why',
    {
      schema: {
        summary: 'Why a service is (not) running',
        description: 'Reason codes from the live snapshot for every target of the service: RUNNING, MUTEX_HELD, QUEUED, LEASE, OPERATOR_PAUSE, PREEMPTED, BACKOFF, BREAKER_OPEN, RESOURCE_GUARD (concurrency stepped down or starts held under resource pressure), NEXT_DUE, DISABLED; and LAYOUT_DRIFT, a warning that the last export lacked columns (stored values kept) or had unknown ones.',
        tags: ['sync'],
        params: ServiceParams,
        response: { 200: WhyBody, ...PROTECTED_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const service = serviceOr404(request.params.service);
      return { service, targets: app.orchestrator.why(service) };
    },
  );
};

export default whyRoute;
