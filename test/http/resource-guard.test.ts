import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import type { RuntimeEvent } from '../../src/runtime/orchestrator-port.js';
import { noTimers } from '../machines/harness.js';
import { TOKEN, recordEvents, tempDir, testConfig } from '../runtime/support.js';

const MB = 1024 * 1024;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The real runtime (directory source, fixture exports, no timers, samples taken by the test) behind the real app. */
async function serve(env: Record<string, string>) {
  const dir = tempDir('guard-http-');
  cleanups.push(() => dir.remove());
  const config = testConfig(dir.path, undefined, env);
  const runtime: Runtime = createRuntime({ config, schedules: noTimers() });
  cleanups.push(() => runtime.close());
  const app: FastifyInstance = await buildApp({ orchestrator: runtime.orchestrator, config });
  cleanups.push(() => app.close());
  const events: RuntimeEvent[] = recordEvents(runtime.orchestrator);
  const call = (options: InjectOptions) => app.inject({ ...options, headers: { authorization: `Bearer ${TOKEN}`, ...options.headers } });
  return { runtime, call, events };
}

/** The value of one sample line of the exposition, e.g. `sync_resource_guard_held 1`. */
function sampleValue(exposition: string, series: string): number | undefined {
  const escaped = series.replace(/[{}"=]/g, (c) => `\\${c}`);
  const match = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(exposition);
  return match === null ? undefined : Number(match[1]);
}

describe('resource guard over HTTP', () => {
  it('shows a hold on the real RSS in why, the status, the stream and the metrics, and starts nothing', async () => {
    // 1 MB: any real process is over it, so the first sample of this one holds at SYNC_CONCURRENCY 1.
    const { runtime, call, events } = await serve({ GUARD_RSS_MB: '1' });
    const readings = runtime.resources.sample();
    expect(readings).not.toBeNull();
    const rss = readings!.rss;

    expect((await call({ method: 'POST', url: '/api/sync/orders' })).statusCode).toBe(202);
    const why = (await call({ url: '/api/sync/orders/why' })).json();
    const reason = why.targets[0].reasons.find((r: { code: string }) => r.code === 'RESOURCE_GUARD');
    expect(reason).toMatchObject({ metric: 'rss', value: rss, limit: 1, concurrency: 0 });
    expect(reason.detail).toMatch(new RegExp(`^RESOURCE_GUARD\\(rss, ${Math.round(rss)} MB\\) over 1: new starts held`));

    const status = (await call({ url: '/api/sync/status' })).json();
    expect(status.running).toEqual([]);
    expect(status.resourceGuard).toMatchObject({ held: true, effectiveConcurrency: 0, reason: `RESOURCE_GUARD(rss, ${Math.round(rss)} MB)` });
    expect(status.resourceGuard.last.readings).toEqual(readings);
    expect(events.filter((e) => e.type === 'resources.guard')).toMatchObject([{ change: 'held', effective: 0, held: true, cause: { metric: 'rss', limit: 1 } }]);

    const health = (await call({ url: '/api/health' })).json();
    expect(health.status).toBe('degraded');
    expect(health.checks.resources).toEqual({ status: 'degraded', detail: `RESOURCE_GUARD(rss, ${Math.round(rss)} MB): new starts held` });

    const metrics = (await call({ url: '/metrics' })).body;
    expect(sampleValue(metrics, 'sync_effective_concurrency')).toBe(0);
    expect(sampleValue(metrics, 'sync_resource_guard_held')).toBe(1);
    expect(sampleValue(metrics, 'sync_resource_rss_bytes')).toBe(rss * MB);
    expect(sampleValue(metrics, 'sync_resource_event_loop_delay_seconds')).toBe(readings!.eventLoopDelay / 1000);
    expect(sampleValue(metrics, 'sync_resource_chromium_rss_bytes')).toBe(0);
    expect(sampleValue(metrics, 'sync_resource_guard_changes_total{change="held"}')).toBe(1);
  });

  it('starts at the configured concurrency with the default limits', async () => {
    const { call } = await serve({ SYNC_CONCURRENCY: '2' });
    const status = (await call({ url: '/api/sync/status' })).json();
    expect(status.resourceGuard).toMatchObject({ held: false, cap: null, effectiveConcurrency: 2, reason: null, last: null, limits: { eventLoopDelay: 250, rss: 1536, chromiumRss: 1536 } });
    expect((await call({ url: '/api/health' })).json().checks.resources).toEqual({ status: 'ok', detail: 'within the resource limits: concurrency 2' });
    const metrics = (await call({ url: '/metrics' })).body;
    expect(sampleValue(metrics, 'sync_effective_concurrency')).toBe(2);
    expect(sampleValue(metrics, 'sync_resource_guard_held')).toBe(0);
  });

  it('refuses a limit that is not a positive number, naming the setting', async () => {
    expect(() => testConfig('unused-data-dir', undefined, { GUARD_CHROMIUM_RSS_MB: '0', GUARD_EVENT_LOOP_MS: '1e3' })).toThrow(
      /GUARD_EVENT_LOOP_MS="1e3": must be a positive number of milliseconds[\s\S]*GUARD_CHROMIUM_RSS_MB="0": must be a positive number of megabytes/,
    );
  });
});
