/**
 * Ageing: a waiting entry's effective priority rises with its waiting time, so no stream of
 * higher-priority requests can keep it waiting for ever, and the bound that rule gives.
 *
 * Rule: `effective = priority + floor(waited / step)`, with `step = AGE_STEP_MS / TIME_SCALE`; a queued
 * entry waits since its request (merged requests keep it), a paused run since its pause.
 *
 * Bound. Let P be the highest priority a request carries (the catalogue's highest unless an operator asks
 * for more), N the number of targets and D the longest time one run holds its slot. An entry e of
 * priority p requested at t starts by `t + (P − p + 1) × step + (2N − 1) × D` with the default cap of 1,
 * not counting time while starts are held for it (lease, operator pause, account hold, ERP hours closed,
 * resource guard), the breaker is open or e backs off.
 * Proof: an entry f requested at t' ≥ t + (P − p + 1) × step never ranks ahead of e, because
 * floor(a) − floor(b) ≥ floor(a − b) gives e an ageing lead of at least P − p + 1 levels, more than
 * f's priority lead. So after that window only work already there can start before e: at most one queued
 * entry per other target (N − 1) and one run (running or paused) per target (N), each holding the single
 * slot for at most D; nothing else can take the slot while e is eligible, since with the slot free every
 * account is free and e ranks first among the newcomers. `test/machines/fairness.test.ts` checks it in the
 * starvation scenario, at cap 1 and at cap 3.
 */
import { AGE_STEP_MS } from './catalog.js';
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

/** `(P − p + 1) × step`: no entry requested this long after one of priority `priority` ever ranks ahead of it. */
export function ageingWindowMs(priority: number, top: number, timeScale: number): number {
  return (Math.max(top, priority) - priority + 1) * ageStepMs(timeScale);
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
}

/** The longest an entry waits before it starts (cap 1; holds, breaker and backoff not counted). */
export function startBoundMs(input: BoundInput): number {
  return ageingWindowMs(input.priority, input.top, input.timeScale) + (2 * input.targets - 1) * input.longestRunMs;
}
