/** The pure reads of a root snapshot that more than one layer relies on. */
import { describe, expect, it } from 'vitest';
import { regionChange, type RegionStates } from '../../machines/orchestrator.selectors.js';

const RUNNING: RegionStates = { dispatch: 'running', clock: 'waiting', erp: 'closed' };

describe('regionChange: when orchestrator.state is announced', () => {
  it('announces the first regions seen', () => {
    expect(regionChange(null, RUNNING)).toBe(RUNNING);
  });

  it('announces nothing while every region stays in its state', () => {
    expect(regionChange(RUNNING, { ...RUNNING })).toBeNull();
  });

  it.each(['dispatch', 'clock', 'erp'] as const)('announces the new regions when %s alone moves', (region) => {
    const moved = { ...RUNNING, [region]: 'paused.draining' };
    expect(regionChange(RUNNING, moved)).toBe(moved);
  });
});
