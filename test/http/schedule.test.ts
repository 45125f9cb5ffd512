import { describe, expect, it } from 'vitest';
import { testApp } from './harness.js';

describe('GET /api/sync/schedule', () => {
  it('lists the six schedules', async () => {
    const { call } = await testApp();
    const res = await call({ url: '/api/sync/schedule' });
    expect(res.statusCode).toBe(200);
    const { schedules } = res.json();
    expect(schedules.map((s: { service: string }) => s.service)).toEqual(['customers', 'products', 'prices', 'orders', 'ddt', 'invoices']);
    expect(schedules[0]).toEqual({
      service: 'customers',
      chainedAfter: null,
      intervalMinutes: 30,
      offsetMinutes: 15,
      enabled: true,
      missed: 'once',
      nextDueAt: { 'customers@default': '2025-11-28T18:16:00.000Z', 'customers@rossi': '2025-11-28T18:16:00.000Z' },
    });
    expect(schedules[4]).toMatchObject({ service: 'ddt', chainedAfter: 'orders', intervalMinutes: null, nextDueAt: { 'ddt@default': null } });
  });
});

describe('POST /api/sync/schedule', () => {
  it('changes a schedule and answers 200 with the updated view', async () => {
    const { call, runtime } = await testApp();
    const update = { service: 'customers', intervalMinutes: 45, offsetMinutes: 0, enabled: false, missed: 'skip' };
    const res = await call({ method: 'POST', url: '/api/sync/schedule', payload: update });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject(update);
    expect(runtime.callsOf('updateSchedule')).toEqual([[update]]);
  });

  it('accepts the bounds 5 and 1440 minutes', async () => {
    const { call } = await testApp();
    for (const intervalMinutes of [5, 1440]) {
      const res = await call({ method: 'POST', url: '/api/sync/schedule', payload: { service: 'orders', intervalMinutes, offsetMinutes: 1440 } });
      expect(res.statusCode).toBe(200);
    }
  });

  it('gives a chained service a safety interval', async () => {
    const { call } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/schedule', payload: { service: 'ddt', intervalMinutes: 240 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ service: 'ddt', chainedAfter: 'orders', intervalMinutes: 240 });
  });

  it("answers 400 with the runtime's message when it refuses the change", async () => {
    const { call } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/schedule', payload: { service: 'ddt', offsetMinutes: 60 } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'Bad Request', message: 'ddt has no timer: set intervalMinutes with the offset', statusCode: 400 });
  });

  it('answers 404 for an unknown service, like every other route', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/schedule', payload: { service: 'contacts', enabled: false } });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe('unknown service "contacts"; services: customers, products, prices, orders, ddt, invoices');
    expect(runtime.callsOf('updateSchedule')).toEqual([]);
  });
});
