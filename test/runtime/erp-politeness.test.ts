import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { type DownloadedExport, type DownloadRequest } from '../../src/erp/export-source.js';
import { LoginBudget } from '../../src/erp/login-budget.js';
import { BOOT, MINUTE, VirtualClock, noTimers } from '../machines/harness.js';
import { ScriptedSource, fact, nextEvent, recordEvents, tempDir, testConfig } from './support.js';

/**
 * The ERP window and the login budget through the runtime: real statechart, real SQLite, virtual time,
 * and an export source at the port boundary whose logins go through a real `LoginBudget` file.
 */

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A source that logs in on an account's first download (its session is reused after that), through the real budget. */
class BudgetedSource extends ScriptedSource {
  private readonly sessions = new Set<string>();

  constructor(private readonly budget: LoginBudget) {
    super();
  }

  override async download(request: DownloadRequest): Promise<DownloadedExport> {
    if (!this.sessions.has(request.account)) await this.budget.take(request.account);
    this.sessions.add(request.account);
    return super.download(request);
  }
}

function boot(env: Record<string, string>, source: ScriptedSource, clock: VirtualClock, dir: string, schedules = noTimers()): Runtime {
  const runtime = createRuntime({ config: testConfig(dir, undefined, env), clock, source, schedules, random: 7 });
  cleanup.push(() => runtime.close());
  return runtime;
}

const iso = (ms: number): string => new Date(ms).toISOString();

describe('an exhausted login budget through the runtime', () => {
  it('fails the run as login-budget-exhausted, holds that account only, keeps the breaker closed, and says so in why and the stream', async () => {
    const dir = tempDir('runtime-budget-');
    cleanup.push(() => dir.remove());
    const clock = new VirtualClock(BOOT);
    const budget = new LoginBudget({ file: `${dir.path}/login-budget.json`, perDay: 1, now: () => new Date(clock.now()) });
    await budget.take('anna');
    const { orchestrator: runtime } = boot({ ERP_ACCOUNTS: 'anna,bruno' }, new BudgetedSource(budget), clock, dir.path);
    const events = recordEvents(runtime);

    const failed = nextEvent(runtime, fact('sync.failed', 'orders@anna'));
    const completed = nextEvent(runtime, fact('sync.completed', 'orders@bruno'));
    runtime.request('orders');
    expect(await failed).toMatchObject({ class: 'login-budget-exhausted', retry: 0, retryAt: null });
    await completed;

    const midnightRome = iso(Date.UTC(2025, 0, 6, 23));
    expect(events.find((event) => event.type === 'account.held')).toMatchObject({ account: 'anna', until: midnightRome, target: 'orders@anna' });
    const status = runtime.status();
    expect(status.breaker).toMatchObject({ state: 'closed', failures: 0 });
    expect(status.accountHolds).toEqual([expect.objectContaining({ account: 'anna', reason: 'LOGIN_BUDGET_EXHAUSTED', until: midnightRome })]);

    runtime.request('customers');
    const anna = runtime.why('customers').find((why) => why.target === 'customers@anna');
    expect(anna?.reasons).toContainEqual(expect.objectContaining({ code: 'LOGIN_BUDGET_EXHAUSTED', until: midnightRome }));
    await nextEvent(runtime, fact('sync.completed', 'customers@bruno'));
    expect(runtime.runs({ account: 'anna' })[0]?.error).toMatchObject({ class: 'login-budget-exhausted' });
  });
});

describe('the ERP window through the runtime', () => {
  it('holds starts outside ERP_HOURS with OUTSIDE_ERP_HOURS, shows the window in the status, and starts at the opening', async () => {
    const dir = tempDir('runtime-hours-');
    cleanup.push(() => dir.remove());
    // BOOT is 09:00 in Rome: a window of 10:00-18:00 opens an hour later.
    const clock = new VirtualClock(BOOT);
    const opensAt = BOOT + 60 * MINUTE;
    const { orchestrator: runtime } = boot({ ERP_HOURS: '10:00-18:00' }, new ScriptedSource(), clock, dir.path);
    const events = recordEvents(runtime);
    runtime.request('orders');
    expect(runtime.status().running).toEqual([]);
    expect(runtime.status().erpHours).toEqual({ hours: '10:00-18:00', timeZone: 'Europe/Rome', state: 'closed', until: iso(opensAt) });
    const why = runtime.why('orders')[0];
    expect(why?.reasons).toContainEqual(expect.objectContaining({ code: 'OUTSIDE_ERP_HOURS', until: iso(opensAt) }));

    const started = nextEvent(runtime, fact('sync.started', 'orders@default'));
    clock.advanceTo(opensAt);
    expect(await started).toMatchObject({ at: iso(opensAt) });
    expect(events.find((event) => event.type === 'erp.hours')).toMatchObject({ state: 'open', hours: '10:00-18:00', until: iso(BOOT + 9 * 60 * MINUTE) });
  });

  it('does not call data stale while the window is closed: the night is not a fault', () => {
    const dir = tempDir('runtime-hours-health-');
    cleanup.push(() => dir.remove());
    const clock = new VirtualClock(BOOT);
    const { orchestrator: runtime } = boot({ ERP_HOURS: '00:00-08:00' }, new ScriptedSource(), clock, dir.path, { ...noTimers(), customers: { enabled: true } });
    clock.advanceTo(BOOT + 3 * 60 * MINUTE);
    expect(runtime.health().checks['data.customers']).toEqual({ status: 'ok', detail: `ERP window closed until ${iso(Date.UTC(2025, 0, 6, 23))}; runs wait for it` });
    expect(runtime.status().running).toEqual([]);
  });
});
