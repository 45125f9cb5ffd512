import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toRunError } from '../../machines/run-sync.js';
import { SourceError } from '../../src/erp/export-source.js';
import { LoginBudget } from '../../src/erp/login-budget.js';

const file = (): string => join(mkdtempSync(join(tmpdir(), 'login-budget-')), 'browser', 'login-budget.json');

describe('login budget', () => {
  it('allows perDay logins per account and refuses the next one with a login-budget-exhausted error that says why and when it resets', async () => {
    const budget = new LoginBudget({ file: file(), perDay: 2, now: () => new Date('2026-01-20T10:00:00Z') });
    await budget.take('agent1');
    await budget.take('agent1');
    await budget.take('agent2');
    const err = await budget.take('agent1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).class).toBe('login-budget-exhausted');
    expect((err as SourceError).message).toMatch(/login budget of ERP account "agent1" is used up: 2 logins today \(limit 2 per day/);
    expect((err as SourceError).message).toContain('no new login before midnight Europe/Rome (2026-01-20T23:00:00.000Z)');
    // The run reports it with its own class: the orchestrator holds the account, the breaker does not count it.
    expect(toRunError(err).class).toBe('login-budget-exhausted');
    expect(await budget.used('agent1')).toBe(2);
    expect(await budget.used('agent2')).toBe(1);
  });

  it('starts afresh at midnight in Rome, not in UTC', async () => {
    let now = new Date('2026-01-20T22:30:00Z'); // 23:30 in Rome
    const budget = new LoginBudget({ file: file(), perDay: 1, now: () => now });
    await budget.take('agent1');
    now = new Date('2026-01-20T22:59:00Z');
    await expect(budget.take('agent1')).rejects.toThrow(/used up/);
    now = new Date('2026-01-20T23:01:00Z'); // 00:01 in Rome
    await budget.take('agent1');
    expect(await budget.used('agent1')).toBe(1);
  });

  it('keeps the count across restarts', async () => {
    const path = file();
    const now = (): Date => new Date('2026-01-20T10:00:00Z');
    await new LoginBudget({ file: path, perDay: 3, now }).take('agent1');
    await new LoginBudget({ file: path, perDay: 3, now }).take('agent1');
    expect(await new LoginBudget({ file: path, perDay: 3, now }).used('agent1')).toBe(2);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 1, accounts: { agent1: { day: '2026-01-20', count: 2 } } });
  });

  it('counts logins taken at the same time exactly', async () => {
    const budget = new LoginBudget({ file: file(), perDay: 5, now: () => new Date('2026-01-20T10:00:00Z') });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => budget.take('agent1')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(await budget.used('agent1')).toBe(5);
  });

  it('starts an empty budget from a damaged file', async () => {
    const path = file();
    const budget = new LoginBudget({ file: path, perDay: 1 });
    await budget.take('agent1');
    writeFileSync(path, '{not json');
    const fresh = new LoginBudget({ file: path, perDay: 1 });
    expect(await fresh.used('agent1')).toBe(0);
  });
});
