import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Phase } from '../../../machines/index.js';
import { parseWorkerStats } from '../../parsers/parse-export.js';
import { PhaseTimer } from '../../runtime/phase-timer.js';
import type { RuntimeStatus } from '../../runtime/orchestrator-port.js';
import type { StreamEvent } from '../event-journal.js';

/**
 * Region states of the root statechart (DESIGN §4.1). Each is exported as a 0/1 series even while
 * inactive, so that a graph shows a state ending and not only beginning.
 */
const REGION_STATES: Record<keyof RuntimeStatus['state'], readonly string[]> = {
  dispatch: ['idle', 'queued', 'running', 'paused.draining', 'paused.holding'],
  clock: ['waiting', 'firing'],
  erp: ['closed', 'open', 'halfOpen'],
};

const BREAKER_STATES = ['closed', 'open', 'halfOpen'] as const;

/** Rows counters per change kind: the four an operator compares between runs. */
const ROW_CHANGES = ['inserted', 'updated', 'unchanged', 'deleted'] as const;

// Bucket bounds in seconds. Runs last from seconds (a small export) to tens of minutes (a 50,000-row
// export through a slow ERP); phases are shorter; a lease is held for a user's operation in the ERP
// (seconds to minutes); pause latency is bounded by one 500-row batch, well under a second when healthy.
const RUN_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];
const PHASE_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const LEASE_HOLD_BUCKETS = [1, 5, 15, 30, 60, 300, 900, 1800, 3600];
const PAUSE_LATENCY_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The guard reads memory in MB (MiB); Prometheus wants bytes. */
const MB = 1024 * 1024;

/** Where a run is, as far as its events tell: what the duration histograms need between two events. */
interface RunClock {
  startedAt: number;
  phases: PhaseTimer;
}

let processRegistry: Registry | null = null;

/**
 * Process metrics (event-loop delay, memory, CPU, GC, handles) in a registry of their own, created once
 * per process: prom-client's collectors start an event-loop monitor and a GC observer that are never
 * stopped, so one per app instance would pile up in tests; and they describe the process, not the app.
 */
function processMetrics(): Registry {
  if (processRegistry === null) {
    processRegistry = new Registry();
    // 10 ms resolution: fine enough to see a parse blocking the loop, cheap enough to leave on.
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 10 });
    parseWorkerMetrics(processRegistry);
  }
  return processRegistry;
}

/**
 * The parse workers' side of the process: a worker thread's V8 isolate is part of the process's RSS but
 * not of `nodejs_heap_*`, so a warm worker that kept growing would show only as unexplained RSS.
 */
function parseWorkerMetrics(register: Registry): void {
  const heap = new Gauge({
    name: 'sync_parse_worker_heap_bytes',
    help: 'V8 heap of the parse worker after its last task, by kind (used, total, external); absent before the first parse.',
    labelNames: ['kind'],
    registers: [register],
    collect() {
      const last = parseWorkerStats().heap;
      if (last === null) return;
      heap.set({ kind: 'used' }, last.usedBytes);
      heap.set({ kind: 'total' }, last.totalBytes);
      heap.set({ kind: 'external' }, last.externalBytes);
    },
  });
  const idle = new Gauge({
    name: 'sync_parse_workers_idle',
    help: 'Parse workers kept warm between tasks now.',
    registers: [register],
    collect() {
      idle.set(parseWorkerStats().idle);
    },
  });
  const total = (name: string, help: string, read: (stats: ReturnType<typeof parseWorkerStats>) => number): void => {
    const counter: Counter = new Counter({
      name,
      help,
      registers: [register],
      collect() {
        counter.reset();
        counter.inc(read(parseWorkerStats()));
      },
    });
  };
  total('sync_parse_worker_starts_total', 'Parse workers started since the process began (one per parse when none is warm).', (stats) => stats.started);
  total('sync_parse_worker_tasks_total', 'Parses and type detections the parse workers have finished.', (stats) => stats.tasks);
}

/**
 * The service's Prometheus metrics: counters and histograms fed from the stream's events (runs by
 * outcome, run and phase durations, rows changed, skips, lease hold time, pause latency), gauges read
 * from the status at each scrape (queue, running, leases, region states, breaker), and the process
 * metrics. It owns its registry, so that two apps in one process (tests) never share series.
 */
export class OperatorMetrics {
  /** The app's own series (the stream registers its gauges here too). */
  readonly registry = new Registry();
  private readonly runs = new Map<string, RunClock>();
  private readonly leaseGrantedAt = new Map<string, number>();

  private readonly eventsTotal = this.counter('sync_events_total', 'Orchestrator events seen, by type.', ['type']);
  private readonly runsTotal = this.counter('sync_runs_total', 'Finished runs, by service and outcome (completed, failed).', ['service', 'outcome']);
  private readonly failuresTotal = this.counter('sync_failures_total', 'Failed runs, by service and failure class.', ['service', 'class']);
  private readonly pausesTotal = this.counter('sync_pauses_total', 'Runs paused at a checkpoint, by service and cause (lease, operator, preempt, runtime).', ['service', 'cause']);
  private readonly skipsTotal = this.counter('sync_skips_total', 'Triggers that did not become a run, by service and reason code.', ['service', 'reason']);
  private readonly rowsTotal = this.counter('sync_rows_total', 'Rows of completed runs, by service and change (inserted, updated, unchanged, deleted).', ['service', 'change']);
  private readonly breakerTransitions = this.counter('sync_erp_breaker_transitions_total', 'ERP circuit breaker transitions, by the state entered.', ['state']);

  private readonly runDuration = this.histogram('sync_run_duration_seconds', 'Wall time from start to the end of a run, by service and outcome.', ['service', 'outcome'], RUN_BUCKETS);
  private readonly phaseDuration = this.histogram('sync_phase_duration_seconds', 'Time spent in each phase of a finished run, by service and phase.', ['service', 'phase'], PHASE_BUCKETS);
  private readonly leaseHold = this.histogram('sync_lease_hold_seconds', 'How long priority leases were held once granted, by how they ended (released, expired).', ['end'], LEASE_HOLD_BUCKETS);
  private readonly pauseLatency = this.histogram('sync_pause_latency_seconds', 'Lease requested → granted: how long running syncs took to pause at a checkpoint.', [], PAUSE_LATENCY_BUCKETS);

  private readonly queueLength = this.gauge('sync_queue_length', 'Entries waiting in the queue.');
  private readonly runningTargets = this.gauge('sync_running_targets', 'Targets running now.');
  private readonly pausedTargets = this.gauge('sync_paused_targets', 'Runs paused at a checkpoint, waiting to resume.');
  private readonly leasesHeld = this.gauge('sync_leases_held', 'Priority leases held (pending or active).');
  private readonly operatorPaused = this.gauge('sync_operator_paused', '1 while an operator pause is in force.');
  private readonly rootState = this.gauge('sync_orchestrator_state', 'Root statechart: 1 for the active state of each region.', ['region', 'state']);
  private readonly breakerState = this.gauge('sync_erp_breaker_state', 'ERP circuit breaker: 1 for the current state.', ['state']);
  private readonly breakerFailures = this.gauge('sync_erp_breaker_failures', 'Consecutive erp-unreachable failures counted by the breaker.');
  private readonly eventLoopDelay = this.gauge('sync_resource_event_loop_delay_seconds', 'Resource guard: p99 event-loop delay of the last sample window.');
  private readonly residentMemory = this.gauge('sync_resource_rss_bytes', 'Resource guard: resident memory of the process at the last sample.');
  private readonly chromiumMemory = this.gauge('sync_resource_chromium_rss_bytes', 'Resource guard: memory of every Chromium process of the service together at the last sample (proportional set size).');
  private readonly effectiveConcurrency = this.gauge('sync_effective_concurrency', 'Targets that may run now: SYNC_CONCURRENCY lowered by the resource guard, 0 while it holds new starts.');
  private readonly guardHeld = this.gauge('sync_resource_guard_held', '1 while the resource guard holds new starts.');
  private readonly guardChanges = this.counter('sync_resource_guard_changes_total', 'Resource guard moves, by change (stepped-down, held, released, stepped-up).', ['change']);
  private readonly lastRunAt = this.gauge('sync_target_last_run_timestamp_seconds', 'End of the last run of each target, by its outcome (freshness alerts).', ['target', 'outcome']);

  /** Updates the counters and histograms from one stream event. */
  observe(event: StreamEvent): void {
    this.eventsTotal.inc({ type: event.type });
    const at = Date.parse(event.at);
    const target = typeof event.target === 'string' ? event.target : '';
    const service = target.split('@')[0] ?? '';
    switch (event.type) {
      case 'sync.started':
        this.runs.set(target, { startedAt: at, phases: new PhaseTimer() });
        return;
      case 'sync.progress':
        this.runs.get(target)?.phases.enter(event.phase as Phase, at);
        return;
      case 'sync.paused':
        this.runs.get(target)?.phases.stop(at);
        this.pausesTotal.inc({ service, cause: causeOf(event.cause) });
        return;
      case 'sync.resumed': {
        // A run resumed after a restart has no start in this process; its duration counts from here.
        if (!this.runs.has(target)) this.runs.set(target, { startedAt: at, phases: new PhaseTimer() });
        return;
      }
      case 'sync.completed':
        this.finishRun(target, service, 'completed', at);
        for (const change of ROW_CHANGES) this.rowsTotal.inc({ service, change }, numberOf((event.stats as Record<string, unknown> | null)?.[change]));
        return;
      case 'sync.failed':
        this.finishRun(target, service, 'failed', at);
        this.failuresTotal.inc({ service, class: String(event.class) });
        return;
      case 'sync.skipped':
        this.skipsTotal.inc({ service, reason: String(event.reason) });
        return;
      case 'lease.acquired':
        this.pauseLatency.observe(numberOf(event.waitedMs) / 1000);
        this.leaseGrantedAt.set(String(event.leaseId), at);
        return;
      case 'lease.released': {
        const granted = this.leaseGrantedAt.get(String(event.leaseId));
        this.leaseGrantedAt.delete(String(event.leaseId));
        // A lease granted before this process started has no known start: counting it would lie.
        if (granted !== undefined) this.leaseHold.observe({ end: String(event.reason) }, seconds(at - granted));
        return;
      }
      case 'erp.circuit':
        this.breakerTransitions.inc({ state: String(event.state) });
        return;
      case 'resources.guard':
        this.guardChanges.inc({ change: String(event.change) });
        return;
    }
  }

  /** Sets the gauges from a status read now (called right before each scrape). */
  refresh(status: RuntimeStatus): void {
    this.queueLength.set(status.queue.length);
    this.runningTargets.set(status.running.length);
    this.pausedTargets.set(status.paused.length);
    this.leasesHeld.set(status.leases.length);
    this.operatorPaused.set(status.operatorPause === null ? 0 : 1);
    this.rootState.reset();
    for (const region of Object.keys(REGION_STATES) as (keyof RuntimeStatus['state'])[]) {
      const current = status.state[region];
      for (const state of new Set([...REGION_STATES[region], current])) this.rootState.set({ region, state }, state === current ? 1 : 0);
    }
    for (const state of BREAKER_STATES) this.breakerState.set({ state }, status.breaker.state === state ? 1 : 0);
    this.breakerFailures.set(status.breaker.failures);
    this.refreshResources(status.resourceGuard);
    this.lastRunAt.reset();
    for (const target of status.targets) {
      if (target.lastRun !== null) this.lastRunAt.set({ target: target.target, outcome: target.lastRun.outcome }, Date.parse(target.lastRun.at) / 1000);
    }
  }

  private refreshResources(guard: RuntimeStatus['resourceGuard']): void {
    this.effectiveConcurrency.set(guard.effectiveConcurrency);
    this.guardHeld.set(guard.held ? 1 : 0);
    if (guard.last === null) return;
    const { readings } = guard.last;
    this.eventLoopDelay.set(readings.eventLoopDelay / 1000);
    this.residentMemory.set(readings.rss * MB);
    this.chromiumMemory.set(readings.chromiumRss * MB);
  }

  /** The Prometheus text exposition: the process metrics, then the app's. */
  async exposition(): Promise<string> {
    return (await processMetrics().metrics()) + (await this.registry.metrics());
  }

  /** The Content-Type of {@link exposition}. */
  get contentType(): string {
    return this.registry.contentType;
  }

  private finishRun(target: string, service: string, outcome: 'completed' | 'failed', at: number): void {
    this.runsTotal.inc({ service, outcome });
    const run = this.runs.get(target);
    this.runs.delete(target);
    if (run === undefined) return;
    run.phases.stop(at);
    this.runDuration.observe({ service, outcome }, seconds(at - run.startedAt));
    for (const [phase, spent] of Object.entries(run.phases.totals)) this.phaseDuration.observe({ service, phase }, seconds(spent));
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string>(name: string, help: string, labelNames: L[], buckets: number[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  private gauge<L extends string = never>(name: string, help: string, labelNames: L[] = []): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}

function causeOf(cause: unknown): string {
  const kind = (cause as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? kind : 'unknown';
}

function numberOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Milliseconds → seconds, never negative (event times come from one clock, but a restore may reorder). */
function seconds(ms: number): number {
  return Number.isFinite(ms) ? Math.max(0, ms) / 1000 : 0;
}
