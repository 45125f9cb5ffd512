/**
 * Layout drift as an operator sees it (issue 13 item 2): a real runtime over a directory of exports
 * applies the orders fixture, then the same orders with `RIFERIMENTO CLIENTE` printed as `RIF. CLIENTE`;
 * the second run's drift is in its `sync.completed` stream event (real WebSocket), the run ledger,
 * the target's last run in the status, and `why`.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { noTimers } from '../machines/harness.js';
import { FIXTURE_EXPORTS, TOKEN, dispatchIdle, nextEvent, tempDir, testConfig } from '../runtime/support.js';
import { StreamClient, type StreamMessage } from './stream-client.js';

const RENAMED = fileURLToPath(new URL('../../fixtures/variants/orders-renamed-reference.pdf', import.meta.url));
const DRIFT = { missingFields: ['customerReference'], unknownColumns: ['RIF. CLIENTE'] };
const RUN_MS = 120_000;

describe('a run whose export has a renamed column', () => {
  const dir = tempDir('drift-http-');
  const exportDir = join(dir.path, 'exports');
  let runtime: Runtime;
  let app: FastifyInstance;
  let completed: StreamMessage;

  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode, url).toBe(200);
    return response.json();
  };

  /** Requests an orders sync and waits until every run it set off is done. */
  const syncOrders = async (): Promise<void> => {
    const idle = nextEvent(runtime.orchestrator, dispatchIdle, RUN_MS);
    runtime.orchestrator.request('orders');
    await idle;
  };

  beforeAll(async () => {
    mkdirSync(exportDir);
    for (const file of readdirSync(FIXTURE_EXPORTS).filter((f) => f.endsWith('.pdf'))) copyFileSync(join(FIXTURE_EXPORTS, file), join(exportDir, file));
    const config = testConfig(join(dir.path, 'data'), exportDir);
    runtime = createRuntime({ config, schedules: noTimers() });
    app = await buildApp({ orchestrator: runtime.orchestrator, config });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    await syncOrders();

    const stream = await StreamClient.connect(`${address.replace(/^http/, 'ws')}/api/sync/stream?token=${TOKEN}`);
    copyFileSync(RENAMED, join(exportDir, 'orders.pdf'));
    await syncOrders();
    const deadline = Date.now() + 5_000;
    while (!stream.messages.some((m) => m.type === 'sync.completed') && Date.now() < deadline) await stream.next(5_000);
    completed = stream.messages.find((m) => m.type === 'sync.completed')!;
    await stream.close();
  }, 2 * RUN_MS);

  afterAll(async () => {
    await app?.close();
    await runtime?.close();
    dir.remove();
  });

  it('streams the drift with the completed run, which changed no row', () => {
    expect(completed).toMatchObject({ target: 'orders@default', stats: { updated: 0, unchanged: 60, layoutDrift: DRIFT } });
  });

  it('keeps it in the run ledger and the status, for that run only', async () => {
    const { runs } = await get('/api/sync/runs?service=orders');
    expect(runs.map((r: { stats: { layoutDrift?: unknown } }) => r.stats.layoutDrift ?? null)).toEqual([DRIFT, null]);
    const status = await get('/api/sync/status');
    const orders = status.targets.find((t: { target: string }) => t.target === 'orders@default');
    expect(orders.lastRun.stats.layoutDrift).toEqual(DRIFT);
  });

  it('explains it in why, for the orders target only', async () => {
    const why = await get('/api/sync/orders/why');
    expect(why.targets[0].reasons).toContainEqual({
      code: 'LAYOUT_DRIFT',
      detail: "the last export's columns differ from the table's: no column for customerReference (stored values kept); unknown columns: RIF. CLIENTE",
    });
    const customers = await get('/api/sync/customers/why');
    expect(customers.targets[0].reasons.map((r: { code: string }) => r.code)).not.toContain('LAYOUT_DRIFT');
  });
});
