import fp from 'fastify-plugin';
import type { OrchestratorRuntime } from '../../runtime/runtime-port.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The running orchestrator, as the port the routes may call. */
    runtime: OrchestratorRuntime;
  }
}

/**
 * Makes the orchestrator reachable from every route as `app.runtime`. The runtime is created and closed
 * by the process entry (`src/server.ts`), which owns its lifetime; the app only borrows it.
 */
export default fp(
  async function runtime(app, options: { runtime: OrchestratorRuntime }) {
    app.decorate('runtime', options.runtime);
  },
  { name: 'runtime', fastify: '5.x' },
);
