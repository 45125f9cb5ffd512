import { randomUUID } from 'node:crypto';
import { selectLease, type OrchestratorActor } from '../../machines/index.js';
import { runningInScope } from '../../machines/holds.js';
import type { EventHub } from './event-hub.js';
import { isoTime } from './iso-times.js';
import { LeaseTimeoutError, type LeaseGrant, type LeaseRequest } from './orchestrator-port.js';

/**
 * How long a lease request waits for the runs in scope to pause when the caller gives no bound. A run
 * pauses at its next checkpoint: at once during a download or parse (abandoned), within one 500-row
 * batch while applying. Ten seconds covers a browser that is slow to abort a download.
 */
export const DEFAULT_LEASE_WAIT_MS = 10_000;

/** Longest TTL a lease may ask for: a user operation in the ERP takes minutes, not a day. */
export const MAX_LEASE_TTL_MS = 24 * 60 * 60_000;

/** What {@link acquireLease} needs from the runtime. */
export interface LeaseDeps {
  actor: OrchestratorActor;
  hub: EventHub;
  now: () => number;
  /** Aborted when the runtime closes: pending acquisitions are rejected. */
  closing: AbortSignal;
}

/**
 * Sends `lease.acquire` and resolves on the machine's `lease.acquired` for this lease, i.e. once every
 * running target in scope has reported `paused`. The machine decides; this only listens for its fact.
 * When `waitMs` passes first (or the lease's TTL ends first), the lease is released and the promise
 * rejects with `LeaseTimeoutError` naming the targets that did not pause: a failed acquire holds nothing.
 */
export function acquireLease(deps: LeaseDeps, request: LeaseRequest, waitMs: number): Promise<LeaseGrant> {
  const { actor, hub, now, closing } = deps;
  if (request.ttlMs !== undefined && !(Number.isFinite(request.ttlMs) && request.ttlMs > 0 && request.ttlMs <= MAX_LEASE_TTL_MS)) {
    throw new RangeError(`ttlMs must be a number of milliseconds from 1 to ${MAX_LEASE_TTL_MS}, got ${JSON.stringify(request.ttlMs)}`);
  }
  if (!(Number.isFinite(waitMs) && waitMs >= 0)) throw new RangeError(`waitMs must be a non-negative number, got ${waitMs}`);
  if (closing.aborted) return Promise.reject(new Error('the orchestrator is shutting down: no lease is granted'));
  const leaseId = `lease-${randomUUID()}`;
  const scope = request.account ?? '*';
  // Targets in scope still running: the ones a lease waits for (read before the lease is gone).
  const notPaused = (): string[] => runningInScope(actor.getSnapshot().context.running, scope);
  return new Promise<LeaseGrant>((resolve, reject) => {
    const settle = (): void => {
      stopListening();
      clearTimeout(timer);
      closing.removeEventListener('abort', onClosing);
    };
    const giveUp = (error: Error): void => {
      const held = selectLease(actor.getSnapshot(), leaseId);
      settle();
      if (held !== undefined) actor.send({ type: 'lease.release', leaseId, now: now() });
      reject(error);
    };
    const stopListening = hub.listen((fact) => {
      if (fact.type === 'lease.acquired' && fact.leaseId === leaseId) {
        settle();
        resolve({ leaseId, pausedTargets: fact.pausedTargets, waitedMs: fact.waitedMs, expiresAt: isoTime(fact.expiresAt) });
      } else if (fact.type === 'lease.released' && fact.leaseId === leaseId) {
        // Its TTL ran out before everything in scope paused.
        settle();
        reject(new LeaseTimeoutError(notPaused(), waitMs));
      }
    });
    // The HTTP deadline: a bound on how long a client waits, not a scheduling decision.
    const timer = setTimeout(() => giveUp(new LeaseTimeoutError(notPaused(), waitMs)), waitMs);
    const onClosing = (): void => giveUp(new Error('the orchestrator is shutting down: the lease was not granted'));
    closing.addEventListener('abort', onClosing, { once: true });
    actor.send({ type: 'lease.acquire', leaseId, scope, reason: request.reason, ...(request.ttlMs === undefined ? {} : { ttlMs: request.ttlMs }), now: now() });
  });
}
