import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { processesWith, residentBytes } from '../src/erp/process-tree.js';
import { followStream, ready, serve, startSimulatorProcess, type Served, type StreamEvent } from './service-process.js';
import { random } from './random.js';
import { waitBoundMs, type ScheduleRow, type WaitBoundContext } from './wait-bound.js';

/**
 * `npm run soak`: the demo (`serve` → Chromium → the built-in ERP simulator) left to its own schedule at
 * a high `TIME_SCALE` while the simulator's faults are switched on and off at random, watched for what
 * a long life must not show: memory that keeps growing, a WAL that keeps growing, zombie Chromium,
 * unhandled rejections, a target that waits too long.
 *
 * A **cycle** is one finished sync run (completed or failed, any target): one pass of the schedule →
 * queue → Chromium download → parse → apply path. The run ledger holds the same count.
 */

/** Options of {@link runSoak}. */
export interface SoakOptions {
  /** Stop after this many cycles. */
  cycles: number;
  /** How many times faster than real time the schedules (and the simulator's data) run. */
  timeScale: number;
  /** Seed of the fault schedule. */
  seed: string;
  /** Cycles before the RSS slope is measured (start-up allocations, first parses, caches filling). */
  warmupCycles: number;
  /**
   * Longest any target may wait for its start (real ms). Default, per target (`wait-bound.ts`): the start
   * bound of `machines/ageing.ts` for the soak's cap, with the target's catalogue priority, N the targets
   * watched, D the longest run the soak saw and the soak's TIME_SCALE; plus, for a target never queued,
   * the time until it could first be queued.
   */
  waitBoundMs?: number;
  /** Largest WAL file allowed (bytes). */
  walBoundBytes: number;
  /** RSS growth allowed after warm-up, MB per 100 cycles. */
  rssSlopeBoundMb: number;
  /** Stops the soak (a violation) when the cycles are not done by then. */
  maxMs: number;
  /** Faults change every `faultEveryMs[0]`–`faultEveryMs[1]` ms (real time); 0 keeps them off. */
  faultEveryMs: readonly [number, number];
  log: (line: string) => void;
  /** `SYNC_CONCURRENCY` of the service. */
  concurrency: number;
  /** Chromium executable (`CHROMIUM_PATH`); the service's own search when absent. */
  chromiumPath?: string;
  /**
   * Where the ERP simulator runs: `process` (default) starts `sync-orchestrator simulator` as its own
   * process and points the service at it with `ERP_URL`, as the real ERP is another machine — the RSS
   * measured is then the service's alone; `in-service` soaks the demo as `npm start` runs it, the
   * simulator (its data, its PDF rendering) inside the service's process.
   */
  simulator?: 'process' | 'in-service';
}

/** The longest wait of one target from queued to started (real ms), and whether it is still waiting. */
export interface TargetWait {
  target: string;
  longestMs: number;
  stillWaiting: boolean;
  runs: number;
  /** Its bound (real ms): `--wait-bound-ms`, or its own from the ageing bound. */
  boundMs: number;
}

/** What a soak found; `violations` empty means it passed. */
export interface SoakReport {
  cycles: number;
  durationMs: number;
  /** Runs by outcome (`completed`, `failed:erp-unreachable`, …), from the service's own run ledger. */
  outcomes: Record<string, number>;
  breakerOpenings: number;
  faultChanges: number;
  /** Where the simulator ran (see {@link SoakOptions.simulator}). */
  simulator: 'process' | 'in-service';
  /**
   * The `memory` line of the service's ready block (glibc and its arena cap, `src/runtime/allocator.ts`),
   * or null where it prints none: the RSS figures depend on it.
   */
  allocator: string | null;
  /** RSS of the service process, MB: at the end of warm-up (null when it never ended), at the end, the largest seen. */
  rssMb: { afterWarmup: number | null; last: number; max: number };
  /** Least-squares slope of the service's RSS after warm-up, MB per 100 cycles; null with too few samples. */
  rssSlopeMbPer100: number | null;
  /**
   * The same for the RSS floor — the least sample of each {@link FLOOR_CYCLES} cycles — which leaves out
   * the working memory of parses in flight at the moment of a sample: memory retained run after run (a
   * leak) lifts the floor as much as every sample, the swing of a parse does not. Reported, not judged.
   */
  rssFloorSlopeMbPer100: number | null;
  /**
   * The main thread's V8 heap in use and its `external` memory (Buffers, SQLite statements' JS side), MB,
   * from the service's own metrics every {@link HEAP_EVERY} cycles: a growing heap is retained state, an
   * RSS that grows while the heap stays flat is native memory (worker threads, allocator, Chromium pipes).
   */
  heapMb: MemorySeries;
  /** The main thread's V8 heap as committed (used and free pages): what the heap costs in RSS. */
  heapTotalMb: MemorySeries;
  externalMb: MemorySeries;
  /**
   * The warm parse worker's own V8 heap (committed) after its last task, from the same metrics: a worker
   * isolate is in the RSS but not in the main thread's heap figures.
   */
  workerHeapMb: MemorySeries;
  /**
   * Parse workers started and the tasks they served, at the last sample: each start beyond the first is a
   * parse that overlapped another (one worker is kept warm) and costs a new isolate — a swing of the RSS.
   */
  parseWorkers: { started: number; tasks: number };
  /**
   * Rows in the data stores (every table of every database but `orchestrator.db`) when warm-up ended and
   * at the end: an RSS slope means something only while the data it holds keeps its size.
   */
  storeRows: { afterWarmup: number | null; last: number };
  walMaxBytes: number;
  zombieChromium: number;
  orphanChromium: number;
  unhandledRejections: number;
  waits: TargetWait[];
  /** Longest run seen, started → finished (real ms): D of the bound. */
  longestRunMs: number;
  /** `--wait-bound-ms` for every target, or null: each target's own bound (`TargetWait.boundMs`). */
  waitBoundMs: number | null;
  violations: string[];
}

/** One memory figure sampled over the soak, MB. */
export interface MemorySeries {
  afterWarmup: number | null;
  last: number;
  max: number;
  slopePer100: number | null;
}

const TOKEN = 'soak-harness-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
/** RSS slopes over fewer post-warm-up cycles than this say more about the GC than about a leak. */
const MIN_SLOPE_CYCLES = 100;
/** Cycles per window of the RSS floor. */
const FLOOR_CYCLES = 20;
/** The service's heap is read from its metrics every this many cycles. */
const HEAP_EVERY = 10;
/** Zombies are looked for every this many cycles (a `ps` call each). */
const ZOMBIE_EVERY = 10;
/** How long a zombie may wait for its parent to reap it. */
const ZOMBIE_GRACE_MS = 2_000;
/** Node prints this for every unhandled rejection under `--unhandled-rejections=warn`. */
const UNHANDLED = /UnhandledPromiseRejectionWarning|unhandledRejection/g;

/**
 * Faults the soak switches on, one or two at a time: counted ones fire for the next few occurrences,
 * standing ones stay until the next change. Each is a way the real ERP has been seen to fail.
 */
const FAULTS: ReadonlyArray<(next: () => number) => Record<string, unknown>> = [
  (next) => ({ slowPagesMs: 200 + Math.floor(next() * 1_500) }),
  (next) => ({ http500: 1 + Math.floor(next() * 4) }),
  () => ({ refuseLogin: 1 }),
  () => ({ stallDownload: 1 }),
  (next) => ({ truncatePdf: 1 + Math.floor(next() * 2) }),
  () => ({ exportClickIgnored: 1 }),
  () => ({ objectsBanner: 1 }),
  () => ({ objectsNavigation: 1 }),
  () => ({ emptyCells: 1 }),
  () => ({ strayPopup: 1 }),
  () => ({ expireSessions: true }),
  () => ({ narrowLayout: true }),
  () => ({ englishUi: true }),
];

/** Runs one soak; never throws for a violation (they are in the report), only for a broken harness. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const work = await mkdtemp(join(tmpdir(), 'sync-soak-'));
  try {
    return await soak(options, join(work, 'data'));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function soak(options: SoakOptions, dataDir: string): Promise<SoakReport> {
  const { log } = options;
  const began = performance.now();
  const where = options.simulator ?? 'process';
  // Data change at the service's TIME_SCALE, as the in-service simulator's do (an hour per 3.6 s / scale).
  const erp = where === 'process' ? await startSimulatorProcess(['--hour-ms', String(Math.max(1, Math.round(3_600_000 / options.timeScale)))]) : null;
  const served = serve({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    API_TOKEN: TOKEN,
    TIME_SCALE: String(options.timeScale),
    SYNC_CONCURRENCY: String(options.concurrency),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    // An unhandled rejection is printed and counted instead of ending the process (Node's default).
    NODE_OPTIONS: '--unhandled-rejections=warn',
    ...(options.chromiumPath === undefined ? {} : { CHROMIUM_PATH: options.chromiumPath }),
    // A real ERP_URL turns on the office-hours window; the soak runs around the clock.
    ...(erp === null ? {} : { ...erp.env, ERP_HOURS: 'off' }),
  });
  try {
    const url = await ready(served);
    const simulator = erp?.url ?? /built-in ERP simulator at (http:\/\/\S+)/.exec(served.output())?.[1];
    if (simulator === undefined) throw new Error(`the ready block names no simulator:\n${served.output()}`);
    const schedules = await schedulesOf(url);
    const watch = await watchService(served, url, dataDir, options);
    const faults = switchFaults(simulator, options);
    try {
      await watch.done;
    } finally {
      faults.stop();
      watch.close();
    }
    served.child.kill('SIGTERM');
    const exit = await served.exited;
    const report = watch.report(options.waitBoundMs ?? null, schedules, Math.round(performance.now() - began));
    report.faultChanges = faults.changes();
    report.simulator = where;
    report.allocator = /^ {2}memory +(.+)$/m.exec(served.output())?.[1] ?? null;
    report.outcomes = ledgerOutcomes(dataDir);
    report.orphanChromium = processesWith(dataDir).length;
    report.unhandledRejections = served.output().match(UNHANDLED)?.length ?? 0;
    report.violations = violations(report, options, exit);
    // A service that did not end cleanly said why on its way out (a fatal error, an abort): keep its last words.
    if (exit.code !== 0) report.violations.push(`the service's last output:\n${lastLines(served.output(), 40)}`);
    return report;
  } finally {
    served.child.kill('SIGKILL');
    erp?.served.child.kill('SIGKILL');
  }
}

/** The enabled targets of the service (`service@account`), from its status. */
async function targetsOf(url: string): Promise<string[]> {
  const response = await fetch(`${url}/api/sync/status`, { headers: AUTH });
  const { targets, schedules } = (await response.json()) as {
    targets: Array<{ target: string; service: string }>;
    schedules: Record<string, { enabled: boolean }>;
  };
  return targets.filter(({ service }) => schedules[service]?.enabled !== false).map(({ target }) => target);
}

/** The service's schedule (first slots and chains), read before anything runs. */
async function schedulesOf(url: string): Promise<ScheduleRow[]> {
  const response = await fetch(`${url}/api/sync/schedule`, { headers: AUTH });
  return ((await response.json()) as { schedules: ScheduleRow[] }).schedules;
}

/** Switches faults on and off at random moments until stopped. */
function switchFaults(simulator: string, options: SoakOptions): { stop: () => void; changes: () => number } {
  const next = random(options.seed);
  const [least, most] = options.faultEveryMs;
  let changes = 0;
  let timer: NodeJS.Timeout | undefined;
  const post = (body: Record<string, unknown>): Promise<unknown> =>
    fetch(`${simulator}/__admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => undefined);
  const change = async (): Promise<void> => {
    // Half the time calm; otherwise one or two faults, the standing ones of the last change cleared first.
    const picks = next() < 0.5 ? [] : Array.from({ length: 1 + Math.floor(next() * 2) }, () => FAULTS[Math.floor(next() * FAULTS.length)]!(next));
    await post({ reset: true, ...Object.assign({}, ...picks) });
    changes++;
    schedule();
  };
  const schedule = (): void => {
    timer = setTimeout(() => void change(), least + next() * (most - least));
  };
  if (most > 0) schedule();
  return {
    stop: () => {
      clearTimeout(timer);
      void post({ reset: true });
    },
    changes: () => changes,
  };
}

interface Watch {
  done: Promise<void>;
  close: () => void;
  report: (waitBoundMs: number | null, schedules: readonly ScheduleRow[], durationMs: number) => SoakReport;
}

/** Follows the live stream: counts cycles, breaker openings and waits; samples RSS, WAL and zombies per cycle. */
async function watchService(served: Served, url: string, dataDir: string, options: SoakOptions): Promise<Watch> {
  const pid = served.child.pid!;
  const began = performance.now();
  // Every target of the service is watched from the start: one that never starts (its timer starved, or
  // its requests merged away) has waited the whole soak, and is judged against the bound like any other.
  const watchedSince = Date.now();
  const targets = await targetsOf(url);
  const rss: number[] = [];
  // Heap and external memory by cycle number (sampled every HEAP_EVERY cycles).
  const heap: Array<{ cycle: number } & HeapSample> = [];
  const queuedAt = new Map<string, number>();
  const waits = new Map<string, TargetWait>();
  const startedAt = new Map<string, number>();
  let longestRunMs = 0;
  let cycles = 0;
  let breakerOpenings = 0;
  let walMaxBytes = 0;
  let rowsAfterWarmup: number | null = null;
  let zombies = 0;
  let finish: () => void = () => undefined;
  let stopped = false;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const waitOf = (target: string): TargetWait => {
    const found = waits.get(target) ?? { target, longestMs: 0, stillWaiting: false, runs: 0, boundMs: 0 };
    waits.set(target, found);
    return found;
  };
  const cycle = (): void => {
    cycles++;
    rss.push(rssMb(pid));
    walMaxBytes = Math.max(walMaxBytes, walBytes(dataDir));
    if (cycles === Math.max(1, options.warmupCycles)) rowsAfterWarmup = storeRows(dataDir);
    if (cycles % ZOMBIE_EVERY === 0) void lastingZombies(pid).then((found) => (zombies = Math.max(zombies, found)));
    if (cycles % HEAP_EVERY === 0) {
      const at = cycles;
      void heapOf(url).then((sample) => sample !== null && heap.push({ cycle: at, ...sample }));
    }
    if (cycles % 100 === 0) {
      const measured = rss.slice(options.warmupCycles);
      const sofar = measured.length >= 2 ? `${(slope(measured) * 100).toFixed(2)} MB/100 cycles` : 'warming up';
      const last = heap.at(-1);
      const heapNow = last === undefined ? '' : `  heap ${last.used.toFixed(1)} of ${last.total.toFixed(1)} MB, external ${last.external.toFixed(1)} MB, parse worker ${last.worker.toFixed(1)} MB`;
      options.log(`cycle ${cycles}  ${Math.round((performance.now() - began) / 1000)} s  rss ${rss.at(-1)!.toFixed(1)} MB (slope ${sofar})${heapNow}  wal max ${(walMaxBytes / 1e6).toFixed(1)} MB  breaker openings ${breakerOpenings}  zombies ${zombies}`);
    }
    if (cycles >= options.cycles) finish();
  };
  const onEvent = (event: StreamEvent): void => {
    const at = typeof event.at === 'string' ? Date.parse(event.at) : Date.now();
    const target = event.target ?? '';
    if (event.type === 'sync.queued' && !queuedAt.has(target)) queuedAt.set(target, at);
    if (event.type === 'sync.started') {
      const wait = waitOf(target);
      const since = queuedAt.get(target);
      if (since !== undefined) wait.longestMs = Math.max(wait.longestMs, at - since);
      queuedAt.delete(target);
      startedAt.set(target, at);
      wait.runs++;
    }
    if (event.type === 'sync.completed' || event.type === 'sync.failed') {
      const since = startedAt.get(target);
      if (since !== undefined) longestRunMs = Math.max(longestRunMs, at - since);
      startedAt.delete(target);
      cycle();
    }
    if (event.type === 'erp.circuit' && event.state === 'open') breakerOpenings++;
  };
  // The stream drops a client that falls behind; the soak reconnects and asks for what it missed.
  let stream: { close: () => void } | null = null;
  let lastSeq = 0;
  let epoch: unknown;
  const connect = async (): Promise<void> => {
    const query = epoch === undefined ? '' : `?since=${lastSeq}&epoch=${String(epoch)}`;
    stream = await followStream(`${url}`, TOKEN, (event) => {
      lastSeq = event.seq;
      if (event.type === 'status') epoch = event.epoch;
      else onEvent(event);
    }, query, () => {
      if (!stopped) setTimeout(() => void connect().catch(() => undefined), 500);
    });
  };
  await connect();
  const deadline = setTimeout(finish, options.maxMs);
  const exited = served.exited.then(finish);
  return {
    done: Promise.race([done, exited]).then(() => clearTimeout(deadline)),
    close: () => {
      stopped = true;
      stream?.close();
    },
    report: (waitBoundMs, schedules, durationMs) => {
      const now = Date.now();
      const neverQueued = new Set<string>();
      for (const target of targets) {
        const wait = waitOf(target);
        if (wait.runs === 0 && !queuedAt.has(target)) {
          Object.assign(wait, { longestMs: now - watchedSince, stillWaiting: true });
          neverQueued.add(target);
        }
      }
      for (const [target, since] of queuedAt) {
        const wait = waitOf(target);
        if (now - since > wait.longestMs) Object.assign(wait, { longestMs: now - since, stillWaiting: true });
      }
      const afterWarmup = rss.slice(options.warmupCycles);
      const heapAfterWarmup = heap.filter((sample) => sample.cycle > options.warmupCycles);
      const series = (values: number[]): MemorySeries => ({
        afterWarmup: values[0] ?? null,
        last: values.at(-1) ?? 0,
        max: Math.max(0, ...values),
        // Samples are HEAP_EVERY cycles apart.
        slopePer100: values.length * HEAP_EVERY >= MIN_SLOPE_CYCLES ? (slope(values) * 100) / HEAP_EVERY : null,
      });
      return {
        cycles,
        durationMs,
        outcomes: {},
        breakerOpenings,
        faultChanges: 0,
        simulator: 'process',
        allocator: null,
        rssMb: { afterWarmup: afterWarmup[0] ?? null, last: rss.at(-1) ?? 0, max: Math.max(0, ...rss) },
        rssSlopeMbPer100: afterWarmup.length >= MIN_SLOPE_CYCLES ? slope(afterWarmup) * 100 : null,
        rssFloorSlopeMbPer100: afterWarmup.length >= MIN_SLOPE_CYCLES ? (slope(floors(afterWarmup, FLOOR_CYCLES)) * 100) / FLOOR_CYCLES : null,
        heapMb: series(heapAfterWarmup.map((sample) => sample.used)),
        heapTotalMb: series(heapAfterWarmup.map((sample) => sample.total)),
        externalMb: series(heapAfterWarmup.map((sample) => sample.external)),
        workerHeapMb: series(heapAfterWarmup.map((sample) => sample.worker)),
        parseWorkers: { started: heap.at(-1)?.workerStarts ?? 0, tasks: heap.at(-1)?.workerTasks ?? 0 },
        storeRows: { afterWarmup: rowsAfterWarmup, last: storeRows(dataDir) },
        walMaxBytes,
        zombieChromium: zombies,
        orphanChromium: 0,
        unhandledRejections: 0,
        waits: withBounds([...waits.values()], waitBoundMs, neverQueued, schedules, {
          cap: options.concurrency,
          timeScale: options.timeScale,
          targets: waits.size,
          longestRunMs,
          watchedSince,
        }),
        longestRunMs,
        waitBoundMs,
        violations: [],
      };
    },
  };
}

/** Each wait with its bound (the override, or its own), longest wait first. */
function withBounds(
  waits: TargetWait[],
  override: number | null,
  neverQueued: ReadonlySet<string>,
  schedules: readonly ScheduleRow[],
  context: WaitBoundContext,
): TargetWait[] {
  return waits
    .map((wait) => ({ ...wait, boundMs: override ?? Math.round(waitBoundMs(wait.target, neverQueued.has(wait.target), schedules, context)) }))
    .sort((a, b) => b.longestMs - a.longestMs);
}

/** The last `count` lines of a process's output, indented. */
function lastLines(output: string, count: number): string {
  return output.trimEnd().split('\n').slice(-count).map((line) => `    ${line}`).join('\n');
}

function violations(report: SoakReport, options: SoakOptions, exit: { code: number | null; signal: NodeJS.Signals | null }): string[] {
  const found: string[] = [];
  if (report.cycles < options.cycles) found.push(`only ${report.cycles} of ${options.cycles} cycles before the soak stopped`);
  if (exit.code !== 0) found.push(`the service ended with ${exit.signal ?? `exit code ${exit.code}`}, not a clean exit after SIGTERM`);
  if (report.rssSlopeMbPer100 !== null && report.rssSlopeMbPer100 > options.rssSlopeBoundMb) {
    found.push(`RSS grows ${report.rssSlopeMbPer100.toFixed(2)} MB per 100 cycles after warm-up (bound ${options.rssSlopeBoundMb})`);
  }
  if (report.walMaxBytes > options.walBoundBytes) found.push(`a WAL reached ${report.walMaxBytes} bytes (bound ${options.walBoundBytes})`);
  if (report.zombieChromium > 0) found.push(`${report.zombieChromium} zombie Chromium processes`);
  if (report.orphanChromium > 0) found.push(`${report.orphanChromium} Chromium processes outlived the service`);
  if (report.unhandledRejections > 0) found.push(`${report.unhandledRejections} unhandled rejections`);
  for (const wait of report.waits) {
    if (wait.longestMs > wait.boundMs) found.push(`${wait.target} waited ${wait.longestMs} ms${wait.stillWaiting ? ' and still waits' : ''} (bound ${wait.boundMs} ms)`);
  }
  return found;
}

/** Resident set of a process, MB (Linux `/proc`). */
function rssMb(pid: number): number {
  return residentBytes([pid]) / 1024 / 1024;
}

/** Memory figures of the service's metrics, MB: the main thread's heap (used, committed), its external memory, the parse worker's heap. */
interface HeapSample {
  used: number;
  total: number;
  external: number;
  /** 0 before the first parse. */
  worker: number;
  /** Parse workers started and tasks they served since the service started (counts, not MB). */
  workerStarts: number;
  workerTasks: number;
}

/** A {@link HeapSample} from the service's metrics; null when it does not answer. */
async function heapOf(url: string): Promise<HeapSample | null> {
  try {
    const text = await (await fetch(`${url}/metrics`, { headers: AUTH })).text();
    const value = (series: string): number => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
    const read = (series: string): number => value(series) / 1024 / 1024;
    const known = (n: number): number => (Number.isFinite(n) ? n : 0);
    const sample = {
      used: read('nodejs_heap_size_used_bytes'),
      total: read('nodejs_heap_size_total_bytes'),
      external: read('nodejs_external_memory_bytes'),
      worker: known(read('sync_parse_worker_heap_bytes{kind="total"}')),
      workerStarts: known(value('sync_parse_worker_starts_total')),
      workerTasks: known(value('sync_parse_worker_tasks_total')),
    };
    return Number.isFinite(sample.used) ? sample : null;
  } catch {
    return null;
  }
}

/** The largest `-wal` file of the data dir, bytes. */
function walBytes(dataDir: string): number {
  let largest = 0;
  for (const name of readdirSync(dataDir)) {
    if (!name.endsWith('-wal')) continue;
    try {
      largest = Math.max(largest, statSync(join(dataDir, name)).size);
    } catch {
      // Checkpointed and removed while we looked.
    }
  }
  return largest;
}

/**
 * Zombie Chromium processes under `root` that are still zombies 2 s later: a process that just exited is
 * a zombie until its parent reaps it, which is normal; one nobody reaps is the leak.
 */
async function lastingZombies(root: number): Promise<number> {
  const first = zombieChromium(root);
  if (first.length === 0) return 0;
  await new Promise((resolve) => setTimeout(resolve, ZOMBIE_GRACE_MS));
  const second = new Set(zombieChromium(root));
  return first.filter((pid) => second.has(pid)).length;
}

/** Pids of zombie (`ps` state Z) Chromium processes among the descendants of `root`. */
function zombieChromium(root: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,stat=,comm='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 4)
    .map(([pid, ppid, stat, comm]) => ({ pid: Number(pid), ppid: Number(ppid), stat: stat!, comm: comm! }));
  const family = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows) if (family.has(row.ppid) && !family.has(row.pid)) grew = family.add(row.pid) !== null;
  }
  return rows.filter((row) => family.has(row.pid) && row.stat.startsWith('Z') && /chrom/i.test(row.comm)).map((row) => row.pid);
}

/** The least value of each whole window of `size` values. */
function floors(values: number[], size: number): number[] {
  const found: number[] = [];
  for (let at = 0; at + size <= values.length; at += size) found.push(Math.min(...values.slice(at, at + size)));
  return found;
}

/** Least-squares slope of `values` against their index. */
function slope(values: number[]): number {
  const n = values.length;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

/** Rows in every table of the data stores (all databases but `orchestrator.db`), read while the service writes. */
function storeRows(dataDir: string): number {
  let rows = 0;
  for (const name of readdirSync(dataDir)) {
    if (!name.endsWith('.db') || name === 'orchestrator.db') continue;
    const db = new Database(join(dataDir, name), { readonly: true, fileMustExist: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>;
      for (const { name: table } of tables) rows += (db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  }
  return rows;
}

/** Runs by outcome from the stopped service's own ledger (`failed:<class>` for failures). */
function ledgerOutcomes(dataDir: string): Record<string, number> {
  const db = new Database(join(dataDir, 'orchestrator.db'), { readonly: true });
  try {
    const rows = db.prepare("SELECT outcome || COALESCE(':' || error_class, '') AS outcome, COUNT(*) AS runs FROM runs GROUP BY 1 ORDER BY 2 DESC").all() as Array<{ outcome: string; runs: number }>;
    return Object.fromEntries(rows.map((row) => [row.outcome, row.runs]));
  } finally {
    db.close();
  }
}
