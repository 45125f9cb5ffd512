import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';

/** Where the OpenAPI UI lives; the document itself is `${DOCS_PREFIX}/json`. */
export const DOCS_PREFIX = '/docs';

const DESCRIPTION = [
  'Control API of the sync orchestrator (DESIGN §7). Every route except `GET /api/health`, the dashboard and these',
  'docs needs `Authorization: Bearer <API_TOKEN>`; the WebSocket stream also accepts `?token=`.',
  'Times are ISO-8601. Errors are `{statusCode, error, message}` with a readable message.',
].join(' ');

/**
 * OpenAPI 3 generated from the route schemas (@fastify/swagger) and its UI at `/docs`
 * (@fastify/swagger-ui, which serves its own assets). Registered before the routes, whose schemas it
 * collects as they are added. The docs are public: they describe the API, they do not call it.
 */
export default fp(
  async function docs(app, options: { version: string }) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: 'Sync orchestrator', version: options.version, description: DESCRIPTION },
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', description: 'API_TOKEN' },
          },
        },
        security: [{ bearerAuth: [] }],
        tags: [
          { name: 'sync', description: 'status, requests, pause, the live stream' },
          { name: 'schedule', description: 'intervals and offsets of the six services' },
          { name: 'priority', description: 'leases that pause syncs for user operations in the ERP' },
          { name: 'ledger', description: 'runs and skips, newest first' },
          { name: 'health', description: 'public probe' },
          { name: 'operations', description: 'Prometheus metrics' },
        ],
      },
    });
    await app.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      // swagger-ui's own CSP replaces the app's on its pages, with two changes: no upgrade to https
      // (it would break the page over plain HTTP, see the security plugin), and inline styles allowed,
      // which swagger-ui's script injects at runtime (blocked otherwise: Chromium reports the violation).
      // Scripts stay 'self' only.
      staticCSP: true,
      transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, '').replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
      uiConfig: { docExpansion: 'list', deepLinking: true, persistAuthorization: false },
    });
  },
  { name: 'docs', fastify: '5.x' },
);
