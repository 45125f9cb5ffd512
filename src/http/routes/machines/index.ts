import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { machineStructures } from '../../../runtime/machine-structure.js';
import { PROTECTED_ERRORS, described } from '../../schemas/common.js';
import { MachinesBody } from '../../schemas/machines.js';

/**
 * `GET /api/machines`: the state trees of the root statechart and of the per-target machine, read from
 * their definitions, so that the dashboard's inspector can draw them without the hosted Stately inspector.
 * The active states come from the status and the stream (`machine.transition`).
 */
const machineRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/machines',
    {
      schema: {
        summary: 'State trees of the statecharts',
        description: "Every state of the root (`orchestrator`) and of a target's machine (`syncTarget`), with descriptions and declared transitions and guards.",
        tags: ['sync'],
        response: { 200: described(MachinesBody, 'the root and the target machine'), ...PROTECTED_ERRORS },
      },
    },
    async () => machineStructures(),
  );
};

export default machineRoutes;
