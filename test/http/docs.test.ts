import type { HTTPMethods } from 'fastify';
import { describe, expect, it } from 'vitest';
import { testApp } from './harness.js';

/** Every route of DESIGN §7, as OpenAPI paths. */
const ROUTES = [
  'GET /api/health',
  'GET /api/sync/status',
  'POST /api/sync/{service}',
  'POST /api/sync/all',
  'GET /api/sync/{service}/why',
  'GET /api/sync/schedule',
  'POST /api/sync/schedule',
  'POST /api/sync/pause',
  'POST /api/sync/resume',
  'POST /api/priority/leases',
  'DELETE /api/priority/leases/{id}',
  'GET /api/sync/runs',
  'GET /api/sync/skips',
  'GET /api/sync/stream',
  'GET /api/machines',
  'GET /metrics',
].sort();

interface Operation {
  summary?: string;
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: unknown; example?: unknown; examples?: unknown }> };
  responses: Record<string, unknown>;
}

async function openapi() {
  const { app } = await testApp();
  const res = await app.inject({ url: '/docs/json' });
  const doc = res.json() as { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, method, path, op })));
  return { app, res, doc, operations };
}

describe('API docs', () => {
  it('serves the OpenAPI 3 document at /docs/json without a token', async () => {
    const { res, doc } = await openapi();
    expect(res.statusCode).toBe(200);
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes).toHaveProperty('bearerAuth');
  });

  it('lists every route of the API, and nothing else', async () => {
    const { operations } = await openapi();
    expect(operations.map((o) => o.key).sort()).toEqual(ROUTES);
  });

  it('documents only routes that exist', async () => {
    const { app, operations } = await openapi();
    for (const { method, path } of operations) {
      expect(app.hasRoute({ method: method.toUpperCase() as HTTPMethods, url: path.replace(/\{(\w+)\}/g, ':$1') }), `${method} ${path}`).toBe(true);
    }
  });

  it('gives every operation a summary and its responses, and marks only the health probe public', async () => {
    const { operations } = await openapi();
    for (const { key, op } of operations) {
      expect(op.summary, key).toBeTruthy();
      expect(Object.keys(op.responses).length, key).toBeGreaterThan(0);
      if (key === 'GET /api/health') expect(op.security).toEqual([]);
      else expect(op.security, key).toBeUndefined();
    }
  });

  it('shows request examples and the stream parameters', async () => {
    const { operations } = await openapi();
    const pause = operations.find((o) => o.key === 'POST /api/sync/pause')!.op;
    expect(pause.requestBody!.content['application/json']!.example).toEqual({ reason: 'ERP maintenance until 20:00' });
    const stream = operations.find((o) => o.key === 'GET /api/sync/stream')!.op;
    expect(stream.parameters!.map((p) => `${p.in}:${p.name}`)).toEqual(['query:token', 'query:since', 'query:epoch']);
    expect(stream.responses).toHaveProperty('101');
  });

  it('serves the UI at /docs without a token', async () => {
    const { app } = await testApp();
    const res = await app.inject({ url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('swagger-ui');
  });
});
