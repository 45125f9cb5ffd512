import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NOT_FOUND, PROTECTED_ERRORS, described } from '../../schemas/common.js';
import { ScheduleUpdateBody, ScheduleViewSchema, SchedulesBody } from '../../schemas/schedule.js';
import { badRequest, serviceOr404 } from '../../errors.js';

/** `GET /api/sync/schedule` and `POST /api/sync/schedule`. */
const scheduleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/schedule',
    {
      schema: {
        summary: 'Schedules of the six services',
        tags: ['schedule'],
        response: { 200: SchedulesBody, 401: PROTECTED_ERRORS[401] },
      },
    },
    async () => ({ schedules: app.orchestrator.schedules() }),
  );

  app.post(
    '/schedule',
    {
      schema: {
        summary: "Change one service's schedule",
        description: 'Only `service` is required; the change is persisted and re-arms the next due times.',
        tags: ['schedule'],
        body: ScheduleUpdateBody,
        response: { 200: described(ScheduleViewSchema, 'the updated schedule'), ...PROTECTED_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      // `service` is a plain string in the body schema rather than an enum so that an unknown service is
      // a 404 listing the services, as on every other route, instead of a 400 from the schema.
      const service = serviceOr404(request.body.service);
      try {
        return app.orchestrator.updateSchedule({ ...request.body, service });
      } catch (err) {
        // The runtime's RangeError is a rule the schema cannot express (e.g. a service without a timer).
        if (err instanceof RangeError) throw badRequest(err.message);
        throw err;
      }
    },
  );
};

export default scheduleRoutes;
