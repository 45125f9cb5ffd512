import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { serve as spawnServe, type Served } from '../../harness/service-process.js';
import { tempDir } from '../support/export-records.js';
import { chromiumForTests } from '../support/chromium.js';

/**
 * A calm restart of the demo (`sync-orchestrator serve` with nothing configured: Chromium → the built-in
 * ERP simulator), as an operator does it: a real process, stopped with SIGTERM once the simulated ERP has
 * moved on and runs have applied its changes, then started again on the same DATA_DIR. The token must not
 * change (a signed-in dashboard keeps working) and the simulated ERP must carry on from where it was: a
 * reseeded dataset would make the first runs after the restart delete every row added since the seed.
 * (The simulated ERP removes records as it adds them — its lists keep their size — so those runs may
 * delete what it removed meanwhile: only its continuity says the restart lost nothing.)
 */

/**
 * The demo's own pace (TIME_SCALE 60: the simulator's data takes a step every minute, orders run every
 * minute), with one sync slot per account so that the test's "sync all" is done in seconds rather than
 * queued behind every other target.
 */
const SYNC_CONCURRENCY = '3';
const TEST_MS = 480_000;
const WAIT_MS = 180_000;

const { chromium: CHROMIUM, skipReason } = chromiumForTests('demo restart test');

interface Run {
  target: string;
  outcome: string;
  startedAt: string;
  stats: { inserted: number; updated: number; deleted: number };
}

const children: ChildProcess[] = [];

function serve(dataDir: string): Served {
  const served = spawnServe({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, SYNC_CONCURRENCY, LOG_LEVEL: 'warn', CHROMIUM_PATH: CHROMIUM ?? '' });
  children.push(served.child);
  return served;
}

/** The API URL and the token of the ready block. */
async function ready(served: Served): Promise<{ url: string; token: string }> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const url = /^ {2}API +(http:\/\/\S+)\/api /m.exec(served.output())?.[1];
    const token = /^ {2}API token +(\S+) +\(generated/m.exec(served.output())?.[1];
    if (url !== undefined && token !== undefined) return { url, token };
    if (served.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ready block:\n${served.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runs(url: string, token: string): Promise<Run[]> {
  const response = await fetch(`${url}/api/sync/runs?limit=200`, { headers: { authorization: `Bearer ${token}` } });
  return ((await response.json()) as { runs: Run[] }).runs;
}

/** Polls the run ledger until `done` holds for it; fails with the ledger and the output after WAIT_MS. */
async function until(served: Served, api: { url: string; token: string }, done: (ledger: Run[]) => boolean): Promise<Run[]> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const ledger = await runs(api.url, api.token);
    if (done(ledger)) return ledger;
    if (Date.now() > deadline) throw new Error(`gave up waiting; ledger ${JSON.stringify(ledger.map((r) => [r.target, r.outcome, r.stats]))}\n${served.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Asks for a sync of every target now; resolves with the moment of the request. */
async function syncAll(api: { url: string; token: string }): Promise<string> {
  const at = new Date().toISOString();
  const response = await fetch(`${api.url}/api/sync/all`, { method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body: '{}' });
  expect(response.status).toBe(202);
  return at;
}

/** Every target has completed a run that started after `since`. */
const everyTargetCompletedSince = (targets: string[], since: string) => (ledger: Run[]) =>
  targets.every((target) => ledger.some((run) => run.target === target && run.outcome === 'completed' && run.startedAt > since));

/** Some target completed a run that inserted rows after its first one: the simulated ERP has moved on. */
const erpMovedOn = (ledger: Run[]) =>
  ledger.some((run, i) => run.outcome === 'completed' && run.stats.inserted > 0 && ledger.slice(i + 1).some((older) => older.target === run.target && older.outcome === 'completed'));

/** The simulated ERP's dataset version and simulated hours, from the admin route of the simulator named in the ready block. */
async function erpClock(served: Served): Promise<{ version: number; hoursAdvanced: number }> {
  const simulator = /built-in ERP simulator at (http:\/\/\S+)/.exec(served.output())?.[1];
  if (simulator === undefined) throw new Error(`the ready block names no simulator:\n${served.output()}`);
  const { version, hoursAdvanced } = (await (await fetch(`${simulator}/__admin/state`)).json()) as { version: number; hoursAdvanced: number };
  return { version, hoursAdvanced };
}

async function targetsOf(api: { url: string; token: string }): Promise<string[]> {
  const response = await fetch(`${api.url}/api/sync/status`, { headers: { authorization: `Bearer ${api.token}` } });
  return ((await response.json()) as { targets: { target: string }[] }).targets.map((t) => t.target);
}

describe.skipIf(CHROMIUM === null)(`the demo across a restart (${CHROMIUM ?? `skipped: ${skipReason}`})`, () => {
  const data = tempDir('demo-restart-');
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    data.remove();
  });

  it('keeps its generated token and its simulated ERP’s data across a SIGTERM and a new start', async () => {
    const first = serve(data.path);
    const before = await ready(first);
    const targets = await targetsOf(before);
    expect(targets).toHaveLength(10);
    // Rows the freshly seeded data does not have: a run after the simulated ERP took a step applied them.
    await until(first, before, erpMovedOn);
    const requested = await syncAll(before);
    await until(first, before, everyTargetCompletedSince(targets, requested));
    const erpBefore = await erpClock(first);
    expect(erpBefore.version).toBeGreaterThan(1);
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });

    const restartedAt = new Date().toISOString();
    const second = serve(data.path);
    const after = await ready(second);
    expect(after.token).toBe(before.token);
    // Read back, not reseeded: the same version or later, never the seed's 1 again.
    const erpAfter = await erpClock(second);
    expect(erpAfter.version).toBeGreaterThanOrEqual(erpBefore.version);
    expect(erpAfter.hoursAdvanced).toBeGreaterThanOrEqual(erpBefore.hoursAdvanced);
    await syncAll(after);
    const ledger = await until(second, after, everyTargetCompletedSince(targets, restartedAt));
    const afterRestart = ledger.filter((run) => run.startedAt > restartedAt && run.outcome === 'completed');
    expect(afterRestart.length).toBeGreaterThanOrEqual(targets.length);
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, TEST_MS);
});
