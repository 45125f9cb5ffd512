/**
 * Capacity (issue 12, item 3): how many agent accounts one machine keeps fresh. For SYNC_CONCURRENCY
 * 1, 2 and 4, the largest number of agent accounts whose orders stay within their hourly interval at
 * p95 (customers within theirs too), found by doubling then bisection; each try is a service process
 * (`bench/capacity-child.ts`) running the real orchestrator on the configured schedules on a virtual
 * clock, against ERP latencies drawn from `REALISTIC_EXPORT_LATENCY`. At each capacity point the CPU and memory of the
 * service and of Chromium come from a real-browser run against the ERP simulator (the `cost` child),
 * per run, times the runs an hour of that many accounts makes.
 *
 * `npm run bench -- capacity --quick` simulates fewer schedule hours per try and bisects more coarsely.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startErpSimulator } from '../src/simulator/erp-simulator.js';
import { BENCH_PASSWORD, SERVICE_ACCOUNT, type CostArgs, type CostResult, type ScheduleArgs, type ScheduleResult } from './capacity-protocol.js';
import type { BenchRow } from './report.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const CHILD = join(import.meta.dirname, 'capacity-child.ts');
/** The tries' data folders live in memory where Linux offers it: the disk is not what is measured. */
const MEMORY_TMP = '/dev/shm';

const CONCURRENCIES = [1, 2, 4] as const;
const MINUTE_MS = 60_000;
/** The orders interval (the configured default) and the customers one, in minutes. */
const ORDERS_INTERVAL_MIN = 60;
const CUSTOMERS_INTERVAL_MIN = 30;
/**
 * "Within its interval" with 3 minutes of slack: when its slot comes, an account's run may wait for the
 * runs that already hold the slots (one DDT export alone can take two minutes).
 */
const SLACK_MIN = 3;
const FRESH_LIMIT_MIN = ORDERS_INTERVAL_MIN + SLACK_MIN;
const CUSTOMERS_LIMIT_MIN = CUSTOMERS_INTERVAL_MIN + SLACK_MIN;
/** The most accounts tried (the doubling stops here). */
const MAX_AGENTS = 1_024;
/** Agent accounts of the real-browser cost run, per unit of concurrency (so that every slot is used). */
const COST_AGENTS_PER_SLOT = 2;
/** Share of the machine's two cores one machine should not exceed at its capacity. */
const CPU_HEADROOM = 0.8;
const MACHINE_CORES = 2;

/** Search settings: full, or `--quick`. */
interface Plan {
  /** Schedule hours per try: the boot hour and steady ones (a backlog shows as a late refresh). */
  hours: number;
  /** The bisection stops when the bracket is this share of its lower end (or 2 accounts). */
  tolerance: number;
}

const FULL: Plan = { hours: 3, tolerance: 0.1 };
const QUICK: Plan = { hours: 2.5, tolerance: 0.25 };

/** One try of the search. */
interface Point {
  agents: number;
  /** p95 of the time between successive orders refreshes of an account, schedule minutes. */
  ordersP95Min: number;
  customersP95Min: number;
  fresh: boolean;
  result: ScheduleResult;
}

/** `p` in 0..100 of values (nearest rank). */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.POSITIVE_INFINITY;
}

/**
 * Minutes between successive completions of a service's run per account, plus, where the last one is
 * older than the interval at the end, that age (a refresh that never came must count, not vanish).
 */
export function refreshGaps(result: ScheduleResult, service: string, agents: number, intervalMin: number): number[] {
  const gaps: number[] = [];
  for (let i = 1; i <= agents; i++) {
    const times = result.completions[`${service}@agent${i}`] ?? [];
    for (let k = 1; k < times.length; k++) gaps.push((times[k]! - times[k - 1]!) / MINUTE_MS);
    const age = (result.ranMs - (times.at(-1) ?? 0)) / MINUTE_MS;
    if (age > intervalMin) gaps.push(age);
  }
  return gaps;
}

async function child<T>(args: ScheduleArgs | CostArgs): Promise<T> {
  const { stdout } = await run(process.execPath, [TSX, CHILD, JSON.stringify(args)], {
    cwd: ROOT, maxBuffer: 256 * 2 ** 20, env: { ...process.env, ...(existsSync(MEMORY_TMP) ? { CAPACITY_TMP: MEMORY_TMP } : {}) },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

async function tryPoint(plan: Plan, concurrency: number, agents: number, log: (line: string) => void): Promise<Point> {
  const result = await child<ScheduleResult>({ mode: 'schedule', agents, concurrency, hours: plan.hours, seed: `capacity-${concurrency}-${agents}` });
  const ordersP95Min = percentile(refreshGaps(result, 'orders', agents, ORDERS_INTERVAL_MIN), 95);
  const customersP95Min = percentile(refreshGaps(result, 'customers', agents, CUSTOMERS_INTERVAL_MIN), 95);
  // Orders outrank customers (priority 4 against 3): orders alone stay fresh far beyond the point where
  // customers stop being refreshed at all, so both are held to their interval.
  const fresh = ordersP95Min <= FRESH_LIMIT_MIN && customersP95Min <= CUSTOMERS_LIMIT_MIN && result.failures === 0;
  log(
    `  concurrency ${concurrency}, ${String(agents).padStart(4)} accounts: orders p95 ${ordersP95Min.toFixed(1)} min, customers p95 ${customersP95Min.toFixed(1)} min, ` +
      `${result.runs} runs, ${result.failures} failed, simulated in ${result.wallSeconds.toFixed(0)} s (${result.cpuSeconds.toFixed(0)} s CPU), ` +
      `RSS ${result.maxRssMiB.toFixed(0)} MiB → ${fresh ? 'fresh' : 'stale'}`,
  );
  return { agents, ordersP95Min, customersP95Min, fresh, result };
}

/** Doubling from 8 accounts per slot until orders or customers go stale, then bisection of the bracket. */
async function search(plan: Plan, concurrency: number, log: (line: string) => void): Promise<Point[]> {
  const points: Point[] = [];
  const at = async (agents: number): Promise<boolean> => {
    const point = await tryPoint(plan, concurrency, agents, log);
    points.push(point);
    return point.fresh;
  };
  let lo = 0;
  let hi = 8 * concurrency;
  while (hi <= MAX_AGENTS && (await at(hi))) [lo, hi] = [hi, hi * 2];
  while (hi - lo > Math.max(2, Math.round(lo * plan.tolerance))) {
    const mid = Math.round((lo + hi) / 2);
    if (await at(mid)) lo = mid;
    else hi = mid;
  }
  return points.sort((a, b) => a.agents - b.agents);
}

/**
 * A horizontal bar per try: the customers freshness p95 against accounts, with its limit marked — the
 * criterion that binds (orders, which outrank customers, stay at their interval throughout; their p95
 * is printed beside).
 */
export function asciiCurve(curves: { concurrency: number; points: Point[] }[]): string {
  const limitColumn = Math.round(CUSTOMERS_LIMIT_MIN);
  const width = limitColumn + 15;
  const lines = [`customers freshness p95, 1 char = 1 min, | = ${CUSTOMERS_LIMIT_MIN} min limit; orders p95 beside (limit ${FRESH_LIMIT_MIN} min)`];
  for (const { concurrency, points } of curves) {
    lines.push(`SYNC_CONCURRENCY ${concurrency}`);
    for (const p of points) {
      const chars = Math.min(width, Math.round(p.customersP95Min));
      const bar = Array.from({ length: Math.max(chars, limitColumn + 1) }, (_, i) => (i === limitColumn ? '|' : i < chars ? '#' : ' ')).join('');
      const customers = `${p.customersP95Min.toFixed(1)} min`;
      lines.push(`${String(p.agents).padStart(5)} accounts ${customers.padStart(9)} ${bar}${chars >= width ? '…' : ' '} orders ${p.ordersP95Min.toFixed(1)} min  ${p.fresh ? 'fresh' : 'stale'}`);
    }
  }
  return lines.join('\n');
}

/** CPU and memory of the real service and Chromium per run, with `concurrency` slots in use. */
async function cost(concurrency: number, erpUrl: string): Promise<CostResult & { agents: number }> {
  const agents = COST_AGENTS_PER_SLOT * concurrency;
  return { ...(await child<CostResult>({ mode: 'cost', agents, concurrency, erpUrl })), agents };
}

/** Runs the capacity search at each concurrency, then the cost runs, and returns the rows. */
export async function benchCapacity(log: (line: string) => void): Promise<BenchRow[]> {
  const plan = process.argv.includes('--quick') ? QUICK : FULL;
  log(`  ${plan === QUICK ? 'quick' : 'full'} search: ${plan.hours} schedule hours per try on a virtual clock`);
  const curves = await Promise.all(CONCURRENCIES.map(async (concurrency) => ({ concurrency, points: await search(plan, concurrency, log) })));
  log(asciiCurve(curves));

  const accounts = [SERVICE_ACCOUNT, ...Array.from({ length: COST_AGENTS_PER_SLOT * Math.max(...CONCURRENCIES) }, (_, i) => `agent${i + 1}`)];
  const sim = await startErpSimulator({ accounts: accounts.map((name) => ({ name, password: BENCH_PASSWORD })), loadingDelayMs: 50 });
  const rows: BenchRow[] = [];
  try {
    for (const { concurrency, points } of curves) {
      const best = points.filter((p) => p.fresh).at(-1);
      const spent = await cost(concurrency, sim.url);
      const n = best?.agents ?? 0;
      // An hour of one account: orders (chaining DDT and invoices), customers twice. Shared: products every
      // 2 h chaining prices, and prices' own 3-hourly timer (counted as half of that phase).
      const perHour = (phase: { agents: number; shared: number }): number => (n * phase.agents) / spent.agents + phase.shared * (0.5 + 1 / 6);
      const serviceCores = perHour(spent.serviceCpu) / 3600;
      const chromiumCores = perHour(spent.chromiumCpu) / 3600;
      const coresPerAccount = (spent.serviceCpu.agents + spent.chromiumCpu.agents) / spent.agents / 3600;
      const cpuBound = Math.floor((CPU_HEADROOM * MACHINE_CORES) / coresPerAccount);
      const serviceRss = Math.max(best?.result.maxRssMiB ?? 0, spent.maxRssMiB);
      log(
        `  concurrency ${concurrency}: cost run of ${spent.agents} accounts: ${JSON.stringify(spent.runs)} runs, ${spent.failures} failed; ` +
          `service CPU ${spent.serviceCpu.agents.toFixed(1)} s (agents) + ${spent.serviceCpu.shared.toFixed(1)} s (shared), ` +
          `Chromium CPU ${spent.chromiumCpu.agents.toFixed(1)} s + ${spent.chromiumCpu.shared.toFixed(1)} s, service RSS ${spent.maxRssMiB.toFixed(0)} MiB, Chromium peak RSS ${spent.chromiumPeakRssMiB.toFixed(0)} MiB`,
      );
      const name = (what: string): string => `capacity: SYNC_CONCURRENCY ${concurrency}, ${what}`;
      rows.push(
        { name: name(`agent accounts kept fresh (p95: orders ≤ ${FRESH_LIMIT_MIN}, customers ≤ ${CUSTOMERS_LIMIT_MIN} min)`), value: n, target: 'report', pass: true },
        { name: name('orders freshness p95 at that point (min)'), value: round(best?.ordersP95Min ?? 0), target: 'report', pass: true },
        { name: name('customers freshness p95 at that point (min)'), value: round(best?.customersP95Min ?? 0), target: 'report', pass: true },
        { name: name('CPU at that point, service + Chromium (cores)'), value: round(serviceCores + chromiumCores, 3), target: 'report', pass: true },
        { name: name('service RSS at that point (MiB)'), value: Math.round(serviceRss), target: 'report', pass: true },
        { name: name('Chromium RSS at that point (MiB)'), value: Math.round(spent.chromiumPeakRssMiB), target: 'report', pass: true },
        { name: name(`accounts at which CPU would reach ${CPU_HEADROOM * 100} % of ${MACHINE_CORES} cores`), value: cpuBound, target: 'report', pass: true },
        ...points.flatMap((p) => [
          { name: name(`${p.agents} accounts → orders freshness p95 (min)`), value: round(p.ordersP95Min), target: 'report', pass: true },
          { name: name(`${p.agents} accounts → customers freshness p95 (min)`), value: round(p.customersP95Min), target: 'report', pass: true },
        ]),
      );
    }
  } finally {
    await sim.close();
  }
  return rows;
}

function round(value: number, digits = 1): number {
  if (!Number.isFinite(value)) return -1;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
