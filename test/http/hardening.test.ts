import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TOKEN, testApp } from './harness.js';

/**
 * Opens a raw connection, sends `first`, then `drip` one byte every 50 ms (a client too slow to finish
 * its request), and resolves with everything the server sent once it closed the connection.
 */
async function slowClient(address: string, first: string, drip = ''): Promise<string> {
  const { hostname, port } = new URL(address);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  socket.write(first);
  let i = 0;
  const timer = setInterval(() => {
    if (i < drip.length && socket.writable) socket.write(drip[i++]!);
  }, 50);
  await new Promise((resolve) => socket.on('close', resolve));
  clearInterval(timer);
  return received;
}

describe('hardening', () => {
  describe('rate limit of mutating routes', () => {
    it('answers 429 with retry-after once a client exceeds the limit, in the usual error body', async () => {
      const { call } = await testApp({ rateLimit: { max: 3, timeWindowMs: 60_000 } });
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await call({ method: 'POST', url: '/api/sync/resume' })).statusCode);
      expect(codes).toEqual([202, 202, 202]);
      const limited = await call({ method: 'POST', url: '/api/sync/orders' });
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(limited.json()).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/^Rate limit exceeded/) });
      expect((await call({ method: 'DELETE', url: '/api/priority/leases/lease-1' })).statusCode).toBe(429);
    });

    it('counts unauthenticated attempts too, so the limit also slows down token guessing', async () => {
      const { app } = await testApp({ rateLimit: { max: 2, timeWindowMs: 60_000 } });
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await app.inject({ method: 'POST', url: '/api/sync/resume', headers: { authorization: `Bearer guess-${i}` } })).statusCode);
      expect(codes).toEqual([401, 401, 429]);
    });

    it('leaves reads unlimited (the dashboard reads after every event)', async () => {
      const { call } = await testApp({ rateLimit: { max: 2, timeWindowMs: 60_000 } });
      for (let i = 0; i < 10; i++) expect((await call({ url: '/api/sync/status' })).statusCode).toBe(200);
    });
  });

  describe('body limit', () => {
    it('refuses a body over 16 KiB with 413 before validating it', async () => {
      const { call, runtime } = await testApp();
      const res = await call({ method: 'POST', url: '/api/sync/pause', payload: { reason: 'x'.repeat(16 * 1024) } });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(runtime.callsOf('pause')).toEqual([]);
    });

    it('reads a body just under the limit (and validates it)', async () => {
      const { call } = await testApp();
      const res = await call({ method: 'POST', url: '/api/sync/pause', payload: { reason: 'x'.repeat(16 * 1024 - 20) } });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/reason/);
    });
  });

  describe('security headers', () => {
    it('sends a CSP that allows only the dashboard’s own scripts, styles and WebSocket', async () => {
      const { app } = await testApp();
      const res = await app.inject({ url: '/', headers: { host: '127.0.0.1:3000' } });
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("connect-src 'self' ws://127.0.0.1:3000 wss://127.0.0.1:3000");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    });

    it('never echoes a Host header that could inject a CSP source', async () => {
      const { app } = await testApp();
      const res = await app.inject({ url: '/', headers: { host: "evil.example; script-src 'unsafe-inline'" } });
      expect(String(res.headers['content-security-policy'])).not.toContain('unsafe-inline');
    });

    it('sets the same headers on API answers', async () => {
      const { call } = await testApp();
      const res = await call({ url: '/api/sync/status' });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBeDefined();
    });
  });

  describe('timeouts', () => {
    it('bounds how long a client may take to send a request (headers included), checked every second, and how long a socket may idle', async () => {
      const { app } = await testApp();
      expect(app.server.requestTimeout).toBe(30_000);
      // Node's defaults (headers 60 s, checked every 30 s) let a stalled request live 57–69 s.
      expect(app.server.headersTimeout).toBe(30_000);
      expect((app.server as unknown as { connectionsCheckingInterval: number }).connectionsCheckingInterval).toBe(1_000);
      expect(app.initialConfig.connectionTimeout).toBeGreaterThanOrEqual(60_000);
      expect(app.initialConfig.bodyLimit).toBe(16 * 1024);
    });

    it('answers 408 and closes a connection whose headers stall', async () => {
      const { app } = await testApp({ timeouts: { requestMs: 400, checkIntervalMs: 100 } });
      const address = await app.listen({ host: '127.0.0.1', port: 0 });
      const received = await slowClient(address, 'POST /api/sync/pause HTTP/1.1\r\nHost: localhost\r\n');
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
    });

    it('answers 408 and closes a connection whose body trickles in', async () => {
      const { app, runtime } = await testApp({ timeouts: { requestMs: 400, checkIntervalMs: 100 } });
      const address = await app.listen({ host: '127.0.0.1', port: 0 });
      const body = JSON.stringify({ reason: 'x'.repeat(200) });
      const head = `POST /api/sync/pause HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
      const received = await slowClient(address, head, body);
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      expect(runtime.callsOf('pause')).toEqual([]);
    });
  });

  describe('dashboard assets', () => {
    it.each([
      ['/', /text\/html/],
      ['/app.js', /javascript/],
      ['/style.css', /text\/css/],
    ])('serves %s without a token', async (url, type) => {
      const { app } = await testApp();
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(type);
    });

    it('serves nothing else from the dashboard folder', async () => {
      const { app } = await testApp();
      expect((await app.inject({ url: '/../package.json' })).statusCode).toBe(404);
      expect((await app.inject({ url: '/index.html/../../app.ts' })).statusCode).toBe(404);
    });
  });
});
