/**
 * Chained syncs: a parent that changed rows queues its children on the same account; one that changed
 * nothing skips them (NO_PARENT_CHANGES).
 */
import { chainChildrenOf, parseTarget, targetId } from './catalog.js';
import type { ServiceCatalog, TargetId } from './catalog.js';
import { requestTarget } from './queue.js';
import { skip, type Report, type Tx } from './transaction.js';
import type { RunStats } from './types.js';

/**
 * Chained follow-ups of a completed target: the children, and whether the parent changed anything (rows
 * inserted or updated by the run, or changes it carries from an earlier attempt, see `RunStats.carriedChanges`).
 */
export function chainedTargets(
  services: ServiceCatalog,
  target: TargetId,
  stats: RunStats,
): { children: TargetId[]; changed: boolean } | null {
  const parsed = parseTarget(target);
  const children = parsed === null ? [] : chainChildrenOf(services, parsed.service);
  if (parsed === null || children.length === 0) return null;
  return {
    children: children.map((child) => targetId(child, parsed.account)),
    changed: stats.inserted + stats.updated > 0 || stats.carriedChanges === true,
  };
}

/** Orders (products) with changes: queue ddt + invoices (prices) on the same account, trigger `chained`. */
export function enqueueChained(tx: Tx, event: Report<'target.completed'>): Tx {
  const chain = chainedTargets(tx.ctx.services, event.target, event.stats);
  return (chain?.children ?? []).reduce((acc, child) => requestTarget(acc, child, 'chained'), tx);
}

/** Orders (products) without changes: their children are skipped with NO_PARENT_CHANGES. */
export function skipChained(tx: Tx, event: Report<'target.completed'>): Tx {
  const chain = chainedTargets(tx.ctx.services, event.target, event.stats);
  const detail = `${event.target} completed without inserted or updated rows (a request with force runs a chained service anyway)`;
  return (chain?.children ?? []).reduce((acc, child) => skip(acc, child, 'chained', 'NO_PARENT_CHANGES', detail), tx);
}
