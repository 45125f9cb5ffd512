/**
 * The ERP circuit breaker: which failures count, when it opens, when its cooldown ends, and the steps the
 * `erp` region takes on each move.
 */
import { BREAKER_COOLDOWN_MS, BREAKER_THRESHOLD, FAILURE_POLICY } from './catalog.js';
import type { FailureClass } from './catalog.js';
import { scaled } from './time.js';
import { emit, withContext, type Tx } from './transaction.js';
import type { BreakerState } from './types.js';

/** Only "ERP unreachable / login refused" failures say anything about the ERP's health. */
export function countsTowardBreaker(failure: FailureClass): boolean {
  return FAILURE_POLICY[failure].tripsBreaker;
}

/** True when this failure is the one that reaches BREAKER_THRESHOLD consecutive ERP failures. */
export function tripsBreaker(breaker: BreakerState, failure: FailureClass): boolean {
  return countsTowardBreaker(failure) && breaker.failures + 1 >= BREAKER_THRESHOLD;
}

/** End of the breaker cooldown for a breaker opening at `now`. */
export function breakerReopensAt(now: number, timeScale: number): number {
  return now + scaled(BREAKER_COOLDOWN_MS, timeScale);
}

/** True once an open breaker's cooldown has elapsed. */
export function cooldownElapsed(breaker: BreakerState, now: number): boolean {
  return breaker.state === 'open' && breaker.openUntil !== null && now >= breaker.openUntil;
}

function setBreaker(tx: Tx, breaker: BreakerState): Tx {
  const next = withContext(tx, { breaker });
  return emit(next, { type: 'erp.circuit', at: tx.ctx.now, state: breaker.state, until: breaker.openUntil, failures: breaker.failures });
}

/** Opens the breaker for a cooldown from now. */
export function openBreaker(tx: Tx): Tx {
  const failures = tx.ctx.breaker.failures + 1;
  return setBreaker(tx, { state: 'open', failures, openUntil: breakerReopensAt(tx.ctx.now, tx.ctx.timeScale), probe: null });
}

/** Cooldown over: one probe run may start. */
export function halfOpenBreaker(tx: Tx): Tx {
  return setBreaker(tx, { ...tx.ctx.breaker, state: 'halfOpen', probe: null });
}

/** The probe proved the ERP reachable. */
export function closeBreaker(tx: Tx): Tx {
  return setBreaker(tx, { state: 'closed', failures: 0, openUntil: null, probe: null });
}

/** One more consecutive ERP failure while closed. */
export function countErpFailure(tx: Tx): Tx {
  return withContext(tx, { breaker: { ...tx.ctx.breaker, failures: tx.ctx.breaker.failures + 1 } });
}

/** A completed run proves the ERP reachable: the consecutive count restarts. */
export function resetErpFailures(tx: Tx): Tx {
  return tx.ctx.breaker.failures === 0 ? tx : withContext(tx, { breaker: { ...tx.ctx.breaker, failures: 0 } });
}

/** The probe paused before deciding: another probe may start. */
export function releaseProbe(tx: Tx): Tx {
  return withContext(tx, { breaker: { ...tx.ctx.breaker, probe: null } });
}
