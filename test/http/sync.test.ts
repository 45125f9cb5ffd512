import { describe, expect, it } from 'vitest';
import { NOW, OrchestratorDouble } from './orchestrator-double.js';
import { testApp } from './harness.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('GET /api/sync/status', () => {
  it('returns the runtime status with every field intact', async () => {
    const { call } = await testApp();
    const res = await call({ url: '/api/sync/status' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(new OrchestratorDouble().status());
  });
});

describe('POST /api/sync/:service', () => {
  it('queues every account of the service and answers 202 with the queue positions', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/orders' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      queued: [
        { target: 'orders@default', position: 2, coalesced: false },
        { target: 'orders@rossi', position: 3, coalesced: false },
      ],
    });
    expect(runtime.callsOf('request')).toEqual([['orders', {}]]);
  });

  it('passes account and priority through and reports coalescing', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/customers', payload: { account: 'rossi', priority: 10 } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ queued: [{ target: 'customers@rossi', position: 2, coalesced: true }] });
    expect(runtime.callsOf('request')).toEqual([['customers', { account: 'rossi', priority: 10 }]]);
  });

  it('passes force through, and refuses a force that is not a boolean', async () => {
    const { call, runtime } = await testApp();
    expect((await call({ method: 'POST', url: '/api/sync/ddt', payload: { force: true } })).statusCode).toBe(202);
    expect(runtime.callsOf('request')).toEqual([['ddt', { force: true }]]);
    const refused = await call({ method: 'POST', url: '/api/sync/ddt', payload: { force: 'yes' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain('force');
  });

  it('accepts an empty JSON object as the body', async () => {
    const { call } = await testApp();
    expect((await call({ method: 'POST', url: '/api/sync/products', payload: {} })).statusCode).toBe(202);
  });

  it('answers 404 naming the services for an unknown service', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/contacts' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: 'Not Found',
      message: 'unknown service "contacts"; services: customers, products, prices, orders, ddt, invoices',
      statusCode: 404,
    });
    expect(runtime.callsOf('request')).toEqual([]);
  });

  it('answers 404 for an account the service does not run on', async () => {
    const { call } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/products', payload: { account: 'rossi' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'Not Found', message: 'unknown account "rossi"; configured accounts: default', statusCode: 404 });
  });
});

describe('POST /api/sync/all', () => {
  it('requests all six services rather than a service named "all"', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/all', payload: { priority: 7 } });
    expect(res.statusCode).toBe(202);
    expect(res.json().queued).toHaveLength(10);
    expect(res.json().queued[0]).toEqual({ target: 'customers@default', position: 1, coalesced: true });
    expect(runtime.callsOf('requestAll')).toEqual([[{ priority: 7 }]]);
    expect(runtime.callsOf('request')).toEqual([]);
  });

  it('passes force through to every service', async () => {
    const { call, runtime } = await testApp();
    expect((await call({ method: 'POST', url: '/api/sync/all', payload: { force: true } })).statusCode).toBe(202);
    expect(runtime.callsOf('requestAll')).toEqual([[{ force: true }]]);
  });

  it('needs no body', async () => {
    const { call, runtime } = await testApp();
    expect((await call({ method: 'POST', url: '/api/sync/all' })).statusCode).toBe(202);
    expect(runtime.callsOf('requestAll')).toEqual([[{}]]);
  });
});

describe('GET /api/sync/:service/why', () => {
  it('explains every target of the service with ISO times', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ url: '/api/sync/orders/why' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      service: 'orders',
      targets: [
        {
          target: 'orders@default',
          state: 'idle',
          reasons: [
            { code: 'QUEUED', detail: 'position 1 in the queue', position: 1 },
            { code: 'MUTEX_HELD', detail: 'account default is busy with orders@default', by: ['orders@default'] },
            { code: 'LEASE', detail: 'lease lease-1 (new order) on * until …', leaseId: 'lease-1', until: iso(NOW + 120_000) },
          ],
        },
        { target: 'orders@rossi', state: 'idle', reasons: [{ code: 'NEXT_DUE', detail: 'next slot at …', at: iso(NOW + 900_000) }] },
      ],
    });
    expect(runtime.callsOf('why')).toEqual([['orders']]);
  });

  it('answers 404 for an unknown service', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ url: '/api/sync/contacts/why' });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toMatch(/^unknown service "contacts"; services: customers, /);
    expect(runtime.callsOf('why')).toEqual([]);
  });
});

describe('POST /api/sync/pause and /resume', () => {
  it('pauses with the reason and answers 202', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/pause', payload: { reason: 'ERP maintenance until 20:00' } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ paused: true });
    expect(runtime.callsOf('pause')).toEqual([['ERP maintenance until 20:00']]);
  });

  it('resumes and answers 202', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/resume' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ paused: false });
    expect(runtime.callsOf('resume')).toEqual([[]]);
  });
});

describe('GET /api/sync/runs and /skips', () => {
  it('returns the run ledger with the default limit of 50', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ url: '/api/sync/runs' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ runs: new OrchestratorDouble().runs() });
    expect(runtime.callsOf('runs')).toEqual([[{ limit: 50 }]]);
  });

  it('filters the run ledger by service, account and limit', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ url: '/api/sync/runs?service=customers&account=rossi&limit=1' });
    expect(res.statusCode).toBe(200);
    expect(res.json().runs.map((run: { id: number }) => run.id)).toEqual([1]);
    expect(runtime.callsOf('runs')).toEqual([[{ service: 'customers', account: 'rossi', limit: 1 }]]);
  });

  it('returns the skip ledger, filtered', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ url: '/api/sync/skips?account=rossi&limit=500' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      skips: [{ at: iso(NOW - 19 * 60_000), target: 'ddt@rossi', trigger: 'chained', reason: 'NO_PARENT_CHANGES', detail: 'orders@rossi reported no changes' }],
    });
    expect(runtime.callsOf('skips')).toEqual([[{ account: 'rossi', limit: 500 }]]);
  });

  it('answers 404 for an unknown service filter instead of an empty list', async () => {
    const { call, runtime } = await testApp();
    for (const url of ['/api/sync/runs?service=contacts', '/api/sync/skips?service=contacts']) {
      const res = await call({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().message).toMatch(/^unknown service "contacts"/);
    }
    expect(runtime.calls).toEqual([]);
  });
});
