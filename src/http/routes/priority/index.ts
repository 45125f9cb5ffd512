import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NOT_FOUND, PROTECTED_ERRORS } from '../../schemas/common.js';
import { LeaseGrantBody, LeaseParams, LeaseRequestBody, LeaseTimeoutBody } from '../../schemas/lease.js';
import { notFound } from '../../errors.js';

/** Options of the priority routes. */
export interface PriorityRoutesOptions {
  /** Longest a lease request waits for running targets in scope to pause before answering 503. */
  leaseWaitMs: number;
}

/**
 * `POST /api/priority/leases` and `DELETE /api/priority/leases/:id`: priority holds for user operations
 * in the ERP. The 201 comes only once nothing in scope is running; after `leaseWaitMs` the answer is a
 * 503 naming what did not pause (the runtime's `LeaseTimeoutError`, mapped by the error handler), and
 * nothing is held.
 */
const priorityRoutes: FastifyPluginAsyncTypebox<PriorityRoutesOptions> = async (app, options) => {
  app.post(
    '/leases',
    {
      schema: {
        summary: 'Take a priority lease',
        description: 'Pauses every running sync in scope at its next checkpoint and holds queued ones until released or expired.',
        tags: ['priority'],
        body: LeaseRequestBody,
        response: {
          201: LeaseGrantBody,
          ...PROTECTED_ERRORS,
          ...NOT_FOUND,
          503: LeaseTimeoutBody,
        },
      },
    },
    async (request, reply) => reply.code(201).send(await app.orchestrator.acquireLease(request.body, options.leaseWaitMs)),
  );

  app.delete(
    '/leases/:id',
    {
      schema: {
        summary: 'Release a priority lease',
        tags: ['priority'],
        params: LeaseParams,
        response: { 204: Type.Null({ description: 'released' }), ...PROTECTED_ERRORS, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      if (!app.orchestrator.releaseLease(request.params.id)) throw notFound(`no lease ${JSON.stringify(request.params.id)} is held`);
      return reply.code(204).send(null);
    },
  );
};

export default priorityRoutes;
