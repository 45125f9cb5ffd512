import { describe, expect, it } from 'vitest';
import { DEFAULT_LEASE_WAIT_MS } from '../../src/app.js';
import { testApp } from './harness.js';

describe('POST /api/priority/leases', () => {
  it('answers 201 with the grant once the runtime reports everything in scope paused', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ method: 'POST', url: '/api/priority/leases', payload: { reason: 'new order for 1042', ttlMs: 120_000, account: 'default' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ leaseId: 'lease-2', pausedTargets: ['orders@default'], waitedMs: 37, expiresAt: '2025-11-28T18:02:00.000Z' });
    expect(runtime.callsOf('acquireLease')).toEqual([[{ reason: 'new order for 1042', ttlMs: 120_000, account: 'default' }, DEFAULT_LEASE_WAIT_MS]]);
  });

  it('bounds the wait with the leaseWaitMs option', async () => {
    const { call, runtime } = await testApp({ leaseWaitMs: 2_500 });
    await call({ method: 'POST', url: '/api/priority/leases', payload: { reason: 'new order' } });
    expect(runtime.callsOf('acquireLease')).toEqual([[{ reason: 'new order' }, 2_500]]);
  });

  it('answers 503 naming the targets that did not pause in time', async () => {
    const { call, runtime } = await testApp({ leaseWaitMs: 2_500 });
    runtime.leaseOutcome = 'timeout';
    const res = await call({ method: 'POST', url: '/api/priority/leases', payload: { reason: 'new order' } });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      error: 'Service Unavailable',
      message: 'lease not granted within 2500 ms: still running products@default',
      statusCode: 503,
      notPaused: ['products@default'],
    });
  });

  it('answers 404 for an unknown account', async () => {
    const { call } = await testApp();
    const res = await call({ method: 'POST', url: '/api/priority/leases', payload: { reason: 'new order', account: 'bianchi' } });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe('unknown account "bianchi"; configured accounts: default, rossi');
  });
});

describe('DELETE /api/priority/leases/:id', () => {
  it('releases a held lease with 204 and no body', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ method: 'DELETE', url: '/api/priority/leases/lease-1' });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(runtime.callsOf('releaseLease')).toEqual([['lease-1']]);
  });

  it('answers 404 for a lease that is not held (unknown, or already released)', async () => {
    const { call } = await testApp();
    await call({ method: 'DELETE', url: '/api/priority/leases/lease-1' });
    for (const id of ['lease-1', 'lease-99']) {
      const res = await call({ method: 'DELETE', url: `/api/priority/leases/${id}` });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'Not Found', message: `no lease "${id}" is held`, statusCode: 404 });
    }
  });
});
