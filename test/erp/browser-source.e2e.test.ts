/**
 * The browser export source in real Chromium against the ERP simulator over real HTTP: every export of
 * two agent accounts and the shared ones, compared record for record with the simulator's ground truth,
 * and each fault the ERP is known for, handled as an operator would want. Skipped, with the reason, on
 * a machine without Chromium.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpAccount } from '../../src/config.js';
import { BrowserSource, type BrowserSourceOptions } from '../../src/erp/browser-source.js';
import type { StepTimeouts } from '../../src/erp/erp-session.js';
import { SourceError, type DownloadRequest } from '../../src/erp/export-source.js';
import { processesWith } from '../../src/erp/process-tree.js';
import type { ExportType } from '../../src/exports/registry.js';
import { parseExportFile } from '../../src/parsers/parse-export.js';
import { startErpSimulator, type RunningErpSimulator, type SimulatorAccount } from '../../src/simulator/erp-simulator.js';
import type { DatasetReport, FaultsReport, SimulatorStateReport } from '../../src/simulator/simulator-admin.js';
import type { FaultRequest } from '../../src/simulator/simulator-faults.js';
import { chromiumForTests } from '../support/chromium.js';
import { filesIn } from '../support/files.js';
import { alive, chromiumZombies } from '../support/processes.js';

/** Runs with injected faults after which no Chromium process may remain (the issue asks for 100 in CI-scale runs). */
const RUNS_WITH_FAULTS = 100;
/** A local page's callbacks take tens of ms: a press with nothing after this long did nothing. */
const QUIET_MS = 1_000;
/** Watchdog of the tests: long enough for a loaded 2-core machine, short enough to keep the suite quick. */
const STALL_MS = 1_500;
const TIMEOUTS: Partial<StepTimeouts> = { launch: 20_000, navigation: 8_000, login: 8_000, step: 5_000, downloadBegin: 8_000, download: 30_000, close: 3_000 };
/**
 * For the fault runs: a local page loads in well under a second even while other test files parse PDFs
 * on both cores; these deadlines leave room for that and still make a hang fail fast.
 */
const QUICK_TIMEOUTS: Partial<StepTimeouts> = { launch: 20_000, navigation: 3_000, login: 3_000, step: 3_000, downloadBegin: 3_000, download: 10_000, close: 2_000 };

const SIM_ACCOUNTS: SimulatorAccount[] = [
  { name: 'agent1', password: 'agent1-pw' },
  { name: 'agent2', password: 'agent2-pw' },
  { name: 'default', password: 'service-pw' },
];
const ACCOUNTS: ErpAccount[] = SIM_ACCOUNTS.map((a) => ({ name: a.name, password: a.password }));
const PER_AGENT: ExportType[] = ['customers', 'orders', 'ddt', 'invoices'];
const SHARED: ExportType[] = ['products', 'prices'];

const { chromium, skipReason } = chromiumForTests('browser-source e2e tests');

describe.skipIf(!chromium)(`browser source against the ERP simulator${chromium ? '' : ` (skipped: ${skipReason})`}`, () => {
  /** Every profile of every source of this file lives under this folder: its path marks our processes. */
  const root = mkdtempSync(join(tmpdir(), 'browser-e2e-'));
  const sources: BrowserSource[] = [];
  let sim: RunningErpSimulator;
  let source: BrowserSource;

  const newSource = (name: string, options: Partial<BrowserSourceOptions> = {}, erpUrl = sim.url): BrowserSource => {
    const s = new BrowserSource({ erpUrl, accounts: ACCOUNTS, dataDir: join(root, name), chromiumPath: chromium, stallTimeoutMs: STALL_MS, timeouts: TIMEOUTS, exportQuietMs: QUIET_MS, loginsPerDay: 1_000, ...options });
    sources.push(s);
    return s;
  };
  const downloadsDir = (name: string): string => join(root, 'downloads', name);
  const request = (service: ExportType, account: string, dir: string, signal?: AbortSignal): DownloadRequest => ({ service, account, downloadsDir: dir, ...(signal ? { signal } : {}) });

  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${sim.url}${path}`);
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const state = (): Promise<SimulatorStateReport> => get('/__admin/state');
  const truth = (service: ExportType, account: string, filter: 'all' | 'current' = 'all'): Promise<DatasetReport> => get(`/__admin/dataset?service=${service}&account=${account}&filter=${filter}`);
  const faults = async (body: FaultRequest): Promise<FaultsReport> => {
    const res = await fetch(`${sim.url}/__admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return (await res.json()) as FaultsReport;
  };
  const failure = async (promise: Promise<unknown>): Promise<Error> => {
    const err = await promise.then(() => null, (e: unknown) => e as Error);
    expect(err, 'expected the download to fail').toBeInstanceOf(Error);
    return err as Error;
  };

  beforeAll(async () => {
    sim = await startErpSimulator({ accounts: SIM_ACCOUNTS, size: { customers: 25, orders: 40, products: 40, prices: 50 }, loadingDelayMs: 60, seed: 'browser-e2e' });
    source = newSource('main');
  });

  afterAll(async () => {
    await Promise.all(sources.map((s) => s.close()));
    await sim?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('downloads all six services for two agent accounts plus the shared services, each equal to the simulator dataset', async () => {
    const dir = downloadsDir('all');
    const targets = [...PER_AGENT.flatMap((service) => ['agent1', 'agent2'].map((account) => ({ service, account }))), ...SHARED.map((service) => ({ service, account: 'default' }))];
    // Each file is parsed while the next one downloads: parsing is CPU-bound, the browser mostly waits.
    const checks: Promise<void>[] = [];
    for (const { service, account } of targets) {
      const result = await source.download(request(service, account, dir));
      expect(result.file.startsWith(dir)).toBe(true);
      expect(result.origin).toContain(sim.url);
      checks.push((async () => {
        const [parsed, expected] = await Promise.all([parseExportFile(result.file, { type: service }), truth(service, account)]);
        expect(expected.records.length, `${service}@${account}`).toBeGreaterThan(0);
        expect(parsed.records, `${service}@${account}`).toEqual(expected.records);
      })());
    }
    await Promise.all(checks);
    expect(filesIn(dir)).toHaveLength(targets.length);
    // One login per account for the whole cycle: the sessions are reused.
    const { logins } = await state();
    expect(logins).toEqual({ agent1: { succeeded: 1, refused: 0 }, agent2: { succeeded: 1, refused: 0 }, default: { succeeded: 1, refused: 0 } });
  }, 120_000);

  it('sees the changes of the next simulated hours in the next export', async () => {
    const before = await truth('orders', 'agent1');
    const res = await fetch(`${sim.url}/__admin/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hours: 6 }) });
    expect(res.status).toBe(200);
    const after = await truth('orders', 'agent1');
    expect(after.records).not.toEqual(before.records);
    const result = await source.download(request('orders', 'agent1', downloadsDir('advance')));
    expect((await parseExportFile(result.file, { type: 'orders' })).records).toEqual(after.records);
  });

  it('logs in once more when the session expired, and succeeds', async () => {
    await source.download(request('invoices', 'agent1', downloadsDir('expired')));
    const before = (await state()).logins.agent1!.succeeded;
    expect((await faults({ expireSessions: true })).expiredSessions).toBeGreaterThan(0);
    const result = await source.download(request('invoices', 'agent1', downloadsDir('expired')));
    expect(result.bytes).toBeGreaterThan(0);
    expect((await state()).logins.agent1!.succeeded).toBe(before + 1);
  });

  it('exports the full list when the user left "Questo mese" selected, then restores the user\'s filter', async () => {
    await faults({ stickyFilter: { account: 'agent1', service: 'orders' } });
    expect((await state()).filters.agent1?.orders?.text).toBe('Questo mese');
    const result = await source.download(request('orders', 'agent1', downloadsDir('sticky')));
    const [parsed, all, thisMonth] = await Promise.all([parseExportFile(result.file, { type: 'orders' }), truth('orders', 'agent1'), truth('orders', 'agent1', 'current')]);
    expect(thisMonth.records.length).toBeLessThan(all.records.length);
    expect(parsed.records).toEqual(all.records);
    expect((await state()).filters.agent1?.orders?.text).toBe('Questo mese');
  });

  it('fails a stalled download within the watchdog + 5 s, leaves no partial file, and succeeds on retry', async () => {
    const dir = downloadsDir('stalled');
    await faults({ stallDownload: 1 });
    const started = Date.now();
    const err = await failure(source.download(request('ddt', 'agent2', dir)));
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).class).toBe('erp-unreachable');
    expect(err.message).toMatch(/stalled: no data for 1\.5 s after \d+ of \d+ bytes/);
    expect(elapsed).toBeLessThan(STALL_MS + 5_000);
    expect(filesIn(dir)).toEqual([]);
    expect(filesIn(join(source.stats().workDir, 'runs'))).toEqual([]);
    const retry = await source.download(request('ddt', 'agent2', dir));
    expect(filesIn(dir)).toEqual([retry.file.split('/').pop()]);
  });

  it('reports a truncated PDF as export-invalid and keeps no file', async () => {
    const dir = downloadsDir('truncated');
    await faults({ truncatePdf: 1 });
    const err = await failure(source.download(request('customers', 'agent2', dir)));
    expect((err as SourceError).class).toBe('export-invalid');
    expect(err.message).toMatch(/truncated PDF/);
    expect(filesIn(dir)).toEqual([]);
  });

  it('reports an HTTP 500 of a list view as erp-unreachable', async () => {
    await faults({ http500: 1 });
    const err = await failure(source.download(request('customers', 'agent1', downloadsDir('http500'))));
    expect((err as SourceError).class).toBe('erp-unreachable');
    expect(err.message).toMatch(/HTTP 500/);
    await source.download(request('customers', 'agent1', downloadsDir('http500')));
  });

  it('reports a refused login as erp-unreachable and does not try again during the cooldown', async () => {
    const refused = newSource('refused', { loginRefusedCooldownMs: 60_000 });
    const before = (await state()).logins.agent2!;
    await faults({ refuseLogin: true });
    try {
      for (let i = 0; i < 4; i++) {
        const err = await failure(refused.download(request('orders', 'agent2', downloadsDir('refused'))));
        expect((err as SourceError).class).toBe('erp-unreachable');
        expect(err.message).toMatch(/refused the login of "agent2"/);
      }
    } finally {
      await faults({ refuseLogin: false });
    }
    // Four failed runs, one login attempt: the login counter proves there was no flood.
    expect((await state()).logins.agent2).toEqual({ succeeded: before.succeeded, refused: before.refused + 1 });
    await refused.close();
  });

  it('reports session-expired when the ERP asks for a login again right after a fresh one', async () => {
    let clock = 0;
    // Every request sees a session idle for longer than allowed: each login is at once forgotten.
    const forgetful = await startErpSimulator({ accounts: SIM_ACCOUNTS, size: { customers: 5, orders: 5, products: 5, prices: 5 }, loadingDelayMs: 0, sessionIdleMs: 500, now: () => (clock += 1_000) });
    try {
      const s = newSource('forgetful', {}, forgetful.url);
      const err = await failure(s.download(request('orders', 'agent1', downloadsDir('forgetful'))));
      expect((err as SourceError).class).toBe('session-expired');
      expect(forgetful.admin.state().logins.agent1).toEqual({ succeeded: 1, refused: 0 });
      await s.close();
    } finally {
      await forgetful.close();
    }
  });

  it('reports an ERP that refuses connections as erp-unreachable', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const p = (server.address() as { port: number }).port;
        server.close(() => resolve(p));
      });
    });
    const s = newSource('refusing', {}, `http://127.0.0.1:${port}`);
    const err = await failure(s.download(request('orders', 'agent1', downloadsDir('refusing'))));
    expect((err as SourceError).class).toBe('erp-unreachable');
    expect(err.message).toMatch(/ERR_CONNECTION_REFUSED/);
    await s.close();
  });

  it('stops logging in when the daily login budget is used up, and remembers it across restarts', async () => {
    const budgeted = newSource('budget', { loginsPerDay: 2 });
    const dir = downloadsDir('budget');
    const before = (await state()).logins.agent2!.succeeded;
    await budgeted.download(request('invoices', 'agent2', dir));
    await faults({ expireSessions: true });
    await budgeted.download(request('invoices', 'agent2', dir));
    await faults({ expireSessions: true });
    const err = await failure(budgeted.download(request('invoices', 'agent2', dir)));
    expect((err as SourceError).class).toBe('login-budget-exhausted');
    expect(err.message).toMatch(/login budget of ERP account "agent2" is used up: 2 logins today \(limit 2 per day/);
    expect((await state()).logins.agent2!.succeeded).toBe(before + 2);
    await budgeted.close();
    expect(await newSource('budget', { loginsPerDay: 2 }).loginsToday('agent2')).toBe(2);
  });

  it('recycles the browser every N runs and keeps the ERP session across the relaunch', async () => {
    const recycled = newSource('recycle', { recycleAfterRuns: 2 });
    const before = (await state()).logins.default!.succeeded;
    for (let i = 0; i < 3; i++) await recycled.download(request('products', 'default', downloadsDir('recycle')));
    expect(recycled.stats().launches).toBe(2);
    expect((await state()).logins.default!.succeeded).toBe(before + 1);
    await recycled.close();
  });

  it('relaunches a browser older than its period between runs, and keeps the ERP session across it', async () => {
    let now = Date.parse('2026-01-20T08:00:00Z');
    const aged = newSource('recycle-period', { recycleAfterMs: 90 * 60_000, now: () => new Date(now) });
    const dir = downloadsDir('recycle-period');
    const before = (await state()).logins.default!.succeeded;
    await aged.download(request('products', 'default', dir));
    now += 89 * 60_000;
    await aged.download(request('products', 'default', dir));
    expect(aged.stats().launches).toBe(1);
    now += 2 * 60_000;
    await aged.download(request('products', 'default', dir));
    expect(aged.stats().launches).toBe(2);
    expect((await state()).logins.default!.succeeded).toBe(before + 1);
    await aged.close();
  });

  it('reuses an ERP session for hours and renews it once older than its maximum age: one login more, not one per run', async () => {
    let now = Date.parse('2026-01-20T08:00:00Z');
    const renewing = newSource('session-age', { sessionMaxAgeMs: 4 * 60 * 60_000, now: () => new Date(now) });
    const dir = downloadsDir('session-age');
    const before = (await state()).logins.agent1!.succeeded;
    await renewing.download(request('customers', 'agent1', dir));
    now += 3 * 60 * 60_000;
    await renewing.download(request('customers', 'agent1', dir));
    expect((await state()).logins.agent1!.succeeded).toBe(before + 1);
    now += 60 * 60_000;
    await renewing.download(request('customers', 'agent1', dir));
    await renewing.download(request('customers', 'agent1', dir));
    expect((await state()).logins.agent1!.succeeded).toBe(before + 2);
    expect(await renewing.loginsToday('agent1')).toBe(2);
    await renewing.close();
  });

  it('kills a hung browser (process group) and relaunches it at the next run', async () => {
    const hung = newSource('hung', { timeouts: QUICK_TIMEOUTS });
    const dir = downloadsDir('hung');
    await hung.download(request('orders', 'agent1', dir));
    const pid = hung.stats().browserPid!;
    process.kill(pid, 'SIGSTOP');
    const started = Date.now();
    const err = await failure(hung.download(request('orders', 'agent1', dir)));
    expect((err as SourceError).class).toBe('erp-unreachable');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(alive(pid)).toBe(false);
    expect(processesWith(hung.stats().workDir)).toEqual([]);
    await hung.download(request('orders', 'agent1', dir));
    expect(hung.stats().launches).toBe(2);
    expect(hung.stats().browserPid).not.toBe(pid);
    await hung.close();
  });

  it('honours the run\'s AbortSignal: rejects with AbortError promptly and leaves no file', async () => {
    const dir = downloadsDir('aborted');
    await faults({ stallDownload: 1 });
    try {
      const controller = new AbortController();
      const pending = source.download(request('orders', 'agent2', dir, controller.signal));
      setTimeout(() => controller.abort(), 300);
      const err = await failure(pending);
      expect(err.name).toBe('AbortError');
      expect(filesIn(dir)).toEqual([]);
    } finally {
      await faults({ stallDownload: false });
    }
    await source.download(request('orders', 'agent2', dir));
  });

  it(`leaves no zombie or orphan Chromium after ${RUNS_WITH_FAULTS} runs with injected faults`, async () => {
    // No recycling here: it would replace the browser the hung-browser case has just stopped (recycling
    // has its own test); the hung and aborted cases relaunch it often enough.
    const faulty = newSource('faulty', { timeouts: QUICK_TIMEOUTS, stallTimeoutMs: 1_000, recycleAfterRuns: 1_000, loginRefusedCooldownMs: 0 });
    const dir = downloadsDir('faulty');
    type Case = { name: string; before?: () => Promise<unknown> | void; expect: string; signal?: () => AbortSignal };
    const healthy: Case = { name: 'healthy', expect: 'ok' };
    const http500: Case = { name: 'http 500', before: () => faults({ http500: 1 }), expect: 'erp-unreachable' };
    const truncated: Case = { name: 'truncated', before: () => faults({ truncatePdf: 1 }), expect: 'export-invalid' };
    const expired: Case = { name: 'session expired', before: () => faults({ expireSessions: true }), expect: 'ok' };
    const sticky: Case = { name: 'sticky filter', before: () => faults({ stickyFilter: { account: 'agent1' } }), expect: 'ok' };
    // The slow cases (each waits out a deadline or a relaunch) come once per 15 runs, the quick ones
    // once or twice; the real pages' quirks (ERP-UI.md) are among them.
    const cases: Case[] = [
      healthy, http500, truncated, expired, sticky,
      { name: 'stalled', before: () => faults({ stallDownload: 1 }), expect: 'erp-unreachable' },
      { name: 'refused login', before: () => faults({ expireSessions: true, refuseLogin: 1 }), expect: 'erp-unreachable' },
      { name: 'hung browser', before: () => { const pid = faulty.stats().browserPid; if (pid) process.kill(pid, 'SIGSTOP'); }, expect: 'erp-unreachable' },
      { name: 'aborted', before: () => faults({ stallDownload: 1 }), signal: () => AbortSignal.timeout(400), expect: 'AbortError' },
      { name: 'export press ignored once', before: () => faults({ exportClickIgnored: 1 }), expect: 'ok' },
      { name: 'data-store error banner', before: () => faults({ objectsBanner: 1 }), expect: 'ok' },
      { name: 'data-store error reload', before: () => faults({ objectsNavigation: 1 }), expect: 'ok' },
      { name: 'stray popup, narrow layout', before: () => faults({ strayPopup: 1, narrowLayout: true }), expect: 'ok' },
      { name: 'SetValue quirks, sticky filter', before: () => faults({ setValueNavigates: true, setValueIgnored: true, stickyFilter: { account: 'agent1' } }), expect: 'ok' },
      { name: 'slow pages', before: () => faults({ slowPagesMs: 3_500 }), expect: 'erp-unreachable' },
    ];
    const services: ExportType[] = ['orders', 'customers', 'ddt', 'invoices'];
    for (let i = 0; i < RUNS_WITH_FAULTS; i++) {
      const c = cases[i % cases.length]!;
      await faults({ reset: true });
      await c.before?.();
      const outcome = await faulty
        .download(request(services[i % services.length]!, 'agent1', dir, c.signal?.()))
        .then(() => ({ kind: 'ok', message: '' }), (e: Error) => ({ kind: e instanceof SourceError ? e.class : e.name, message: e.message }));
      expect(outcome.kind, `run ${i} (${c.name}): ${outcome.message}`).toBe(c.expect);
    }
    await faults({ reset: true });
    // Every launch had its own profile under the source's folder: only the live browser's may be in use.
    const { workDir, profileDir } = faulty.stats();
    const live = profileDir ? processesWith(profileDir) : [];
    expect(processesWith(workDir).filter((pid) => !live.includes(pid))).toEqual([]);
    expect(readdirSync(workDir).filter((n) => n.startsWith('profile-'))).toEqual(profileDir ? [profileDir.split('/').pop()] : []);
    await faulty.close();
    expect(processesWith(workDir)).toEqual([]);
    // One browser at the start and one after each hung browser was killed.
    expect(faulty.stats().launches).toBeGreaterThanOrEqual(3);
    expect(await chromiumZombies()).toEqual([]);
  }, 600_000);

  it('leaves no Chromium process behind once every source is closed', async () => {
    await Promise.all(sources.map((s) => s.close()));
    expect(processesWith(root)).toEqual([]);
    expect(await chromiumZombies()).toEqual([]);
    expect(filesIn(join(source.stats().workDir))).toEqual(['login-budget.json']);
  });
});
