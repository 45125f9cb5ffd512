import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';

/** `src/dashboard/`: plain files, no build step. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/', import.meta.url));

/**
 * The operator dashboard at `/` (`index.html`, `app.js`, `inspector.js`, `style.css`). Public like `/api/health`: the
 * page holds no data; it asks for the token and sends it with every call it makes.
 */
export default fp(
  async function dashboard(app) {
    await app.register(fastifyStatic, {
      root: DASHBOARD_DIR,
      prefix: '/',
      // Only the files present at start are routes; anything else under / is a 404, not a file lookup.
      wildcard: false,
      index: ['index.html'],
      decorateReply: false,
      // Assets change with the code, not at runtime: revalidate with the ETag on every load.
      cacheControl: true,
      maxAge: 0,
    });
  },
  { name: 'dashboard', fastify: '5.x' },
);
