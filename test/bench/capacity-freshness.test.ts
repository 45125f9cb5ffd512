import { describe, expect, it } from 'vitest';
import { refreshGaps } from '../../bench/capacity.bench.js';
import type { ScheduleResult } from '../../bench/capacity-protocol.js';

const MINUTE = 60_000;

function result(completions: Record<string, number[]>, ranMinutes: number): ScheduleResult {
  return { completions, ranMs: ranMinutes * MINUTE, runs: 0, failures: 0, wallSeconds: 0, cpuSeconds: 0, maxRssMiB: 0 };
}

describe('capacity benchmark: freshness samples', () => {
  it('takes the time between successive refreshes of each account, in minutes', () => {
    const gaps = refreshGaps(result({ 'orders@agent1': [0, 60 * MINUTE, 121 * MINUTE], 'orders@agent2': [5 * MINUTE, 65 * MINUTE] }, 122), 'orders', 2, 60);
    expect(gaps.sort((a, b) => a - b)).toEqual([60, 60, 61]);
  });

  it('counts a refresh that is overdue at the end, and an account never refreshed, by their age', () => {
    // agent1 was last refreshed at minute 10 of 180; agent2 never.
    const gaps = refreshGaps(result({ 'orders@agent1': [10 * MINUTE] }, 180), 'orders', 2, 60);
    expect(gaps.sort((a, b) => a - b)).toEqual([170, 180]);
  });

  it('leaves out the age at the end while it is within the interval (the next refresh is not due yet)', () => {
    expect(refreshGaps(result({ 'customers@agent1': [0, 30 * MINUTE, 60 * MINUTE] }, 80), 'customers', 1, 30)).toEqual([30, 30]);
  });
});
