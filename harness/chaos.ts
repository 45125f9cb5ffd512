import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processesWith } from '../src/erp/process-tree.js';
import { activeTables, integrityProblems, publish, renderGenerations, tableDifferences, type ChaosScale } from './chaos-data.js';
import { random } from './random.js';
import { followStream, ready, serve, type Served, type StreamEvent } from './service-process.js';

/**
 * `npm run chaos`: kills the running service with SIGKILL at random moments and in named phases,
 * restarts it each time, and checks what a crash must never cost — database integrity, acknowledged
 * commands, the data itself (against a run that was never interrupted) — and that no Chromium is left
 * behind and restarts stay quick.
 */

/** Where a kill is aimed. */
export const KILL_PHASES = ['downloading', 'parsing', 'applying', 'finalizing', 'snapshot-write', 'acknowledged', 'random'] as const;
export type KillPhase = (typeof KILL_PHASES)[number];

/** Options of {@link runChaos}. */
export interface ChaosOptions {
  kills: number;
  /** Seed of the dataset and of every random choice: the same seed aims the same kills. */
  seed: string;
  /** `directory`: exports from a folder (tables compared with a reference run); `demo`: the built-in simulator and Chromium. */
  mode: 'directory' | 'demo';
  log: (line: string) => void;
  scale?: ChaosScale;
  /** Longest a restart may take until the API answers (default 30 s). */
  readyWithinMs?: number;
  /** Longest a full cycle may take after a kill (default 480 s: a loaded 2-core machine is slow). */
  convergeWithinMs?: number;
  /** No new kill is aimed after this long (the reference run and the checks still follow). */
  maxMs?: number;
  /** Keep the work folder (data dirs, exports) for a look after the campaign; its path is logged. */
  keep?: boolean;
}

/** One kill as it happened. */
export interface KillRecord {
  n: number;
  aimed: KillPhase;
  /** What the service last reported before the kill (`applying orders@default 1000/1600`, `ack lease`, …). */
  observed: string;
}

/** What a campaign found; `violations` empty means it passed. */
export interface ChaosReport {
  mode: ChaosOptions['mode'];
  kills: KillRecord[];
  integrityFailures: string[];
  lostCommands: string[];
  /** Recoveries that did not bring every service to a completed run on the exports of their kill. */
  unfinished: string[];
  tableDifferences: string[];
  orphanChromium: number;
  slowestReadyMs: number;
  convergeMs: number;
  /** Where the campaign's time went. */
  timings: ChaosTimings;
  violations: string[];
}

/** Milliseconds spent rendering the data, killing, recovering (restart and full cycle), and on the reference run. */
export interface ChaosTimings {
  renderMs: number;
  killMs: number;
  recoverMs: number;
  referenceMs: number;
}

const TOKEN = 'chaos-harness-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' };
/** How long a kill waits for its phase before it fires anyway (the phase may not come: nothing to do). */
const PHASE_WAIT_MS = 30_000;
/**
 * Kills cycle through this many versions of the data: each step changes, adds and removes rows, and the
 * step from the last back to the first brings removed rows back.
 */
const GENERATIONS = 3;
/** Every service has a last run after a full cycle. */
const SERVICES = ['customers', 'products', 'prices', 'orders', 'ddt', 'invoices'] as const;

/** A command acknowledged just before a kill, and how the restarted service must show it. */
interface Expectation {
  what: string;
  check: (url: string) => Promise<string | null>;
  undo: (url: string) => Promise<void>;
}

async function json<T>(url: string, path: string): Promise<T> {
  const response = await fetch(`${url}${path}`, { headers: AUTH });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return (await response.json()) as T;
}

interface Status {
  leases: Array<{ leaseId: string }>;
  operatorPause: { reason: string } | null;
  state: { dispatch: string };
  targets: Array<{ service: string; lastRun: { at: string; outcome: string } | null }>;
}

/** Runs one campaign; never throws for a violation (they are in the report), only for a broken harness. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const work = await mkdtemp(join(tmpdir(), 'sync-chaos-'));
  try {
    return await campaign(options, work);
  } finally {
    if (options.keep === true) options.log(`work folder kept: ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
}

async function campaign(options: ChaosOptions, work: string): Promise<ChaosReport> {
  const { log, mode } = options;
  const next = random(options.seed);
  const dataDir = join(work, 'data');
  const live = join(work, 'exports');
  const report: ChaosReport = { mode, kills: [], integrityFailures: [], lostCommands: [], unfinished: [], tableDifferences: [], orphanChromium: 0, slowestReadyMs: 0, convergeMs: 0, timings: { renderMs: 0, killMs: 0, recoverMs: 0, referenceMs: 0 }, violations: [] };
  // Kills cycle through a few generations of the data; a fresh last one proves the final cycle converges.
  const rendering = performance.now();
  const generations = mode === 'directory' ? await renderGenerations(join(work, 'generations'), options.seed, Math.min(options.kills, GENERATIONS), options.scale) : [];
  report.timings.renderMs = Math.round(performance.now() - rendering);
  const env = (data: string, exports: string): Record<string, string> => ({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: data,
    API_TOKEN: TOKEN,
    LOG_LEVEL: 'warn',
    ...(mode === 'directory' ? { ERP_EXPORT_DIR: exports } : {}),
  });
  const start = async (data: string, exports: string): Promise<{ served: Served; url: string }> => {
    const began = performance.now();
    const served = serve(env(data, exports));
    const url = await ready(served);
    report.slowestReadyMs = Math.max(report.slowestReadyMs, Math.round(performance.now() - began));
    return { served, url };
  };

  let pending: Expectation[] = [];
  const withinMs = options.convergeWithinMs ?? 480_000;
  const generationOf = (n: number): string => generations[(n - 1) % generations.length]!;
  const timed = async <T>(phase: keyof ChaosTimings, work: () => Promise<T>): Promise<T> => {
    const began = performance.now();
    try {
      return await work();
    } finally {
      report.timings[phase] += Math.round(performance.now() - began);
    }
  };
  // One process lives from a recovery to the next kill: a restart costs seconds, and a service that has
  // been running for a while is as fair a victim as a fresh one.
  const campaignBegan = performance.now();
  if (mode === 'directory') await publish(generationOf(1), live);
  let { served, url } = await start(dataDir, live);
  try {
    for (let n = 1; n <= options.kills && performance.now() - campaignBegan < (options.maxMs ?? Infinity); n++) {
      // The kill: a new generation of the data, every service asked for, SIGKILL in the aimed phase.
      if (mode === 'directory' && n > 1) await publish(generationOf(n), live);
      await timed('killMs', async () => {
        try {
          report.lostCommands.push(...(await settle(url, pending)));
          const aimed = KILL_PHASES[Math.floor(next() * KILL_PHASES.length)]!;
          const { observed, expectation } = await killIn(aimed, served, url, next);
          pending = expectation === null ? [] : [expectation];
          report.kills.push({ n, aimed, observed });
          log(`kill ${String(n).padStart(3)}  aimed ${aimed.padEnd(14)} ${observed}`);
        } finally {
          served.child.kill('SIGKILL');
          await served.exited;
        }
      });
      for (const problem of await integrityProblems(dataDir)) report.integrityFailures.push(`after kill ${n}: ${problem}`);
      // The recovery: restarted on the same exports, the service must finish what the kill interrupted.
      await timed('recoverMs', async () => {
        ({ served, url } = await start(dataDir, live));
        report.lostCommands.push(...(await settle(url, pending)));
        pending = [];
        const cycle = await fullCycle(url, withinMs);
        if (typeof cycle === 'string') report.unfinished.push(`after kill ${n}: ${cycle}`);
        else report.convergeMs = Math.max(report.convergeMs, cycle);
      });
    }
  } finally {
    await stop(served);
  }
  for (const problem of await integrityProblems(dataDir)) report.integrityFailures.push(`after the last recovery: ${problem}`);

  if (mode === 'directory') {
    // The campaign's last generations in the same order, each synced to the end by one process never
    // interrupted. Rows are keyed by their ERP id, so what the tables hold depends on the last export and
    // on the steps that led to it; one more than a whole round ends on the campaign's last generation
    // after every step of the round (changes, additions, removals, removed rows coming back).
    const referenceDir = join(work, 'reference');
    const killed = report.kills.length;
    const first = Math.max(1, killed - GENERATIONS);
    await timed('referenceMs', async () => {
      await publish(generationOf(first), live);
      const reference = await start(referenceDir, live);
      try {
        for (let n = first; n <= killed; n++) {
          if (n > first) await publish(generationOf(n), live);
          const cycle = await fullCycle(reference.url, withinMs);
          if (typeof cycle === 'string') throw new Error(`the reference run did not finish generation ${n}: ${cycle}`);
        }
      } finally {
        await stop(reference.served);
      }
    });
    report.tableDifferences = tableDifferences(await activeTables(dataDir), await activeTables(referenceDir));
  }
  report.orphanChromium = processesWith(dataDir).length;
  report.violations = violations(report, options);
  return report;
}

function violations(report: ChaosReport, options: ChaosOptions): string[] {
  const found = [
    ...(report.kills.length < options.kills ? [`the time limit stopped the campaign after ${report.kills.length} of ${options.kills} kills`] : []),
    ...report.integrityFailures,
    ...report.lostCommands.map((c) => `lost acknowledged command: ${c}`),
    ...report.unfinished,
    ...report.tableDifferences,
  ];
  if (report.orphanChromium > 0) found.push(`${report.orphanChromium} Chromium processes outlived the service`);
  const readyWithin = options.readyWithinMs ?? 30_000;
  if (report.slowestReadyMs > readyWithin) found.push(`a restart took ${report.slowestReadyMs} ms to answer (bound ${readyWithin} ms)`);
  return found;
}

/** SIGTERM, and SIGKILL if the service has not exited within 20 s. */
async function stop(served: Served): Promise<void> {
  served.child.kill('SIGTERM');
  const timer = setTimeout(() => served.child.kill('SIGKILL'), 20_000);
  await served.exited;
  clearTimeout(timer);
}

/** Checks what the last kill's acknowledged command promised, then undoes it so work can go on. */
async function settle(url: string, pending: Expectation[]): Promise<string[]> {
  const lost: string[] = [];
  for (const expectation of pending) {
    const problem = await expectation.check(url);
    if (problem !== null) lost.push(`${expectation.what}: ${problem}`);
    await expectation.undo(url);
  }
  // Nothing acknowledged earlier may come back: an undone lease or pause that reappears was lost too.
  const status = await json<Status>(url, '/api/sync/status');
  if (status.leases.length > 0) lost.push(`released leases are held again: ${status.leases.map((l) => l.leaseId).join(', ')}`);
  if (status.operatorPause !== null && status.operatorPause.reason !== 'shutdown') lost.push(`a lifted pause is back: ${status.operatorPause.reason}`);
  return lost;
}

/** Asks for every service, then kills the service in the aimed phase (or when the phase did not come). */
async function killIn(aimed: KillPhase, served: Served, url: string, next: () => number): Promise<{ observed: string; expectation: Expectation | null }> {
  let last = 'nothing reported';
  let fire: (what: string) => void = () => undefined;
  const fired = new Promise<string>((resolve) => (fire = resolve));
  const wanted = (event: StreamEvent): number | null => {
    if (event.type === 'sync.started' && aimed === 'downloading') return next() * 5;
    if (event.type !== 'sync.progress') return null;
    if (event.phase === aimed) return next() * (aimed === 'parsing' ? 300 : aimed === 'applying' ? 40 : 5);
    // Spans the coalescing window of the snapshot write (200 ms) after a state change.
    if (aimed === 'snapshot-write' && event.phase === 'applying') return next() * 200;
    return null;
  };
  const stream = await followStream(url, TOKEN, (event) => {
    if (event.type.startsWith('sync.')) last = `${event.type.slice(5)} ${event.target ?? ''} ${event.phase ?? ''} ${event.done ?? ''}/${event.total ?? ''}`.replace(/\s+/g, ' ').trim();
    const delay = wanted(event);
    if (delay !== null) setTimeout(() => fire(last), delay);
  });
  try {
    await fetch(`${url}/api/sync/all`, { method: 'POST', headers: JSON_AUTH, body: '{}' });
    if (aimed === 'acknowledged') return await acknowledgedKill(served, url, next);
    const timeout = aimed === 'random' ? next() * 3_000 : PHASE_WAIT_MS;
    const observed = await Promise.race([fired, new Promise<string>((resolve) => setTimeout(() => resolve(`${aimed === 'random' ? '' : 'phase not seen; '}${last}`), timeout))]);
    served.child.kill('SIGKILL');
    return { observed, expectation: null };
  } finally {
    stream.close();
  }
}

/** Sends one state-changing command and kills the service the moment its 2xx arrives. */
async function acknowledgedKill(served: Served, url: string, next: () => number): Promise<{ observed: string; expectation: Expectation }> {
  const pick = Math.floor(next() * 3);
  if (pick === 0) {
    const response = await fetch(`${url}/api/priority/leases`, { method: 'POST', headers: JSON_AUTH, body: JSON.stringify({ reason: 'chaos', ttlMs: 600_000 }) });
    served.child.kill('SIGKILL');
    if (response.status !== 201) return { observed: `lease answered ${response.status}`, expectation: nothing() };
    const { leaseId } = (await response.json()) as { leaseId: string };
    return {
      observed: `ack lease ${leaseId}`,
      expectation: {
        what: `lease ${leaseId}`,
        check: async (u) => ((await json<Status>(u, '/api/sync/status')).leases.some((l) => l.leaseId === leaseId) ? null : 'not held after restart'),
        undo: async (u) => void (await fetch(`${u}/api/priority/leases/${leaseId}`, { method: 'DELETE', headers: AUTH })),
      },
    };
  }
  if (pick === 1) {
    const intervalMinutes = 30 + Math.floor(next() * 60);
    const response = await fetch(`${url}/api/sync/schedule`, { method: 'POST', headers: JSON_AUTH, body: JSON.stringify({ service: 'customers', intervalMinutes }) });
    served.child.kill('SIGKILL');
    return {
      observed: `ack schedule customers ${intervalMinutes} min (${response.status})`,
      expectation: {
        what: `customers schedule ${intervalMinutes} min`,
        check: async (u) => {
          const { schedules } = await json<{ schedules: Array<{ service: string; intervalMinutes: number | null }> }>(u, '/api/sync/schedule');
          const found = schedules.find((s) => s.service === 'customers')?.intervalMinutes;
          return found === intervalMinutes ? null : `interval is ${String(found)} after restart`;
        },
        undo: async () => undefined,
      },
    };
  }
  const reason = `chaos pause ${Math.floor(next() * 1e6)}`;
  const response = await fetch(`${url}/api/sync/pause`, { method: 'POST', headers: JSON_AUTH, body: JSON.stringify({ reason }) });
  served.child.kill('SIGKILL');
  return {
    observed: `ack pause (${response.status})`,
    expectation: {
      what: `operator pause "${reason}"`,
      check: async (u) => ((await json<Status>(u, '/api/sync/status')).operatorPause?.reason === reason ? null : 'not paused after restart'),
      undo: async (u) => void (await fetch(`${u}/api/sync/resume`, { method: 'POST', headers: AUTH })),
    },
  };
}

function nothing(): Expectation {
  return { what: 'nothing', check: async () => null, undo: async () => undefined };
}

/**
 * Asks for every service and waits until each has a completed last run that finished after the request
 * and nothing is queued or running. Returns how long it took, or what was still missing after `withinMs`.
 */
async function fullCycle(url: string, withinMs: number): Promise<number | string> {
  const began = performance.now();
  const since = (await json<{ now: string }>(url, '/api/sync/status')).now;
  // Forced: a chained service (prices, ddt, invoices) runs even when its parent finds nothing new.
  await fetch(`${url}/api/sync/all`, { method: 'POST', headers: JSON_AUTH, body: '{"force":true}' });
  for (;;) {
    const status = await json<Status>(url, '/api/sync/status');
    const missing = SERVICES.filter(
      (service) => !status.targets.some((t) => t.service === service && t.lastRun !== null && t.lastRun.outcome === 'completed' && t.lastRun.at >= since),
    );
    if (missing.length === 0 && status.state.dispatch === 'idle') return Math.round(performance.now() - began);
    if (performance.now() - began > withinMs || (missing.length > 0 && status.state.dispatch === 'idle' && performance.now() - began > 5_000)) {
      const { skips } = await json<{ skips: Array<{ target: string; reason: string }> }>(url, '/api/sync/skips?limit=20').catch(() => ({ skips: [] }));
      const why = missing.map((service) => `${service} (${skips.find((k) => k.target.startsWith(`${service}@`))?.reason ?? 'no skip recorded'})`);
      return `no completed run after the request for ${why.join(', ')}; dispatch ${status.state.dispatch}`;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
