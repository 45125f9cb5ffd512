import fp from 'fastify-plugin';
import type { OrchestratorPort } from '../../runtime/orchestrator-port.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The running orchestrator, as the port the routes may call. */
    orchestrator: OrchestratorPort;
  }
}

/**
 * Makes the orchestrator reachable from every route as `app.orchestrator`. The runtime is created and
 * closed by the process entry (`src/server.ts`), which owns its lifetime; the app only borrows its port.
 */
export default fp(
  async function orchestrator(app, options: { orchestrator: OrchestratorPort }) {
    app.decorate('orchestrator', options.orchestrator);
  },
  { name: 'orchestrator', fastify: '5.x' },
);
