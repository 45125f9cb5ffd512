import { describe, expect, it } from 'vitest';
import { BREAKER_THRESHOLD } from '../../machines/catalog.js';
import { explain } from '../../machines/why.js';
import { MINUTE, OrchestratorHarness } from './harness.js';

/** Monday 6 January 2025, 10:00 UTC (11:00 in Rome): the budget resets at 23:00 UTC, midnight in Rome. */
const BOOT = Date.UTC(2025, 0, 6, 10);
const MIDNIGHT_ROME = Date.UTC(2025, 0, 6, 23);

function agents(...names: string[]): OrchestratorHarness {
  return new OrchestratorHarness({ bootAt: BOOT, concurrency: names.length, accounts: { service: 'default', agents: names } });
}

describe('an exhausted login budget holds its own account, not the ERP breaker', () => {
  it('keeps the breaker closed and the other accounts running, and holds the account until midnight in Rome', () => {
    const h = agents('anna', 'bruno', 'carla', 'dario');
    h.request('orders');
    // More budget failures in a row than the breaker's threshold, on three accounts: none is an ERP failure.
    for (const account of ['anna', 'carla', 'dario']) h.runs.live(`orders@${account}`).fail('login-budget-exhausted', `login budget of ERP account "${account}" is used up`);
    expect(BREAKER_THRESHOLD).toBeLessThanOrEqual(3);
    expect(h.state.erp).toBe('closed');
    expect(h.context.breaker.failures).toBe(0);
    expect(h.targetState('orders@anna')).toBe('failed');

    h.runs.live('orders@bruno').complete();
    h.request('customers');
    expect(h.runs.liveTargets()).toEqual(['customers@bruno']);
    h.runs.live('customers@bruno').complete();

    const why = explain(h.context, 'customers@anna', h.targetState('customers@anna'));
    expect(why.reasons).toContainEqual(expect.objectContaining({ code: 'LOGIN_BUDGET_EXHAUSTED', until: MIDNIGHT_ROME, by: ['orders@anna'] }));
    expect(why.reasons.find((reason) => reason.code === 'LOGIN_BUDGET_EXHAUSTED')?.detail).toMatch(/^LOGIN_BUDGET_EXHAUSTED\(anna, resets at 2025-01-06T23:00:00.000Z\)/);
    expect(h.events('account.held').map(({ account, until }) => ({ account, until }))).toEqual([
      { account: 'anna', until: MIDNIGHT_ROME },
      { account: 'carla', until: MIDNIGHT_ROME },
      { account: 'dario', until: MIDNIGHT_ROME },
    ]);

    h.advanceTo(MIDNIGHT_ROME - MINUTE);
    expect(h.runs.liveTargets()).toEqual([]);
    h.advanceTo(MIDNIGHT_ROME);
    expect(h.runs.liveTargets().sort()).toEqual(['customers@anna', 'customers@carla', 'customers@dario']);
    expect(h.events('account.released').map((event) => event.account)).toEqual(['anna', 'carla', 'dario']);
  });

  it('still opens the breaker on erp-unreachable failures (the shared ERP is down)', () => {
    const h = agents('anna', 'bruno', 'carla', 'dario');
    h.request('orders');
    for (const account of ['anna', 'carla', 'dario']) h.runs.live(`orders@${account}`).fail('erp-unreachable');
    expect(h.state.erp).toBe('open');
  });

  it('keeps the hold across a restart', () => {
    const h = agents('anna', 'bruno');
    h.request('orders');
    h.runs.live('orders@anna').fail('login-budget-exhausted');
    h.runs.live('orders@bruno').complete();
    h.restart(BOOT + 60 * MINUTE);
    h.request('orders');
    expect(h.runs.liveTargets()).toEqual(['orders@bruno']);
    h.runs.live('orders@bruno').complete();
    h.advanceTo(MIDNIGHT_ROME);
    expect(h.runs.liveTargets()).toEqual(['orders@anna']);
  });

  it('lets another probe start when the half-open probe fails on the budget: it never reached the ERP', () => {
    const h = agents('anna', 'bruno');
    h.request('orders');
    h.runs.live('orders@anna').fail('erp-unreachable');
    h.runs.live('orders@bruno').fail('erp-unreachable');
    h.request('customers');
    h.runs.live('customers@anna').fail('erp-unreachable');
    expect(h.state.erp).toBe('open');
    h.runs.live('customers@bruno').complete();
    h.advanceTo(h.context.breaker.openUntil ?? 0);
    expect(h.state.erp).toBe('halfOpen');
    const probe = h.runs.liveTargets();
    expect(probe).toHaveLength(1);
    h.runs.live(probe[0] ?? '').fail('login-budget-exhausted');
    expect(h.state.erp).toBe('halfOpen');
    const next = h.runs.liveTargets();
    expect(next).toHaveLength(1);
    expect(next[0]).not.toBe(probe[0]);
    expect(h.context.breaker.probe).toBe(next[0]);
  });
});
