/**
 * Retries: what follows a failed attempt (at once, after a backoff, or never), the backoff with its
 * jitter, and the deterministic PRNG that draws the jitter (drawn when a run starts: `dispatch.ts`).
 */
import { FAILURE_POLICY, MAX_RETRY_ATTEMPTS, RETRY_BACKOFF_MS, RETRY_JITTER_RATIO } from './catalog.js';
import type { FailureClass } from './catalog.js';
import { scaled } from './time.js';

/** What to do after a failed attempt. */
export type RetryDecision = { kind: 'immediate' } | { kind: 'backoff'; retry: number } | { kind: 'none' };

/**
 * session-expired is retried once at once (fresh login); retryable classes then back off up to
 * MAX_RETRY_ATTEMPTS times; export-invalid never retries.
 */
export function retryDecision(failure: FailureClass, retriesDone: number, sessionRetried: boolean): RetryDecision {
  const policy = FAILURE_POLICY[failure];
  if (policy.immediateRetryOnce && !sessionRetried) return { kind: 'immediate' };
  if (policy.retry === 'backoff' && retriesDone < MAX_RETRY_ATTEMPTS) return { kind: 'backoff', retry: retriesDone + 1 };
  return { kind: 'none' };
}

/** Backoff before retry n (1-based): 5 s, 10 s, 20 s ± RETRY_JITTER_RATIO, from `jitter` in [0, 1). */
export function retryDelayMs(retry: number, jitter: number, timeScale: number): number {
  const base = RETRY_BACKOFF_MS[Math.min(retry, RETRY_BACKOFF_MS.length) - 1] ?? 0;
  const factor = 1 + RETRY_JITTER_RATIO * (2 * jitter - 1);
  return scaled(Math.round(base * factor), timeScale);
}

/** Unknown or missing classes become `store-error`: retried with backoff, never silently dropped. */
export function failureClassOf(value: unknown): FailureClass {
  return typeof value === 'string' && value in FAILURE_POLICY ? (value as FailureClass) : 'store-error';
}

/** mulberry32: a tiny deterministic PRNG whose state is one integer, so it persists with the snapshot. */
export function nextRandom(state: number): { value: number; state: number } {
  const next = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(next ^ (next >>> 15), next | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4294967296, state: next };
}
