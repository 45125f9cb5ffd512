import type { Phase } from '../../machines/index.js';

/**
 * Time spent in each phase of one run, from the facts that open and close the phases (`sync.progress`
 * enters one; a pause, a failure or the completion closes it). A paused and resumed run adds up. The run
 * ledger and the metrics both time phases with it, so both count the same milliseconds.
 */
export class PhaseTimer {
  private current: { phase: Phase; since: number } | null = null;

  /** @param spent milliseconds already spent per phase (a run's row read back after a restart). */
  constructor(private spent: Readonly<Partial<Record<Phase, number>>> = {}) {}

  /** Enters `phase` at `at`, closing the phase being timed; false when the run was already in it. */
  enter(phase: Phase, at: number): boolean {
    if (this.current?.phase === phase) return false;
    this.stop(at);
    this.current = { phase, since: at };
    return true;
  }

  /** Closes the phase being timed at `at` (a no-op when none is). */
  stop(at: number): void {
    if (this.current === null) return;
    const { phase, since } = this.current;
    this.spent = { ...this.spent, [phase]: (this.spent[phase] ?? 0) + Math.max(0, at - since) };
    this.current = null;
  }

  /** Milliseconds per phase entered so far (phases the run never entered are absent). */
  get totals(): Readonly<Partial<Record<Phase, number>>> {
    return this.spent;
  }
}
