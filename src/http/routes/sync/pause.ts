import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PROTECTED_ERRORS } from '../../schemas/common.js';

const PauseBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 200, description: 'shown in status and why' }) },
  { additionalProperties: false, examples: [{ reason: 'ERP maintenance until 20:00' }] },
);

const Paused = (paused: boolean) =>
  Type.Object({ paused: Type.Literal(paused) }, { description: paused ? 'paused; runs stop at their next checkpoint' : 'resumed' });

/**
 * `POST /api/sync/pause` and `POST /api/sync/resume`: the operator pause of every account. 202 because
 * running syncs stop at their next checkpoint, after the answer.
 */
const pauseRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/pause',
    {
      schema: { summary: 'Pause every sync', tags: ['sync'], body: PauseBody, response: { 202: Paused(true), ...PROTECTED_ERRORS } },
    },
    async (request, reply) => {
      app.orchestrator.pause(request.body.reason);
      return reply.code(202).send({ paused: true });
    },
  );

  app.post(
    '/resume',
    { schema: { summary: 'Lift the operator pause', tags: ['sync'], response: { 202: Paused(false), ...PROTECTED_ERRORS } } },
    async (_request, reply) => {
      app.orchestrator.resume();
      return reply.code(202).send({ paused: false });
    },
  );
};

export default pauseRoutes;
