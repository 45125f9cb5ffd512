import type { Logger } from 'pino';
import { parseTarget } from '../../machines/index.js';
import { databaseOf, isExportName } from '../exports/registry.js';
import type { DatabaseName } from '../stores/database-spec.js';
import type { RecordStore } from '../stores/record-store.js';
import type { EventHub } from './event-hub.js';
import type { SnapshotPersistence } from './persistence.js';

/** What {@link acknowledgeCompletedChanges} needs. */
export interface AcknowledgeDeps {
  hub: EventHub;
  persistence: Pick<SnapshotPersistence, 'flush'>;
  stores: Partial<Record<DatabaseName, RecordStore>>;
  logger: Logger;
}

/**
 * Clears a scope's mark of unacknowledged changes (see `src/stores/change-marks.ts`) once the completion
 * of a run of that scope is durable: on each `sync.completed`, after the actor's step (a microtask, so
 * the snapshot holds the completion and the chained runs it queued), the snapshot is flushed, then the
 * mark cleared. Until then a restored orchestrator that re-runs the target finds the mark and chains its
 * children (`RunStats.carriedChanges`). A crash between the flush and the clear leaves the mark: the next
 * completion of the target chains its children once more, which is harmless (at-least-once). This is
 * persistence only: what runs is still decided by the statechart alone.
 *
 * @returns the removal of the listener.
 */
export function acknowledgeCompletedChanges({ hub, persistence, stores, logger }: AcknowledgeDeps): () => void {
  const acknowledge = (target: string, service: string, account: string): void => {
    try {
      const store = stores[databaseOf(service).name];
      // Nothing marked (a run that changed nothing): nothing to make durable, no write.
      if (store === undefined || !store.hasUnacknowledgedChanges(service, account)) return;
      // Not durable (the write failed, or the actor stopped): keep the mark, a later completion clears it.
      if (!persistence.flush()) return;
      store.acknowledgeChanges(service, account);
    } catch (error) {
      logger.warn({ err: error, target }, 'could not acknowledge the changes of a completed run; its chained services will run once more');
    }
  };
  return hub.listen((fact) => {
    if (fact.type !== 'sync.completed') return;
    const parsed = parseTarget(fact.target);
    if (parsed === null || !isExportName(parsed.service)) return;
    queueMicrotask(() => acknowledge(fact.target, parsed.service, parsed.account));
  });
}
