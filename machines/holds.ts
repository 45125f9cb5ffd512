/**
 * Holds: priority leases (ref-counted per scope, pending until the runs they cover have paused) and the
 * operator pause, with the steps that take, activate and end them.
 */
import { LEASE_DEFAULT_TTL_MS } from './catalog.js';
import type { TargetId } from './catalog.js';
import { command, emit, patchRunning, withContext, type Tx } from './transaction.js';
import type { HoldCause, Lease, OrchestratorContext, RunningEntry } from './types.js';

/** A lease scope covers one account, or every account with `'*'`. */
export function scopeCovers(scope: string, account: string): boolean {
  return scope === '*' || scope === account;
}

/** Leases covering an account, oldest first. */
export function coveringLeases(leases: readonly Lease[], account: string): Lease[] {
  return leases.filter((lease) => scopeCovers(lease.scope, account));
}

/** What holds an account (operator pause first, then the oldest covering lease), or `null` when free. */
export function holdOf(context: OrchestratorContext, account: string): HoldCause | null {
  if (context.operatorPause !== null) return { kind: 'operator' };
  const lease = coveringLeases(context.leases, account)[0];
  return lease === undefined ? null : { kind: 'lease', leaseId: lease.leaseId };
}

/** Number of leases held per scope (leases are ref-counted: a scope is free when its count drops to 0). */
export function leaseRefCounts(leases: readonly Lease[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const lease of leases) counts[lease.scope] = (counts[lease.scope] ?? 0) + 1;
  return counts;
}

/** Running targets a lease must wait for before it is active. */
export function runningInScope(running: Record<TargetId, RunningEntry>, scope: string): TargetId[] {
  return Object.values(running)
    .filter((entry) => scopeCovers(scope, entry.account))
    .map((entry) => entry.target)
    .sort();
}

/** Pending leases with nothing left running in their scope: they become active now. */
export function readyLeases(context: OrchestratorContext): Lease[] {
  return context.leases.filter(
    (lease) => lease.status === 'pending' && runningInScope(context.running, lease.scope).length === 0,
  );
}

/** Leases whose TTL deadline has passed. */
export function expiredLeases(leases: readonly Lease[], now: number): Lease[] {
  return leases.filter((lease) => lease.expiresAt <= now);
}

/** Running targets on held accounts that have not been told to pause yet, with the hold that pauses them. */
export function planHoldPauses(context: OrchestratorContext): Array<{ target: TargetId; cause: HoldCause }> {
  const pauses: Array<{ target: TargetId; cause: HoldCause }> = [];
  for (const entry of Object.values(context.running)) {
    const cause = entry.pauseRequested === null ? holdOf(context, entry.account) : null;
    if (cause !== null) pauses.push({ target: entry.target, cause });
  }
  return pauses.sort((a, b) => a.target.localeCompare(b.target));
}

/** `lease.acquire`: a new pending lease, or a renewal (new TTL) of a lease already held. */
export function acquireLease(
  tx: Tx,
  event: { leaseId: string; scope: string; ttlMs?: number; reason: string },
): Tx {
  const expiresAt = tx.ctx.now + (event.ttlMs !== undefined && event.ttlMs > 0 ? event.ttlMs : LEASE_DEFAULT_TTL_MS);
  const existing = tx.ctx.leases.find((lease) => lease.leaseId === event.leaseId);
  if (existing !== undefined) {
    const renewed = { ...existing, expiresAt, reason: event.reason };
    return withContext(tx, { leases: tx.ctx.leases.map((lease) => (lease === existing ? renewed : lease)) });
  }
  const lease: Lease = {
    leaseId: event.leaseId,
    scope: event.scope,
    reason: event.reason,
    acquiredAt: tx.ctx.now,
    expiresAt,
    status: 'pending',
    pausedTargets: [],
  };
  return withContext(tx, { leases: [...tx.ctx.leases, lease] });
}

/** Ends a lease (`lease.release` or TTL expiry); the account frees when its last covering lease ends. */
export function releaseLease(tx: Tx, leaseId: string, reason: 'released' | 'expired'): Tx {
  const lease = tx.ctx.leases.find((candidate) => candidate.leaseId === leaseId);
  if (lease === undefined) return tx;
  const next = withContext(tx, { leases: tx.ctx.leases.filter((candidate) => candidate !== lease) });
  return emit(next, { type: 'lease.released', at: tx.ctx.now, leaseId, scope: lease.scope, reason });
}

/** `orchestrator.pause`: like a `*` lease without TTL. */
export function pauseForOperator(tx: Tx, event: { reason: string; transient?: boolean }): Tx {
  return withContext(tx, { operatorPause: { reason: event.reason, since: tx.ctx.now, transient: event.transient ?? false } });
}

/** `orchestrator.resume`. */
export function resumeForOperator(tx: Tx): Tx {
  return withContext(tx, { operatorPause: null });
}

/** Pending leases with nothing left running in scope become active (the HTTP call returns then). */
export function activateReadyLeases(tx: Tx): Tx {
  const ready = new Set(readyLeases(tx.ctx).map((lease) => lease.leaseId));
  const leases = tx.ctx.leases.map((lease) => (ready.has(lease.leaseId) ? { ...lease, status: 'active' as const } : lease));
  return leases
    .filter((lease) => ready.has(lease.leaseId))
    .reduce(
      (acc, lease) =>
        emit(acc, {
          type: 'lease.acquired',
          at: acc.ctx.now,
          leaseId: lease.leaseId,
          scope: lease.scope,
          pausedTargets: lease.pausedTargets,
          waitedMs: acc.ctx.now - lease.acquiredAt,
          expiresAt: lease.expiresAt,
        }),
      withContext(tx, { leases }),
    );
}

/** Tells every run on a held account to pause at its next checkpoint. */
export function pauseHeldRuns(tx: Tx): Tx {
  return planHoldPauses(tx.ctx).reduce(
    (acc, { target, cause }) =>
      command(patchRunning(acc, target, { pauseRequested: cause }), target, { type: 'target.pause', now: acc.ctx.now }),
    tx,
  );
}
