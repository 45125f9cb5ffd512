import { afterEach, describe, expect, it } from 'vitest';
import { ready, serve, type Served } from '../../harness/service-process.js';
import { FIXTURE_EXPORTS, TOKEN, tempDir } from './support.js';

/**
 * Acknowledged means durable: a command's 2xx is followed by `kill -9` at once (no handler, no final
 * snapshot), and the restarted service still has the change. The coalesced snapshot write (every 200 ms)
 * alone lost such changes.
 */

const PROCESS_MS = 90_000;
const AUTH = { authorization: `Bearer ${TOKEN}` };
const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' };

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.splice(0)) step();
});

async function started(dataDir: string): Promise<{ served: Served; url: string }> {
  const served = serve({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, API_TOKEN: TOKEN, ERP_EXPORT_DIR: FIXTURE_EXPORTS, LOG_LEVEL: 'warn' });
  cleanup.push(() => served.child.kill('SIGKILL'));
  return { served, url: await ready(served) };
}

/** Sends the command, and kills the process the moment its answer has arrived. */
async function killedRightAfter(served: Served, response: Promise<Response>): Promise<Response> {
  const answer = await response;
  served.child.kill('SIGKILL');
  await served.exited;
  return answer;
}

async function get<T>(url: string, path: string): Promise<T> {
  const response = await fetch(`${url}${path}`, { headers: AUTH });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

describe('a state change acknowledged by the API survives kill -9 right after the answer', () => {
  it('keeps a lease, a schedule change, an operator pause and its lifting, and a lease release', async () => {
    const data = tempDir('runtime-ack-');
    cleanup.push(() => data.remove());

    let { served, url } = await started(data.path);
    const lease = await killedRightAfter(
      served,
      fetch(`${url}/api/priority/leases`, { method: 'POST', headers: JSON_AUTH, body: JSON.stringify({ reason: 'order for Studio Rossi', ttlMs: 3_600_000 }) }),
    );
    expect(lease.status).toBe(201);
    const { leaseId } = (await lease.json()) as { leaseId: string };

    ({ served, url } = await started(data.path));
    const afterLease = await get<{ leases: Array<{ leaseId: string; reason: string }> }>(url, '/api/sync/status');
    expect(afterLease.leases).toEqual([expect.objectContaining({ leaseId, reason: 'order for Studio Rossi' })]);
    const schedule = await killedRightAfter(
      served,
      fetch(`${url}/api/sync/schedule`, { method: 'POST', headers: JSON_AUTH, body: JSON.stringify({ service: 'customers', intervalMinutes: 47, offsetMinutes: 3 }) }),
    );
    expect(schedule.status).toBe(200);

    ({ served, url } = await started(data.path));
    const schedules = await get<{ schedules: Array<{ service: string; intervalMinutes: number | null; offsetMinutes: number }> }>(url, '/api/sync/schedule');
    expect(schedules.schedules.find((entry) => entry.service === 'customers')).toMatchObject({ intervalMinutes: 47, offsetMinutes: 3 });
    const pause = await killedRightAfter(
      served,
      fetch(`${url}/api/sync/pause`, { method: 'POST', headers: JSON_AUTH, body: JSON.stringify({ reason: 'ERP maintenance' }) }),
    );
    expect(pause.status).toBe(202);

    ({ served, url } = await started(data.path));
    expect(await get<{ operatorPause: unknown }>(url, '/api/sync/status')).toMatchObject({ operatorPause: { reason: 'ERP maintenance', transient: false } });
    const resume = await killedRightAfter(served, fetch(`${url}/api/sync/resume`, { method: 'POST', headers: AUTH }));
    expect(resume.status).toBe(202);

    ({ served, url } = await started(data.path));
    expect(await get<{ operatorPause: unknown }>(url, '/api/sync/status')).toMatchObject({ operatorPause: null });
    const release = await killedRightAfter(served, fetch(`${url}/api/priority/leases/${leaseId}`, { method: 'DELETE', headers: AUTH }));
    expect(release.status).toBe(204);

    ({ served, url } = await started(data.path));
    expect(await get<{ leases: unknown[] }>(url, '/api/sync/status')).toMatchObject({ leases: [] });
  }, PROCESS_MS);
});
