import { describe, expect, it } from 'vitest';
import { PhaseTimer } from '../../src/runtime/phase-timer.js';

describe('PhaseTimer', () => {
  it('adds the time between entering a phase and the next phase or stop, across a pause', () => {
    const timer = new PhaseTimer();
    expect(timer.enter('downloading', 0)).toBe(true);
    expect(timer.enter('downloading', 50)).toBe(false);
    timer.enter('parsing', 100);
    timer.stop(130); // paused
    timer.stop(500); // nothing being timed: no-op
    timer.enter('parsing', 1_000); // resumed
    timer.enter('applying', 1_020);
    timer.stop(1_100);
    expect(timer.totals).toEqual({ downloading: 100, parsing: 50, applying: 80 });
  });

  it('continues from the durations of a run read back after a restart', () => {
    const timer = new PhaseTimer({ downloading: 10, parsing: 20, applying: 0, finalizing: 0 });
    timer.enter('applying', 5);
    timer.stop(9);
    expect(timer.totals).toEqual({ downloading: 10, parsing: 20, applying: 4, finalizing: 0 });
  });
});
