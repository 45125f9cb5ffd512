import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { TOKEN, capturedLog, testApp } from './harness.js';

/** One request per protected route, each valid apart from its credentials. */
const PROTECTED: InjectOptions[] = [
  { method: 'GET', url: '/api/sync/status' },
  { method: 'POST', url: '/api/sync/orders', payload: { priority: 5 } },
  { method: 'POST', url: '/api/sync/all' },
  { method: 'GET', url: '/api/sync/orders/why' },
  { method: 'GET', url: '/api/sync/schedule' },
  { method: 'POST', url: '/api/sync/schedule', payload: { service: 'orders', enabled: false } },
  { method: 'POST', url: '/api/sync/pause', payload: { reason: 'maintenance' } },
  { method: 'POST', url: '/api/sync/resume' },
  { method: 'POST', url: '/api/priority/leases', payload: { reason: 'new order' } },
  { method: 'DELETE', url: '/api/priority/leases/lease-1' },
  { method: 'GET', url: '/api/sync/runs' },
  { method: 'GET', url: '/api/sync/skips' },
];

const CREDENTIALS = [
  { name: 'no Authorization header', headers: {}, message: 'missing bearer token', challenge: 'Bearer' },
  { name: 'a wrong token', headers: { authorization: 'Bearer not-the-token-at-all' }, message: 'invalid token', challenge: 'Bearer error="invalid_token"' },
  { name: 'the token with one character more', headers: { authorization: `Bearer ${TOKEN}x` }, message: 'invalid token', challenge: 'Bearer error="invalid_token"' },
  { name: 'the right token under the Basic scheme', headers: { authorization: `Basic ${TOKEN}` }, message: 'missing bearer token', challenge: 'Bearer' },
  { name: 'the bare token without a scheme', headers: { authorization: TOKEN }, message: 'missing bearer token', challenge: 'Bearer' },
  { name: 'an empty bearer token', headers: { authorization: 'Bearer ' }, message: 'missing bearer token', challenge: 'Bearer' },
  {
    name: 'the token followed by a note',
    headers: { authorization: `Bearer ${TOKEN} once` },
    message: 'malformed bearer token: expected "Authorization: Bearer <token>" with the token alone',
    challenge: 'Bearer error="invalid_request"',
  },
];

describe('bearer token', () => {
  describe.each(CREDENTIALS)('with $name', ({ headers, message, challenge }) => {
    it.each(PROTECTED.map((request) => [`${request.method} ${request.url}`, request] as const))(
      'refuses %s with 401 before touching the runtime',
      async (_name, request) => {
        const { app, runtime } = await testApp();
        const res = await app.inject({ ...request, headers });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ error: 'Unauthorized', message, statusCode: 401 });
        expect(res.headers['www-authenticate']).toBe(challenge);
        expect(runtime.calls).toEqual([]);
      },
    );
  });

  it('accepts the token on every protected route', async () => {
    const { call } = await testApp();
    for (const request of PROTECTED) {
      const res = await call(request);
      expect(res.statusCode, `${request.method} ${request.url}`).toBeLessThan(300);
    }
  });

  it('accepts the scheme in any case', async () => {
    const { app } = await testApp();
    const res = await app.inject({ url: '/api/sync/status', headers: { authorization: `bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
  });

  it('leaves GET /api/health public, even with a wrong token', async () => {
    const { app } = await testApp();
    expect((await app.inject({ url: '/api/health' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/health', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(200);
  });

  it('never writes the token to the log, even through a serializer that logs headers', async () => {
    const { logger, text } = capturedLog({ serializers: { req: (req: { method: string; url: string; headers: unknown }) => ({ method: req.method, url: req.url, headers: req.headers }) } });
    const { call } = await testApp({ logger });
    await call({ url: '/api/sync/status' });
    const log = text();
    expect(log).toContain('/api/sync/status');
    expect(log).toContain('[Redacted]');
    expect(log).not.toContain(TOKEN);
  });

  describe('rate limit of refused attempts', () => {
    it('keeps them in their own budget: wrong tokens from an address never lock out the token holder there', async () => {
      const { app, call } = await testApp({ rateLimit: { max: 3, timeWindowMs: 60_000 } });
      const refused = [];
      for (let i = 0; i < 5; i++) refused.push((await app.inject({ method: 'POST', url: '/api/sync/resume', headers: { authorization: `Bearer guess-${i}` } })).statusCode);
      expect(refused).toEqual([401, 401, 401, 429, 429]);
      const holder = [];
      for (let i = 0; i < 4; i++) holder.push((await call({ method: 'POST', url: '/api/sync/resume' })).statusCode);
      expect(holder).toEqual([202, 202, 202, 429]);
    });
  });
});
