/**
 * The whole product end to end: the orchestrator's runtime (real statechart, real SQLite databases in a
 * temporary DATA_DIR, real run and skip ledgers) syncing through the browser export source in real
 * Chromium from the ERP simulator over real HTTP. Schedules are off, so only the runs a test requests
 * happen; a high TIME_SCALE makes retry backoffs (5/10/20 s ÷ 100) and the breaker cooldown (5 min ÷ 100
 * = 3 s) short. Ground truth is the simulator's `/__admin/dataset`; the databases are read back with
 * their own read-only connections. Skipped, with the reason, on a machine without Chromium.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BREAKER_COOLDOWN_MS, BREAKER_THRESHOLD, type Service } from '../../machines/index.js';
import { loadConfig, type ErpAccount } from '../../src/config.js';
import { BrowserSource } from '../../src/erp/browser-source.js';
import type { StepTimeouts } from '../../src/erp/erp-session.js';
import { processesWith } from '../../src/erp/process-tree.js';
import { databaseOf, databaseSpecs, type ExportType } from '../../src/exports/registry.js';
import type { ExportRecord } from '../../src/parsers/types.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import type { RunView, RuntimeEvent } from '../../src/runtime/orchestrator-port.js';
import { buildErpSimulator, simulatorState, type SimulatorAccount } from '../../src/simulator/erp-simulator.js';
import { simulatorAdmin, type DatasetReport, type FaultsReport, type SimulatorStateReport } from '../../src/simulator/simulator-admin.js';
import type { FaultRequest } from '../../src/simulator/simulator-faults.js';
import { SIMULATED_LISTS } from '../../src/simulator/simulator-lists.js';
import type { DatabaseSpec } from '../../src/stores/database-spec.js';
import { tableLayout, encodeKey } from '../../src/stores/record-columns.js';
import { tableChecksum } from '../../src/stores/table-checksum.js';
import { noTimers } from '../machines/harness.js';
import { dispatchIdle, tempDir } from '../runtime/support.js';
import { chromiumForTests } from '../support/chromium.js';
import { chromiumZombies, orphansOf } from '../support/processes.js';

/** Divides backoffs and the breaker cooldown: retries come within 50–240 ms, the breaker reopens after 3 s. */
const TIME_SCALE = 100;
const BREAKER_COOLDOWN_SCALED_MS = BREAKER_COOLDOWN_MS / TIME_SCALE;
/** The stall watchdog of these tests (the product's default is 30 s). */
const STALL_MS = 2_000;
/** Short deadlines for a local ERP, with room for a 2-core machine busy with other test files. */
const TIMEOUTS: Partial<StepTimeouts> = { launch: 30_000, navigation: 15_000, login: 15_000, step: 10_000, downloadBegin: 15_000, download: 30_000, close: 5_000 };
/** One whole cycle of ten browser runs, parses and applies. */
const CYCLE_MS = 120_000;
/** One requested target (with a retry or a breaker cooldown at most). */
const TARGET_MS = 45_000;
const TOKEN = 'orchestrator-e2e-token-0123456789';

const AGENTS: SimulatorAccount[] = [
  { name: 'agent1', password: 'agent1-pw' },
  { name: 'agent2', password: 'agent2-pw' },
];
const SERVICE_ACCOUNT: SimulatorAccount = { name: 'default', password: 'service-pw' };
const PER_AGENT: ExportType[] = ['customers', 'orders', 'ddt', 'invoices'];
const SHARED: ExportType[] = ['products', 'prices'];
/** Every target of the configuration: four per-agent services × two agents, two shared services on the service account. */
const TARGETS: { service: ExportType; account: string; target: string }[] = [
  ...PER_AGENT.flatMap((service) => AGENTS.map((a) => ({ service, account: a.name, target: `${service}@${a.name}` }))),
  ...SHARED.map((service) => ({ service, account: SERVICE_ACCOUNT.name, target: `${service}@${SERVICE_ACCOUNT.name}` })),
];

const { chromium, skipReason } = chromiumForTests('orchestrator browser e2e tests');

type Truth = Record<string, ExportRecord[]>;
type Stats = RunView['stats'];

describe.skipIf(!chromium)(`the orchestrator over real Chromium and the ERP simulator${chromium ? '' : ` (skipped: ${skipReason})`}`, () => {
  /** DATA_DIR: the databases, the downloads and the browser's profile (its path marks our Chromium processes). */
  let dataDir: { path: string; remove: () => void };
  let app: FastifyInstance;
  let url: string;
  let source: BrowserSource;
  let runtime: Runtime;
  /** COMPLETENESS_MIN of the configuration: the share of active rows an export must hold before rows are deleted. */
  let completenessMin: number;
  /** Moves the browser source's clock (its login-refusal cooldown and login budget), not the test's. */
  let sourceClockSkewMs = 0;
  /**
   * A partial export the simulator has no fault for: just before the ERP renders the next export of this
   * list, the agent (in another session) leaves "Questo mese" selected — the ERP keeps one filter per
   * user, so the export holds only this month's records although the source had chosen "all".
   */
  let limitNextExport: { account: string; service: ExportType } | null = null;
  /** The ground truth of the last full cycle, per target. */
  let lastTruth: Truth = {};

  // ─── the simulator's admin API over HTTP ──────────────────────────────────────────────────────────
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const simState = (): Promise<SimulatorStateReport> => get('/__admin/state');
  const faults = (request: FaultRequest): Promise<FaultsReport> => post('/__admin/faults', request);
  const truth = async (service: ExportType, account: string, filter: 'all' | 'current' = 'all'): Promise<ExportRecord[]> =>
    (await get<DatasetReport>(`/__admin/dataset?service=${service}&account=${account}&filter=${filter}`)).records;
  const truthOfAll = async (): Promise<Truth> =>
    Object.fromEntries(await Promise.all(TARGETS.map(async (t) => [t.target, await truth(t.service, t.account)] as const)));

  // ─── the orchestrator's events ────────────────────────────────────────────────────────────────────
  /**
   * Calls `act` and records every orchestrator event from then on until the dispatch region is idle
   * after each of `targets` ended for good (completed, or failed without a further retry). Idle alone is
   * not enough: a target waiting out its retry backoff is neither queued nor running.
   */
  const eventsUntilSettled = (targets: readonly string[], act: () => void, timeoutMs: number): Promise<RuntimeEvent[]> =>
    new Promise((resolve, reject) => {
      const seen: RuntimeEvent[] = [];
      const ended = new Set<string>();
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`not settled within ${timeoutMs} ms: ${targets.filter((t) => !ended.has(t)).join(', ')} still open; saw ${seen.slice(-30).map(describeEvent).join(', ')}`));
      }, timeoutMs);
      const stop = runtime.orchestrator.subscribe((event) => {
        seen.push(event);
        if (isFinal(event)) ended.add(event.target as string);
        if (dispatchIdle(event) && targets.every((t) => ended.has(t))) {
          clearTimeout(timer);
          stop();
          resolve(seen);
        }
      });
      try {
        act();
      } catch (error) {
        clearTimeout(timer);
        stop();
        reject(error as Error);
      }
    });
  const requestOne = (service: Service, account: string, timeoutMs = TARGET_MS): Promise<RuntimeEvent[]> =>
    eventsUntilSettled([`${service}@${account}`], () => void runtime.orchestrator.request(service, { account }), timeoutMs);
  const lastRunOf = (target: string): RunView => {
    const run = runtime.orchestrator.runs({ limit: 50 }).find((r) => r.target === target);
    expect(run, `a run of ${target} in the ledger`).toBeDefined();
    return run!;
  };

  // ─── DATA_DIR ─────────────────────────────────────────────────────────────────────────────────────
  /** Files left in DATA_DIR/downloads and in the browser's per-run download folders. */
  const leftoverFiles = (): string[] => [...filesUnder(join(dataDir.path, 'downloads')), ...filesUnder(join(dataDir.path, 'browser', 'runs'))];

  /** Checksums of every record table of the four databases (what "zero writes" is measured by). */
  const checksums = (): Record<string, string> => {
    const sums: Record<string, string> = {};
    for (const spec of databaseSpecs()) {
      withDb(spec, (db) => {
        for (const table of spec.tables) sums[`${spec.name}.${table}`] = tableChecksum(db, table);
      });
    }
    return sums;
  };

  /** The active rows of a target, read back as the records they store (column → field, 0/1 → boolean, `extra` JSON). */
  const storedRecords = (service: ExportType, account: string): ExportRecord[] =>
    withDb(databaseOf(service), (db) => {
      const layout = tableLayout(service);
      const columns = [...layout.columns, 'extra'].map((c) => `"${c}"`).join(', ');
      const sql = `SELECT ${columns} FROM "${layout.table}" WHERE ${layout.perAccount ? 'account = ? AND ' : ''}deleted_at IS NULL`;
      const rows = db.prepare(sql).all(...(layout.perAccount ? [account] : [])) as Record<string, unknown>[];
      return rows.map((row) => {
        const record: ExportRecord = {};
        layout.fields.forEach((field, i) => {
          const value = row[layout.columns[i]!] as string | number | null;
          record[field] = layout.fieldTypes[i] === 'bool' && value !== null ? value === 1 : value;
        });
        if (row.extra !== null) record.extra = JSON.parse(row.extra as string) as Record<string, string>;
        return record;
      });
    });
  const softDeleted = (service: ExportType, account: string): number =>
    withDb(databaseOf(service), (db) => {
      const layout = tableLayout(service);
      const sql = `SELECT COUNT(*) FROM "${layout.table}" WHERE ${layout.perAccount ? 'account = ? AND ' : ''}deleted_at IS NOT NULL`;
      return db.prepare(sql).pluck().get(...(layout.perAccount ? [account] : [])) as number;
    });
  const withDb = <T>(spec: DatabaseSpec, read: (db: Database.Database) => T): T => {
    const db = new Database(join(dataDir.path, spec.file), { readonly: true, fileMustExist: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  };
  /** Every target's active rows equal its records in `expected`, field for field. */
  const expectDatabasesToEqual = (expected: Truth): void => {
    for (const { service, account, target } of TARGETS) {
      const want = expected[target]!;
      expect(want.length, `${target}: the simulator has records`).toBeGreaterThan(0);
      expect(byKey(service, storedRecords(service, account)), target).toStrictEqual(byKey(service, want));
    }
  };

  beforeAll(async () => {
    dataDir = tempDir('orchestrator-e2e-');
    app = buildErpSimulator({
      accounts: [...AGENTS, SERVICE_ACCOUNT],
      seed: 'orchestrator-e2e',
      size: { customers: 12, orders: 20, products: 20, prices: 25 },
      // Per simulated hour; six hours change, add and remove a few records of every export.
      mutationPerHour: { changeShare: 0.05, addShare: 0.03, removeShare: 0.03 },
      loadingDelayMs: 30,
      hourMs: null,
    });
    const admin = simulatorAdmin(simulatorState(app));
    app.addHook('preHandler', async (request) => {
      const armed = limitNextExport;
      const body = request.body as Record<string, string> | undefined;
      if (armed === null || request.method !== 'POST' || body?.__EVENTARGUMENT !== 'Export:PDF') return;
      if (!request.url.startsWith(`/${SIMULATED_LISTS[armed.service].path}/`)) return;
      limitNextExport = null;
      admin.setFaults({ stickyFilter: armed });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

    const config = loadConfig({
      DATA_DIR: dataDir.path,
      ERP_URL: url,
      ERP_USERNAME: SERVICE_ACCOUNT.name,
      ERP_PASSWORD: SERVICE_ACCOUNT.password,
      ERP_ACCOUNTS: AGENTS.map((a) => `${a.name}:${a.password}`).join(','),
      CHROMIUM_PATH: chromium!,
      // With ERP_URL the office-hours window defaults to 07:00–20:00 in Rome: a run of this file after
      // 19:00 UTC would see every start held (OUTSIDE_ERP_HOURS). The window has its own tests.
      ERP_HOURS: 'off',
      TIME_SCALE: String(TIME_SCALE),
      API_TOKEN: TOKEN,
      LOG_LEVEL: 'silent',
    });
    completenessMin = config.completenessMin;
    const accounts: ErpAccount[] = [config.serviceAccount, ...config.agentAccounts];
    source = new BrowserSource({
      erpUrl: url,
      accounts,
      dataDir: config.dataDir,
      chromiumPath: config.chromiumPath,
      stallTimeoutMs: STALL_MS,
      timeouts: TIMEOUTS,
      loginsPerDay: 1_000,
      now: () => new Date(Date.now() + sourceClockSkewMs),
    });
    runtime = createRuntime({ config, source, schedules: noTimers(), random: 7 });
  });

  afterAll(async () => {
    await runtime?.close();
    await app?.close();
    dataDir?.remove();
  });

  it('requestAll syncs all six services for agent1 and agent2 plus products and prices, and the databases equal the simulator dataset', async () => {
    const events = await eventsUntilSettled(TARGETS.map((t) => t.target), () => void runtime.orchestrator.requestAll(), CYCLE_MS);
    const expected = await truthOfAll();

    expect(events.filter((e) => e.type === 'sync.failed').map(describeEvent)).toEqual([]);
    const completed = events.filter((e) => e.type === 'sync.completed');
    expect(completed.map((e) => e.target).sort()).toEqual(TARGETS.map((t) => t.target).sort());
    for (const done of completed) {
      const records = expected[done.target as string]!.length;
      expect(done.stats, done.target as string).toMatchObject({ parsed: records, inserted: records, updated: 0, unchanged: 0, deleted: 0 });
    }
    expectDatabasesToEqual(expected);
    // One login per account for the whole cycle: the sessions are reused across runs.
    expect((await simState()).logins).toEqual({
      agent1: { succeeded: 1, refused: 0 },
      agent2: { succeeded: 1, refused: 0 },
      default: { succeeded: 1, refused: 0 },
    });
    expect(leftoverFiles()).toEqual([]);
    lastTruth = expected;
  }, CYCLE_MS + 30_000);

  it('after six simulated hours, requestAll reports exactly the simulator\'s inserted/updated/deleted records per target, and the databases equal the dataset again', async () => {
    const before = lastTruth;
    await post('/__admin/advance', { hours: 6 });
    const after = await truthOfAll();
    const changes = Object.fromEntries(TARGETS.map((t) => [t.target, diff(t.service, before[t.target]!, after[t.target]!)]));
    // The chain parents changed on every account, so ddt, invoices and prices run (chained) too.
    for (const parent of ['orders@agent1', 'orders@agent2', 'products@default']) {
      expect(changes[parent]!.inserted + changes[parent]!.updated, parent).toBeGreaterThan(0);
    }

    const events = await eventsUntilSettled(TARGETS.map((t) => t.target), () => void runtime.orchestrator.requestAll(), CYCLE_MS);
    expect(events.filter((e) => e.type === 'sync.failed').map(describeEvent)).toEqual([]);
    const reported = Object.fromEntries(
      events.filter((e) => e.type === 'sync.completed').map((e) => {
        const { parsed, inserted, updated, unchanged, deleted } = e.stats as Stats;
        return [e.target as string, { parsed, inserted, updated, unchanged, deleted }];
      }),
    );
    expect(reported).toEqual(changes);
    // At least one target of each kind of change, so that "exactly" is not vacuous.
    const totals = Object.values(changes).reduce((sum, c) => ({ inserted: sum.inserted + c.inserted, updated: sum.updated + c.updated, deleted: sum.deleted + c.deleted }), { inserted: 0, updated: 0, deleted: 0 });
    expect(Math.min(totals.inserted, totals.updated, totals.deleted)).toBeGreaterThan(0);
    // The ledger keeps the same stats, without the completeness flag.
    for (const { target } of TARGETS) {
      const run = lastRunOf(target);
      expect(run.outcome, target).toBe('completed');
      expect(run.stats, target).toMatchObject(changes[target]!);
      expect(run.flags, target).toEqual([]);
    }
    expectDatabasesToEqual(after);
    // Rows the ERP no longer lists are soft-deleted, not gone.
    for (const { service, account, target } of TARGETS) expect(softDeleted(service, account), target).toBe(changes[target]!.deleted);
    lastTruth = after;
  }, CYCLE_MS + 30_000);

  it('expired session: one re-login of that account, and the run succeeds', async () => {
    const before = (await simState()).logins;
    expect((await faults({ expireSessions: true })).expiredSessions).toBeGreaterThan(0);
    const events = await requestOne('customers', 'agent1');
    expect(events.filter((e) => e.type === 'sync.failed').map(describeEvent)).toEqual([]);
    expect(events.filter((e) => e.type === 'sync.completed').map((e) => e.target)).toEqual(['customers@agent1']);
    expect(lastRunOf('customers@agent1')).toMatchObject({ outcome: 'completed', trigger: 'manual', error: null });
    expect((await simState()).logins).toEqual({ ...before, agent1: { succeeded: before.agent1!.succeeded + 1, refused: before.agent1!.refused } });
  });

  it('stalled download: the run fails within the watchdog + 5 s, is retried and completes, and no partial file is left', async () => {
    await faults({ stallDownload: 1 });
    const target = 'ddt@agent2';
    let startedAt = 0;
    let failedAfterMs = -1;
    let filesAtFailure: string[] | null = null;
    const stop = runtime.orchestrator.subscribe((event) => {
      if (event.target !== target) return;
      if (event.type === 'sync.started' && startedAt === 0) startedAt = Date.now();
      if (event.type === 'sync.failed' && failedAfterMs < 0) {
        failedAfterMs = Date.now() - startedAt;
        // Inside the orchestrator's step that records the failure: the source has already cleaned up.
        filesAtFailure = leftoverFiles();
      }
    });
    let events: RuntimeEvent[];
    try {
      events = await requestOne('ddt', 'agent2');
    } finally {
      stop();
    }
    const ofTarget = events.filter((e) => e.target === target && ['sync.started', 'sync.failed', 'sync.completed'].includes(e.type));
    expect(ofTarget.map((e) => `${e.type}(${e.trigger as string})`)).toEqual(['sync.started(manual)', 'sync.failed(manual)', 'sync.started(retry)', 'sync.completed(retry)']);
    const failed = ofTarget[1]!;
    expect(failed).toMatchObject({ class: 'erp-unreachable', retry: 1 });
    expect(failed.message).toMatch(/stalled/);
    expect(failedAfterMs).toBeGreaterThan(0);
    expect(failedAfterMs).toBeLessThan(STALL_MS + 5_000);
    expect(filesAtFailure).toEqual([]);
    expect(leftoverFiles()).toEqual([]);
    expect(byKey('ddt', storedRecords('ddt', 'agent2'))).toStrictEqual(byKey('ddt', lastTruth[target]!));
  });

  it('truncated PDF: export-invalid, not retried, and not one row written', async () => {
    const sums = checksums();
    await faults({ truncatePdf: 1 });
    const events = await requestOne('customers', 'agent2');
    const runs = events.filter((e) => e.target === 'customers@agent2' && (e.type === 'sync.started' || e.type === 'sync.failed' || e.type === 'sync.completed'));
    expect(runs.map((e) => e.type)).toEqual(['sync.started', 'sync.failed']);
    expect(runs[1]).toMatchObject({ class: 'export-invalid', retry: 0, retryAt: null });
    expect(runs[1]!.message).toMatch(/truncated/i);
    expect(lastRunOf('customers@agent2')).toMatchObject({ outcome: 'failed', error: { class: 'export-invalid' } });
    expect(checksums()).toEqual(sums);
    expect(leftoverFiles()).toEqual([]);
  });

  it('sticky filter: the export is complete, and the user\'s "Questo mese" is restored afterwards', async () => {
    await faults({ stickyFilter: { account: 'agent2', service: 'orders' } });
    expect((await simState()).filters.agent2?.orders?.text).toBe('Questo mese');
    const thisMonth = await truth('orders', 'agent2', 'current');
    const all = await truth('orders', 'agent2');
    expect(thisMonth.length).toBeLessThan(all.length);

    await requestOne('orders', 'agent2');
    const run = lastRunOf('orders@agent2');
    expect(run).toMatchObject({ outcome: 'completed', flags: [] });
    expect(run.stats).toMatchObject({ parsed: all.length, inserted: 0, updated: 0, deleted: 0 });
    expect((await simState()).filters.agent2?.orders?.text).toBe('Questo mese');
    expect(byKey('orders', storedRecords('orders', 'agent2'))).toStrictEqual(byKey('orders', all));
  });

  it('an export silently limited to "Questo mese": the completeness guard deletes nothing and flags INCOMPLETE_EXPORT', async () => {
    const all = lastTruth['orders@agent1']!;
    const active = storedRecords('orders', 'agent1').length;
    expect(active).toBe(all.length);
    const sums = checksums();

    limitNextExport = { account: 'agent1', service: 'orders' };
    await requestOne('orders', 'agent1');
    expect(limitNextExport, 'the export was limited').toBeNull();
    const limited = await truth('orders', 'agent1', 'current');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.length).toBeLessThan(completenessMin * active);

    const run = lastRunOf('orders@agent1');
    expect(run).toMatchObject({ outcome: 'completed', flags: ['INCOMPLETE_EXPORT'] });
    expect(run.stats).toMatchObject({ parsed: limited.length, inserted: 0, updated: 0, unchanged: limited.length, deleted: 0 });
    expect(storedRecords('orders', 'agent1')).toHaveLength(active);
    expect(checksums()).toEqual(sums);
  });

  it('refused login: erp-unreachable, the breaker opens after the threshold, one login attempt in all, and the next run after the cooldown closes it', async () => {
    const target = 'orders@agent1';
    const before = (await simState()).logins;
    await faults({ refuseLogin: true, expireSessions: true });
    let opened: { failuresBefore: number; cooldownMs: number; breaker: string } | null = null;
    let failures = 0;
    const stop = runtime.orchestrator.subscribe((event) => {
      if (event.type === 'sync.failed') failures++;
      if (event.type === 'erp.circuit' && event.state === 'open' && opened === null) {
        const failuresBefore = failures;
        const cooldownMs = Date.parse(event.until as string) - Date.parse(event.at);
        opened = { failuresBefore, cooldownMs, breaker: 'not read yet' };
        // Read after the step that opened it (a microtask later), well within the 3 s cooldown.
        queueMicrotask(() => void (opened = { failuresBefore, cooldownMs, breaker: runtime.orchestrator.status().breaker.state }));
      }
    });
    let events: RuntimeEvent[];
    try {
      events = await requestOne('orders', 'agent1');
    } finally {
      stop();
      await faults({ refuseLogin: false });
    }
    expect(opened).toEqual({ failuresBefore: BREAKER_THRESHOLD, cooldownMs: BREAKER_COOLDOWN_SCALED_MS, breaker: 'open' });
    const failed = events.filter((e) => e.type === 'sync.failed');
    // The first attempt and every retry (the last one as the half-open breaker's probe) fail.
    expect(failed.length).toBeGreaterThanOrEqual(BREAKER_THRESHOLD);
    for (const f of failed) {
      expect(f, describeEvent(f)).toMatchObject({ target, class: 'erp-unreachable' });
      expect(f.message).toMatch(/refused the login of "agent1"/);
    }
    expect(lastRunOf(target)).toMatchObject({ outcome: 'failed', error: { class: 'erp-unreachable' } });
    // No login flood: every failed run, one refused login attempt (the source waits out a cooldown after a refusal).
    expect((await simState()).logins).toEqual({ ...before, agent1: { succeeded: before.agent1!.succeeded, refused: before.agent1!.refused + 1 } });

    // Later: the ERP accepts logins again, and the source's refusal cooldown (10 min) has passed.
    sourceClockSkewMs += 11 * 60_000;
    // Requested while the breaker is still open (the last retry was its failed probe): it starts as the next probe.
    expect(runtime.orchestrator.status().breaker.state).toBe('open');
    const recovered = await requestOne('orders', 'agent1');
    expect(recovered.filter((e) => e.type === 'sync.failed').map(describeEvent)).toEqual([]);
    expect(recovered.find((e) => e.type === 'sync.started' && e.target === target)).toMatchObject({ probe: true });
    expect(lastRunOf(target)).toMatchObject({ outcome: 'completed' });
    expect(runtime.orchestrator.status().breaker).toMatchObject({ state: 'closed', failures: 0 });
    expect((await simState()).logins.agent1).toEqual({ succeeded: before.agent1!.succeeded + 1, refused: before.agent1!.refused + 1 });
  });

  it('after all of it: the databases still equal the dataset, and no zombie or orphan Chromium process remains', async () => {
    expectDatabasesToEqual(await truthOfAll());
    // While the runtime runs, every Chromium process under DATA_DIR belongs to the one live browser.
    const { profileDir, launches } = source.stats();
    expect(launches).toBeGreaterThanOrEqual(1);
    const live = profileDir ? processesWith(profileDir) : [];
    expect(processesWith(dataDir.path).filter((pid) => !live.includes(pid))).toEqual([]);

    await runtime.close();
    expect(await orphansOf(dataDir.path)).toEqual([]);
    expect(await chromiumZombies()).toEqual([]);
    expect(leftoverFiles()).toEqual([]);
  });
});

/** The records sorted by their export's key, for an order-independent comparison. */
function byKey(service: ExportType, records: readonly ExportRecord[]): ExportRecord[] {
  const key = keyOf(service);
  return [...records].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function keyOf(service: ExportType): (record: ExportRecord) => string {
  const fields = tableLayout(service).keyFields;
  return (record) => encodeKey(fields.map((f) => record[f] as string | number | boolean | null));
}

/** What a sync from `before` (stored) to `after` (exported) must report, computed from the ground truth by key. */
function diff(service: ExportType, before: readonly ExportRecord[], after: readonly ExportRecord[]): Omit<Stats, 'orphans' | 'unlinked'> {
  const key = keyOf(service);
  const old = new Map(before.map((r) => [key(r), r]));
  const present = new Set(after.map(key));
  let inserted = 0;
  let updated = 0;
  let unchanged = 0;
  for (const record of after) {
    const stored = old.get(key(record));
    if (stored === undefined) inserted++;
    else if (isDeepStrictEqual(stored, record)) unchanged++;
    else updated++;
  }
  const deleted = [...old.keys()].filter((k) => !present.has(k)).length;
  return { parsed: after.length, inserted, updated, unchanged, deleted };
}

/** A run's last word: completed, or failed with no retry to follow. */
function isFinal(event: RuntimeEvent): boolean {
  return event.type === 'sync.completed' || (event.type === 'sync.failed' && event.retryAt === null);
}

function describeEvent(event: RuntimeEvent): string {
  const detail = event.type === 'sync.failed' ? ` ${event.class as string}: ${event.message as string}` : '';
  return `${event.type}${typeof event.target === 'string' ? `(${event.target})` : ''}${detail}`;
}

/** Every file (recursively) under a folder; none when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name));
}
