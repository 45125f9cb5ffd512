import { describe, expect, it } from 'vitest';
import { testApp } from './harness.js';

describe('GET /api/health', () => {
  it('answers 200 with the checks when ok', async () => {
    const { app, runtime } = await testApp();
    const res = await app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(runtime.healthView);
  });

  it('answers 200 when degraded: the service still serves', async () => {
    const { app, runtime } = await testApp();
    runtime.healthView = { status: 'degraded', checks: { freshness: { status: 'degraded', detail: 'orders@default last completed 3 h ago' } } };
    const res = await app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(runtime.healthView);
  });

  it('answers 503 with the failing checks when down', async () => {
    const { app, runtime } = await testApp();
    runtime.healthView = {
      status: 'down',
      checks: { breaker: { status: 'down', detail: 'ERP circuit open until 2025-11-28T18:05:00.000Z' }, freshness: { status: 'ok', detail: 'fresh' } },
    };
    const res = await app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual(runtime.healthView);
  });
});
