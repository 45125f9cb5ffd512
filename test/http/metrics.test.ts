import { describe, expect, it, vi } from 'vitest';
import { parseExportFile, parseWorkerStats } from '../../src/parsers/parse-export.js';
import { testApp } from './harness.js';

/** One sample line of the Prometheus text format. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A family as declared by `# TYPE`, with its samples. */
interface Family {
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
// Go's ParseFloat, which Prometheus uses, reads NaN in any case (prom-client writes `Nan`).
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (-?(?:[0-9.eE+-]+|[Nn][Aa][Nn]|\\+Inf|-Inf))$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;

/**
 * A strict reader of the text exposition format 0.0.4: every line is a HELP, a TYPE or a sample of a
 * declared family; throws on anything else, so a malformed exposition fails the test.
 */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const familyOf = (name: string): Family | undefined =>
    families.get(name) ?? families.get(name.replace(/_(bucket|sum|count|total|created)$/, '')) ?? families.get(name.replace(/_total$/, ''));
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help) {
      families.set(help[1]!, { type: 'untyped', help: help[2]!, samples: [] });
      continue;
    }
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      const family = families.get(type[1]!);
      if (!family) throw new Error(`TYPE before HELP: ${line}`);
      family.type = type[2]!;
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const raw = sample[2] ?? '';
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < raw.length) {
      const label = LABEL.exec(raw);
      if (!label) throw new Error(`bad labels in ${JSON.stringify(line)}`);
      labels[label[1]!] = label[2]!;
    }
    const family = familyOf(sample[1]!);
    if (!family) throw new Error(`sample of an undeclared family: ${line}`);
    family.samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return families;
}

function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.get(name.replace(/_(bucket|sum|count)$/, '')) ?? families.get(name);
  return family?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const T = Date.parse('2025-11-28T18:00:00.000Z');
const at = (seconds: number) => new Date(T + seconds * 1000).toISOString();

describe('GET /metrics', () => {
  it('needs the token', async () => {
    const { app } = await testApp();
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
  });

  it('answers a well-formed Prometheus exposition with the operator and process metrics', async () => {
    const { call } = await testApp();
    const res = await call({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parseExposition(res.body);
    const expected: Record<string, string> = {
      sync_runs_total: 'counter',
      sync_failures_total: 'counter',
      sync_rows_total: 'counter',
      sync_skips_total: 'counter',
      sync_run_duration_seconds: 'histogram',
      sync_phase_duration_seconds: 'histogram',
      sync_queue_length: 'gauge',
      sync_running_targets: 'gauge',
      sync_orchestrator_state: 'gauge',
      sync_leases_held: 'gauge',
      sync_lease_hold_seconds: 'histogram',
      sync_pause_latency_seconds: 'histogram',
      sync_erp_breaker_state: 'gauge',
      sync_stream_clients: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
      nodejs_eventloop_lag_p99_seconds: 'gauge',
      process_resident_memory_bytes: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) expect(families.get(name)?.type, name).toBe(type);
  });

  it('shows the parse worker’s own heap and how many workers and tasks there were', async () => {
    const { call } = await testApp();
    const before = parseExposition((await call({ url: '/metrics' })).body);
    const tasksBefore = value(before, 'sync_parse_worker_tasks_total') ?? 0;
    await parseExportFile(new URL('../../fixtures/exports/orders.pdf', import.meta.url).pathname, { type: 'orders' });
    await vi.waitFor(() => expect(parseWorkerStats().tasks).toBe(tasksBefore + 1));
    const families = parseExposition((await call({ url: '/metrics' })).body);
    expect(families.get('sync_parse_worker_heap_bytes')?.type).toBe('gauge');
    expect(families.get('sync_parse_worker_tasks_total')?.type).toBe('counter');
    expect(value(families, 'sync_parse_worker_tasks_total')).toBe(tasksBefore + 1);
    expect(value(families, 'sync_parse_worker_starts_total')).toBeGreaterThanOrEqual(1);
    expect(value(families, 'sync_parse_workers_idle')).toBe(1);
    const used = value(families, 'sync_parse_worker_heap_bytes', { kind: 'used' })!;
    expect(used).toBe(parseWorkerStats().heap!.usedBytes);
    expect(value(families, 'sync_parse_worker_heap_bytes', { kind: 'total' })).toBeGreaterThanOrEqual(used);
  });

  it('reads the queue, the running targets and the root state from the status at each scrape', async () => {
    const { call, runtime } = await testApp();
    const families = parseExposition((await call({ url: '/metrics' })).body);
    expect(value(families, 'sync_queue_length')).toBe(1);
    expect(value(families, 'sync_running_targets')).toBe(1);
    expect(value(families, 'sync_paused_targets')).toBe(1);
    expect(value(families, 'sync_orchestrator_state', { region: 'dispatch', state: 'running' })).toBe(1);
    expect(value(families, 'sync_orchestrator_state', { region: 'dispatch', state: 'idle' })).toBe(0);
    expect(value(families, 'sync_erp_breaker_state', { state: 'closed' })).toBe(1);
    expect(value(families, 'sync_target_last_run_timestamp_seconds', { target: 'prices@default', outcome: 'failed' })).toBe(Date.parse(runtime.status().targets.find((t) => t.target === 'prices@default')!.lastRun!.at) / 1000);

    runtime.regionStates = { dispatch: 'paused.holding', clock: 'waiting', erp: 'open' };
    const after = parseExposition((await call({ url: '/metrics' })).body);
    expect(value(after, 'sync_orchestrator_state', { region: 'dispatch', state: 'paused.holding' })).toBe(1);
    expect(value(after, 'sync_orchestrator_state', { region: 'dispatch', state: 'running' })).toBe(0);
  });

  it('counts a run by outcome with its duration, the time in each phase and its rows', async () => {
    const { call, runtime } = await testApp();
    const run = { target: 'orders@default', trigger: 'manual' };
    runtime.emit({ type: 'sync.started', at: at(0), ...run, probe: false });
    runtime.emit({ type: 'sync.progress', at: at(0), ...run, phase: 'downloading', done: 0, total: 1 });
    runtime.emit({ type: 'sync.progress', at: at(2), ...run, phase: 'parsing', done: 0, total: 40 });
    runtime.emit({ type: 'sync.progress', at: at(3), ...run, phase: 'parsing', done: 20, total: 40 });
    runtime.emit({ type: 'sync.progress', at: at(5), ...run, phase: 'applying', done: 0, total: 4210 });
    runtime.emit({ type: 'sync.progress', at: at(9), ...run, phase: 'finalizing', done: 0, total: 1 });
    const stats = { parsed: 4210, inserted: 3, updated: 12, unchanged: 4195, deleted: 1, orphans: 0, unlinked: 0 };
    runtime.emit({ type: 'sync.completed', at: at(10), ...run, stats });
    runtime.emit({ type: 'sync.started', at: at(20), target: 'prices@default', trigger: 'schedule', probe: false });
    runtime.emit({ type: 'sync.failed', at: at(21), target: 'prices@default', trigger: 'schedule', class: 'erp-unreachable', message: 'ECONNREFUSED', retry: 1, retryAt: at(26) });
    runtime.emit({ type: 'sync.skipped', at: at(22), target: 'ddt@default', trigger: 'chained', reason: 'NO_PARENT_CHANGES', detail: '' });

    const families = parseExposition((await call({ url: '/metrics' })).body);
    const orders = { service: 'orders' };
    expect(value(families, 'sync_runs_total', { ...orders, outcome: 'completed' })).toBe(1);
    expect(value(families, 'sync_runs_total', { service: 'prices', outcome: 'failed' })).toBe(1);
    expect(value(families, 'sync_failures_total', { service: 'prices', class: 'erp-unreachable' })).toBe(1);
    expect(value(families, 'sync_skips_total', { service: 'ddt', reason: 'NO_PARENT_CHANGES' })).toBe(1);
    expect(value(families, 'sync_run_duration_seconds_sum', { ...orders, outcome: 'completed' })).toBe(10);
    expect(value(families, 'sync_run_duration_seconds_bucket', { ...orders, outcome: 'completed', le: '5' })).toBe(0);
    expect(value(families, 'sync_run_duration_seconds_bucket', { ...orders, outcome: 'completed', le: '15' })).toBe(1);
    for (const [phase, seconds] of [['downloading', 2], ['parsing', 3], ['applying', 4], ['finalizing', 1]] as const) {
      expect(value(families, 'sync_phase_duration_seconds_sum', { ...orders, phase }), phase).toBe(seconds);
      expect(value(families, 'sync_phase_duration_seconds_count', { ...orders, phase }), phase).toBe(1);
    }
    for (const change of ['inserted', 'updated', 'unchanged', 'deleted'] as const) {
      expect(value(families, 'sync_rows_total', { ...orders, change }), change).toBe(stats[change]);
    }
  });

  it('measures pause latency from lease.acquired and hold time until lease.released', async () => {
    const { call, runtime } = await testApp();
    runtime.emit({ type: 'lease.acquired', at: at(0), leaseId: 'l-1', scope: '*', pausedTargets: ['products@default'], waitedMs: 250, expiresAt: at(300) });
    runtime.emit({ type: 'lease.released', at: at(30), leaseId: 'l-1', scope: '*', reason: 'released' });
    const families = parseExposition((await call({ url: '/metrics' })).body);
    expect(value(families, 'sync_pause_latency_seconds_count')).toBe(1);
    expect(value(families, 'sync_pause_latency_seconds_sum')).toBe(0.25);
    expect(value(families, 'sync_lease_hold_seconds_sum', { end: 'released' })).toBe(30);
  });

  it('keeps histogram buckets cumulative and ending in +Inf = count', async () => {
    const { call, runtime } = await testApp();
    for (let i = 0; i < 5; i++) runtime.emit({ type: 'lease.acquired', at: at(i), leaseId: `l-${i}`, scope: '*', pausedTargets: [], waitedMs: i * 400, expiresAt: at(600) });
    const families = parseExposition((await call({ url: '/metrics' })).body);
    const buckets = families.get('sync_pause_latency_seconds')!.samples.filter((s) => s.name.endsWith('_bucket'));
    const counts = buckets.map((b) => b.value);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(buckets.at(-1)).toMatchObject({ labels: { le: '+Inf' }, value: 5 });
    expect(value(families, 'sync_pause_latency_seconds_count')).toBe(5);
  });
});
