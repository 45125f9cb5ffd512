/**
 * One process of the capacity benchmark (`bench/capacity.bench.ts`): the service's runtime (real
 * orchestrator actor, ledgers, persistence, record stores and apply step on SQLite) in its own process,
 * so that its CPU time and memory are its own. Reads one JSON argument and prints one JSON line.
 *
 * - `schedule`: N agent accounts on the configured schedules, on a virtual clock; every export waits
 *   its ERP latency and parses to a revision of the committed fixture's records, so that
 *   every orders and products run reports changes and chains DDT, invoices and prices as a busy day does.
 *   Reports when each run completed, in schedule time.
 * - `cost`: the real browser source (Chromium) against the ERP simulator at `erpUrl` and the real pdf.js
 *   parse, every per-agent export for each account and the shared ones once: the CPU time of this process
 *   and of Chromium per run, and their peak resident memory.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportNames, type ExportType } from '../src/exports/registry.js';
import { loadConfig } from '../src/config.js';
import { BrowserSource } from '../src/erp/browser-source.js';
import { DirectorySource } from '../src/erp/directory-source.js';
import type { DownloadedExport, DownloadRequest, ExportSource } from '../src/erp/export-source.js';
import { processesWith, residentBytes } from '../src/erp/process-tree.js';
import type { ExportName } from '../src/parsers/export-tables.js';
import type { ExportRecord, ParsedExport } from '../src/parsers/types.js';
import { createRuntime } from '../src/runtime/runtime.js';
import { exportLatencyMs, REALISTIC_EXPORT_LATENCY } from '../src/simulator/export-latency.js';
import { REPO_ROOT, type GroundTruth } from '../src/simulator/fixtures.js';
import { createRandom } from '../src/simulator/random.js';
import type { ParseExportFile } from '../src/sync/export-parser.js';
import type { Service } from '../machines/index.js';
import { BOOT, VirtualClock } from '../test/machines/harness.js';
import { BENCH_PASSWORD, type CostArgs, type CostResult, type ScheduleArgs, type ScheduleResult } from './capacity-protocol.js';

const FIXTURE_EXPORTS = join(REPO_ROOT, 'fixtures', 'exports');
const TOKEN = 'capacity-bench-token-0123456789';
const HOUR_MS = 3_600_000;
/** Resident memory is sampled this often in the `cost` mode. */
const SAMPLE_MS = 200;

const agentNames = (n: number): string[] => Array.from({ length: n }, (_, i) => `agent${i + 1}`);

function readTruth(type: string): GroundTruth {
  return JSON.parse(readFileSync(join(FIXTURE_EXPORTS, `${type}.json`), 'utf8')) as GroundTruth;
}

/** An export's ground truth as the parser returns it. */
function parsedOf(truth: GroundTruth, records: ExportRecord[]): ParsedExport {
  return {
    type: truth.type,
    layout: {
      type: truth.type, cycleSize: truth.cycleSize, columnsPerPage: [], unknownColumns: [], missingColumns: [], missingFields: [],
      rowsPerCycle: [], pages: truth.pages, cycles: truth.cycles, ghostRows: truth.ghostRows ?? 0,
    },
    records,
  };
}

/** A text field each run changes in one record, so that orders and products report changes every run. */
const REVISED_FIELD: Partial<Record<ExportName, string>> = { orders: 'customerReference', products: 'description' };

/** The parser port of the `schedule` mode: the fixture's records, one of them revised per run. */
function revisingParser(): ParseExportFile {
  const truths = new Map<string, GroundTruth>();
  let revision = 0;
  return async (_file, { type }) => {
    if (!truths.has(type)) truths.set(type, readTruth(type));
    const truth = truths.get(type)!;
    const field = REVISED_FIELD[type];
    if (field === undefined) return parsedOf(truth, truth.records);
    revision++;
    const [first, ...rest] = truth.records;
    return parsedOf(truth, [{ ...first!, [field]: `${String(first![field] ?? '')} (rev ${revision})` }, ...rest]);
  };
}

/**
 * The folder source behind a wait of the export's ERP latency on the virtual clock: a run holds its
 * slot and its account for exactly that long in schedule time, whatever the machine's load.
 */
class LatencySource implements ExportSource {
  readonly kind = 'directory behind simulated ERP latencies';
  /** Downloads in their ERP wait now. */
  waiting = 0;
  private readonly random;

  constructor(private readonly inner: ExportSource, private readonly clock: VirtualClock, seed: string) {
    this.random = createRandom(`${seed}:latency`);
  }

  async download(request: DownloadRequest): Promise<DownloadedExport> {
    const ms = exportLatencyMs(REALISTIC_EXPORT_LATENCY, request.service as ExportType, 1, this.random);
    this.waiting++;
    try {
      await new Promise((resolve) => this.clock.setTimeout(resolve, ms));
    } finally {
      this.waiting--;
    }
    return this.inner.download(request);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * The schedule on a virtual clock, as a discrete-event simulation around the real runtime: time stands
 * still while the runtime works (dispatch, apply, ledgers, snapshot writes take real time, none of the
 * schedule's), and jumps to the next timer — a slot of the clock region, a backoff, the end of an ERP
 * wait — once every running target is waiting on the ERP.
 */
async function scheduleRun(args: ScheduleArgs): Promise<ScheduleResult> {
  const dir = mkdtempSync(join(process.env.CAPACITY_TMP ?? tmpdir(), 'bench-capacity-'));
  const config = loadConfig({
    DATA_DIR: dir, ERP_EXPORT_DIR: FIXTURE_EXPORTS, API_TOKEN: TOKEN, LOG_LEVEL: 'silent',
    SYNC_CONCURRENCY: String(args.concurrency), TIME_SCALE: '1', ERP_ACCOUNTS: agentNames(args.agents).join(','),
  });
  const clock = new VirtualClock(BOOT);
  const source = new LatencySource(new DirectorySource(FIXTURE_EXPORTS), clock, args.seed);
  const runtime = createRuntime({ config, clock, source, parse: revisingParser() });
  const completions: Record<string, number[]> = {};
  let [runs, failures] = [0, 0];
  runtime.orchestrator.subscribe((event) => {
    if (event.type === 'sync.failed') failures++;
    if (event.type !== 'sync.completed') return;
    runs++;
    (completions[String(event.target)] ??= []).push(clock.now() - BOOT);
  });
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const end = BOOT + args.hours * HOUR_MS;
  // Read from the actor's context, not `status()`: this is asked at every step of the loop.
  const settled = (): boolean => Object.keys(runtime.actor.getSnapshot().context.running).length === source.waiting;
  while (clock.now() < end) {
    do await new Promise((resolve) => setTimeout(resolve, 1));
    while (!settled());
    const next = clock.pending()[0];
    clock.advanceTo(next === undefined ? end : Math.min(next, end));
  }
  const cpu = process.cpuUsage(cpu0);
  const wallSeconds = (performance.now() - started) / 1000;
  // Runs still in their ERP wait would wait for a clock that no longer moves: the process ends without
  // a graceful stop (the measurement is over; the data folder goes with it).
  rmSync(dir, { recursive: true, force: true });
  return {
    completions, ranMs: end - BOOT, runs, failures, wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

/** CPU seconds (user + system) of processes, from `/proc/<pid>/stat`, for the ones still alive. */
function cpuSecondsOf(pids: readonly number[]): Map<number, number> {
  const ticks = 100; // USER_HZ on Linux
  const result = new Map<number, number>();
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      result.set(pid, (Number(fields[11]) + Number(fields[12])) / ticks);
    } catch {
      // Exited between listing and reading.
    }
  }
  return result;
}

function rssMiBOf(pids: readonly number[]): number {
  return residentBytes(pids) / 1024 / 1024;
}

async function costRun(args: CostArgs): Promise<CostResult> {
  const dir = mkdtempSync(join(process.env.CAPACITY_TMP ?? tmpdir(), 'bench-capacity-cost-'));
  const agents = agentNames(args.agents);
  const config = loadConfig({
    DATA_DIR: dir, ERP_URL: args.erpUrl, ERP_PASSWORD: BENCH_PASSWORD, API_TOKEN: TOKEN, LOG_LEVEL: 'silent',
    SYNC_CONCURRENCY: String(args.concurrency), ERP_ACCOUNTS: agents.map((a) => `${a}:${BENCH_PASSWORD}`).join(','),
    // The ERP window (07:00–20:00 against a real ERP) would hold a run at night: the simulator has no hours.
    ERP_HOURS: 'off',
  });
  const source = new BrowserSource({
    erpUrl: args.erpUrl, dataDir: dir, loginsPerDay: 10_000,
    accounts: [config.serviceAccount, ...config.agentAccounts],
  });
  const noTimers = Object.fromEntries(exportNames().map((service) => [service, { enabled: false }]));
  const runtime = createRuntime({ config, source, schedules: noTimers });
  const runs: Record<string, number> = {};
  let failures = 0;
  runtime.orchestrator.subscribe((event) => {
    const service = String(event.target).split('@')[0]!;
    if (event.type === 'sync.completed') runs[service] = (runs[service] ?? 0) + 1;
    if (event.type === 'sync.failed') failures++;
  });
  // Chromium's tree: every process alive at a sample is kept, so CPU of a process that exits counts to its last sample.
  const chromiumSeconds = new Map<number, number>();
  let chromiumPeak = 0;
  const sample = (): void => {
    const profile = source.stats().profileDir;
    if (profile === null) return;
    const pids = processesWith(profile);
    for (const [pid, seconds] of cpuSecondsOf(pids)) chromiumSeconds.set(pid, seconds);
    chromiumPeak = Math.max(chromiumPeak, rssMiBOf(pids));
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  const chromiumTotal = (): number => [...chromiumSeconds.values()].reduce((a, b) => a + b, 0);
  const idle = (): boolean => {
    const status = runtime.orchestrator.status();
    return status.running.length === 0 && status.queue.length === 0 && status.paused.length === 0 && status.targets.every((t) => t.retryAt === null);
  };
  /** Requests a service on every account (chained services follow as in the field) and waits until nothing is left to do. */
  const phase = async (service: Service): Promise<{ service: number; chromium: number }> => {
    sample();
    const [cpu0, chromium0] = [process.cpuUsage(), chromiumTotal()];
    runtime.orchestrator.request(service);
    do await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    while (!idle());
    sample();
    const cpu = process.cpuUsage(cpu0);
    return { service: (cpu.user + cpu.system) / 1e6, chromium: chromiumTotal() - chromium0 };
  };
  try {
    // The first login of each account and the browser's launch happen once a day, not per run: warm up.
    await phase('customers');
    for (const key of Object.keys(runs)) delete runs[key];
    // Orders chain DDT and invoices when they changed (a first import always does); customers run twice an hour.
    const agentPhase = { service: 0, chromium: 0 };
    for (const service of ['orders', 'customers', 'customers'] as const) {
      const spent = await phase(service);
      agentPhase.service += spent.service;
      agentPhase.chromium += spent.chromium;
    }
    // Products chain prices when they changed.
    const shared = await phase('products');
    return {
      runs, failures,
      serviceCpu: { agents: agentPhase.service, shared: shared.service },
      chromiumCpu: { agents: agentPhase.chromium, shared: shared.chromium },
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
      chromiumPeakRssMiB: chromiumPeak,
    };
  } finally {
    clearInterval(sampler);
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const args = JSON.parse(process.argv[2] ?? '{}') as ScheduleArgs | CostArgs;
const result = args.mode === 'schedule' ? await scheduleRun(args) : await costRun(args);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
