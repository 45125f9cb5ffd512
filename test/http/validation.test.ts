import { describe, expect, it } from 'vitest';
import { testApp } from './harness.js';

interface Case {
  name: string;
  method: 'GET' | 'POST';
  url: string;
  payload?: unknown;
  message: string;
}

const CASES: Case[] = [
  // unknown fields are refused by name, never dropped silently
  { name: 'an unknown field in a schedule change', method: 'POST', url: '/api/sync/schedule', payload: { service: 'orders', intervalMinute: 30 }, message: 'body/intervalMinute is not allowed (unknown field)' },
  { name: 'an unknown field in a sync request', method: 'POST', url: '/api/sync/orders', payload: { acount: 'default' }, message: 'body/acount is not allowed (unknown field)' },
  { name: 'an account on sync/all', method: 'POST', url: '/api/sync/all', payload: { account: 'default' }, message: 'body/account is not allowed (unknown field)' },
  { name: 'an unknown field in a lease', method: 'POST', url: '/api/priority/leases', payload: { reason: 'x', ttl: 5000 }, message: 'body/ttl is not allowed (unknown field)' },
  { name: 'an unknown field in a pause', method: 'POST', url: '/api/sync/pause', payload: { reason: 'x', until: 'tonight' }, message: 'body/until is not allowed (unknown field)' },
  { name: 'an unknown query parameter', method: 'GET', url: '/api/sync/runs?servise=orders', message: 'querystring/servise is not allowed (unknown field)' },
  // out of range
  { name: 'an interval under 5 minutes', method: 'POST', url: '/api/sync/schedule', payload: { service: 'orders', intervalMinutes: 4 }, message: 'body/intervalMinutes must be >= 5' },
  { name: 'an interval over a day', method: 'POST', url: '/api/sync/schedule', payload: { service: 'orders', intervalMinutes: 1441 }, message: 'body/intervalMinutes must be <= 1440' },
  { name: 'a negative offset', method: 'POST', url: '/api/sync/schedule', payload: { service: 'orders', offsetMinutes: -1 }, message: 'body/offsetMinutes must be >= 0' },
  { name: 'an unknown missed policy', method: 'POST', url: '/api/sync/schedule', payload: { service: 'orders', missed: 'all' }, message: 'body/missed must be one of skip, once' },
  { name: 'a priority over 10', method: 'POST', url: '/api/sync/orders', payload: { priority: 11 }, message: 'body/priority must be <= 10' },
  { name: 'a negative priority on sync/all', method: 'POST', url: '/api/sync/all', payload: { priority: -1 }, message: 'body/priority must be >= 0' },
  { name: 'an account name with a slash', method: 'POST', url: '/api/sync/orders', payload: { account: '../etc' }, message: 'body/account must match pattern "^[A-Za-z0-9._-]{1,64}$"' },
  { name: 'an empty pause reason', method: 'POST', url: '/api/sync/pause', payload: { reason: '' }, message: 'body/reason must not have fewer than 1 characters' },
  { name: 'a pause reason over 200 characters', method: 'POST', url: '/api/sync/pause', payload: { reason: 'x'.repeat(201) }, message: 'body/reason must not have more than 200 characters' },
  { name: 'a lease TTL under a second', method: 'POST', url: '/api/priority/leases', payload: { reason: 'x', ttlMs: 999 }, message: 'body/ttlMs must be >= 1000' },
  { name: 'a lease TTL over an hour', method: 'POST', url: '/api/priority/leases', payload: { reason: 'x', ttlMs: 3_600_001 }, message: 'body/ttlMs must be <= 3600000' },
  { name: 'a ledger limit of 0', method: 'GET', url: '/api/sync/runs?limit=0', message: 'querystring/limit must be >= 1' },
  { name: 'a ledger limit over 500', method: 'GET', url: '/api/sync/skips?limit=501', message: 'querystring/limit must be <= 500' },
  // wrong types are not coerced
  { name: 'an interval sent as a string', method: 'POST', url: '/api/sync/schedule', payload: { service: 'orders', intervalMinutes: '30' }, message: 'body/intervalMinutes must be integer' },
  { name: 'a fractional interval', method: 'POST', url: '/api/sync/schedule', payload: { service: 'orders', intervalMinutes: 30.5 }, message: 'body/intervalMinutes must be integer' },
  { name: 'enabled sent as a string', method: 'POST', url: '/api/sync/schedule', payload: { service: 'orders', enabled: 'false' }, message: 'body/enabled must be boolean' },
  { name: 'a priority sent as a string', method: 'POST', url: '/api/sync/orders', payload: { priority: '5' }, message: 'body/priority must be integer' },
  { name: 'a non-numeric limit', method: 'GET', url: '/api/sync/runs?limit=ten', message: 'querystring/limit must be integer' },
  { name: 'a fractional limit', method: 'GET', url: '/api/sync/runs?limit=1.5', message: 'querystring/limit must be integer' },
  { name: 'a hexadecimal limit', method: 'GET', url: '/api/sync/skips?limit=0x10', message: 'querystring/limit must be integer' },
  { name: 'a limit in exponent notation', method: 'GET', url: '/api/sync/runs?limit=1e1', message: 'querystring/limit must be integer' },
  { name: 'a limit with a leading space', method: 'GET', url: '/api/sync/runs?limit=%2010', message: 'querystring/limit must be integer' },
  { name: 'a lease id over 200 characters', method: 'DELETE' as 'GET', url: `/api/priority/leases/${'a'.repeat(201)}`, message: 'params/id must not have more than 200 characters' },
  { name: 'a body that is an array', method: 'POST', url: '/api/sync/pause', payload: [{ reason: 'x' }], message: 'body must be object' },
  // missing required fields
  { name: 'a schedule change without service', method: 'POST', url: '/api/sync/schedule', payload: { enabled: false }, message: 'body/service is required' },
  { name: 'a pause without reason', method: 'POST', url: '/api/sync/pause', payload: {}, message: 'body/reason is required' },
  { name: 'a lease without reason', method: 'POST', url: '/api/priority/leases', payload: { ttlMs: 5000 }, message: 'body/reason is required' },
];

describe('request validation', () => {
  it.each(CASES)('refuses $name with 400 and a readable message', async ({ method, url, payload, message }) => {
    const { call, runtime } = await testApp();
    const res = await call({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'Bad Request', message, statusCode: 400 });
    expect(runtime.calls).toEqual([]);
  });

  it('lists every problem of a body, not only the first', async () => {
    const { call } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/schedule', payload: { service: 'orders', intervalMinutes: 2, colour: 'red' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message.split('; ').sort()).toEqual(['body/colour is not allowed (unknown field)', 'body/intervalMinutes must be >= 5']);
  });

  it('refuses a body over 16 KiB with 413', async () => {
    const { call, runtime } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/pause', payload: { reason: 'x'.repeat(17 * 1024) } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'Payload Too Large', message: 'Request body is too large', statusCode: 413 });
    expect(runtime.calls).toEqual([]);
  });

  it('refuses malformed JSON with 400', async () => {
    const { call } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/pause', headers: { 'content-type': 'application/json' }, payload: '{"reason": ' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'Bad Request', statusCode: 400 });
    expect(res.body).not.toMatch(/\bat .*\.js:\d+/);
  });

  it.each([
    ['JSON sent as text/plain', 'text/plain', 'content-type text/plain is not accepted: send the body as application/json'],
    ['JSON declared in UTF-16', 'application/json; charset=utf-16', 'charset utf-16 is not accepted: send the body as application/json in UTF-8'],
    ['JSON declared in Latin-1', 'application/json;charset="ISO-8859-1"', 'charset iso-8859-1 is not accepted: send the body as application/json in UTF-8'],
  ])('refuses %s with 415 naming what to send', async (_name, type, message) => {
    const { call, runtime } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/pause', headers: { 'content-type': type }, payload: '{"reason":"maintenance"}' });
    expect(res.json()).toEqual({ error: 'Unsupported Media Type', message, statusCode: 415 });
    expect(runtime.calls).toEqual([]);
  });

  it('reads JSON that declares UTF-8', async () => {
    const { call } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/pause', headers: { 'content-type': 'application/json; charset=UTF-8' }, payload: '{"reason":"maintenance"}' });
    expect(res.statusCode).toBe(202);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const { call } = await testApp();
    const res = await call({ method: 'POST', url: '/api/sync/pause', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'reason=x' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ error: 'Unsupported Media Type', statusCode: 415 });
  });
});

describe('errors', () => {
  it('answers an unknown route with a 404 JSON body', async () => {
    const { call } = await testApp();
    const res = await call({ method: 'GET', url: '/api/sync/nothing/here?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'Not Found', message: 'route GET /api/sync/nothing/here not found', statusCode: 404 });
  });

  it('answers a path parameter beyond what the router takes with 414 and a body that says so', async () => {
    const { call } = await testApp();
    const res = await call({ method: 'DELETE', url: `/api/priority/leases/${'a'.repeat(300)}` });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({ error: 'URI Too Long', message: 'a path parameter is longer than this API accepts', statusCode: 414 });
  });

  it('answers a runtime failure with a generic 500: no stack, no internals', async () => {
    const { call, runtime } = await testApp();
    runtime.status = () => {
      throw new Error('SQLITE_BUSY: database is locked at /srv/data/orchestrator.db');
    };
    const res = await call({ url: '/api/sync/status' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'Internal Server Error', message: expect.stringMatching(/^internal error; see the service log for request \S+$/), statusCode: 500 });
    expect(res.body).not.toContain('SQLITE_BUSY');
  });
});
