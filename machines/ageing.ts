/**
 * Ageing: a waiting entry's effective priority rises with its waiting time, so no stream of
 * higher-priority requests can keep it waiting for ever, and the bound that rule gives.
 *
 * Rule: `effective = priority + floor(waited / step)`, with `step = AGE_STEP_MS / TIME_SCALE`; a queued
 * entry waits since its request (merged requests keep it), a paused run since its pause.
 *
 * Bound. Let P be the highest priority a request carries (the catalogue's highest unless an operator asks
 * for more), N the number of targets, D the longest time one run holds its slot (all its pieces, restarts
 * included) and c the global cap. An entry e of priority p waiting since t (a queued entry since its
 * request, a paused run since its pause) on account A starts by
 *   c = 1:  t + (P − p + 1) × step + (2N − 1) × D
 *   c ≥ 2:  t + (P − p + PREEMPT_MARGIN) × step + ((MAX_PREEMPTIONS + 2) × (2N − 1) + 1) × D
 * over a wait in which nothing holds starts on any account (lease, operator pause, account hold), the ERP
 * window stays open, the breaker closed, the resource guard at c, e does not back off and the service does
 * not restart; a wait with such an interruption is bounded likewise from the end of the last one, and a
 * queued entry whose target still runs or is paused waits from the end of that run.
 * Proof, common part: let W be t plus the window (the first term). An entry f requested at t' ≥ W
 * ("newer") never ranks ahead of e, because floor(a) − floor(b) ≥ floor(a − b) gives e an ageing lead of
 * at least P − q + 1 levels over f's priority q, more than f's priority lead; with the c ≥ 2 window the
 * lead is at least PREEMPT_MARGIN, so a paused newer run never resumes ahead of e either (e outranks the
 * priority it started with, and a run paused by preemption always has budget left to be outranked).
 * Whenever a slot is free while A is free, `planStarts` (in the same step) starts e or an entry ranked
 * ahead of it, never a newer one. So after W only "older" runs start or resume ahead of e: at most one run
 * per target in flight or paused at W (N) and one queued entry per other target (N − 1), 2N − 1 runs; and
 * nothing newer ever starts on A before e, since e would take A first.
 * c = 1: with the slot free every account is free, so from W until e starts the single slot is always
 * held by an older run, each for at most D in total: (2N − 1) × D.
 * c ≥ 2: newer runs of other accounts may start while A is busy (work-conserving), and still hold slots
 * when A frees, so count differently. While A is busy it runs older runs only: at most (2N − 1) × D in
 * total. While A is free, all c slots are busy (else e would start); such a stretch splits at each moment a
 * slot frees, each piece lasts at most D (every run in a slot ends or pauses within D) and ends with e's
 * start or the start or resume of an older run. An older run starts or resumes at most 1 + MAX_PREEMPTIONS
 * times after W (without holds, only preemption pauses a run, and each spends its budget), so there are at
 * most (MAX_PREEMPTIONS + 1) × (2N − 1) + 1 pieces. The sum is the c ≥ 2 term. It is loose (every older
 * run counted as A's and as a preempted run elsewhere), but every wait stays under it.
 * `test/machines/fairness.test.ts` checks it in the starvation scenario at cap 1 and at cap 3, and in a
 * scenario that keeps e's account busy while lower-ranked entries of other accounts fill the other slots.
 */
import { AGE_STEP_MS, MAX_PREEMPTIONS, PREEMPT_MARGIN } from './catalog.js';
import type { ServiceCatalog } from './catalog.js';
import { scaled } from './time.js';

/** The instant and time scale ageing is measured at (the context's `now` and `timeScale`). */
export interface AgeingClock {
  now: number;
  timeScale: number;
}

/** A waiting entry as ageing sees it: a queued entry (since its request) or a paused run (since its pause). */
export interface Waiting {
  priority: number;
  requestedAt: number;
  pausedAt?: number;
}

/** One ageing step at a time scale: the wait that adds one priority level. */
export function ageStepMs(timeScale: number): number {
  return scaled(AGE_STEP_MS, timeScale);
}

/** When the entry started waiting: its pause for a paused run, its request for a queued entry. */
export function waitingSince(entry: Waiting): number {
  return entry.pausedAt ?? entry.requestedAt;
}

/** How long the entry has waited at `clock.now` (never negative). */
export function waitedMs(entry: Waiting, clock: AgeingClock): number {
  return Math.max(0, clock.now - waitingSince(entry));
}

/** Priority plus one level per ageing step waited. */
export function effectivePriority(entry: Waiting, clock: AgeingClock): number {
  return entry.priority + Math.floor(waitedMs(entry, clock) / ageStepMs(clock.timeScale));
}

/** The highest priority of the catalogue: P of the bound when no request asks for more. */
export function topPriority(services: ServiceCatalog): number {
  return Math.max(...Object.values(services).map((spec) => spec.priority));
}

/**
 * The ageing window of the bound: `(P − p + 1) × step` at cap 1, `(P − p + PREEMPT_MARGIN) × step` above
 * (a paused run must also rank behind e, which takes PREEMPT_MARGIN levels). No entry requested this long
 * after one of priority `priority` ever ranks ahead of it.
 */
export function ageingWindowMs(priority: number, top: number, timeScale: number, cap = 1): number {
  const lead = cap > 1 ? PREEMPT_MARGIN : 1;
  return (Math.max(top, priority) - priority + lead) * ageStepMs(timeScale);
}

/** What the start bound depends on. */
export interface BoundInput {
  /** Priority of the waiting entry. */
  priority: number;
  /** P: the highest priority a request carries. */
  top: number;
  /** N: the number of targets. */
  targets: number;
  /** D: the longest time one run holds its slot. */
  longestRunMs: number;
  timeScale: number;
  /** c: the global cap (SYNC_CONCURRENCY), at least 1. */
  cap: number;
}

/** How many longest runs the bound counts after the window: `2N − 1` at cap 1, `(MAX_PREEMPTIONS + 2)(2N − 1) + 1` above. */
export function boundRuns(targets: number, cap: number): number {
  const older = 2 * targets - 1;
  return cap > 1 ? (MAX_PREEMPTIONS + 2) * older + 1 : older;
}

/** The longest an entry waits before it starts at cap `input.cap` (the interruptions of the proof not counted). */
export function startBoundMs(input: BoundInput): number {
  if (!Number.isInteger(input.cap) || input.cap < 1) throw new Error(`cap must be an integer ≥ 1, got ${input.cap}`);
  return ageingWindowMs(input.priority, input.top, input.timeScale, input.cap) + boundRuns(input.targets, input.cap) * input.longestRunMs;
}
