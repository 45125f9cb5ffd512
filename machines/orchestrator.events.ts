/**
 * What the root statechart receives: the commands of the runtime and the HTTP layer, and its children's
 * reports. Every event carries `now` (epoch ms): it is how time reaches the machines.
 */
import type { Accounts, MissedPolicy, Service, ServiceCatalog, Trigger } from './catalog.js';
import type { ErpHours } from './erp-hours.js';
import type { SyncTargetReport } from './sync-target.machine.js';
import type { ResourceReadings } from './types.js';

/** What `orchestrator.restored` carries of this start's configuration; an absent field keeps the snapshot's. */
export interface RestoredSettings {
  /** The catalogue of this start: services added since the snapshot get targets, removed ones go. */
  services?: ServiceCatalog;
  accounts?: Accounts;
  concurrency?: number;
  timeScale?: number;
  /** ERP_HOURS of this start (`null`: any hour). */
  erpHours?: ErpHours | null;
  erpTimeZone?: string;
  /** GUARD_* limits of this start; the resource guard restarts at full concurrency either way. */
  resourceLimits?: ResourceReadings;
}

/** Commands the runtime and the HTTP layer send. Every one carries `now` (epoch ms). */
export type OrchestratorCommand =
  | { type: 'sync.request'; service: Service; account?: string; priority?: number; trigger?: Trigger; force?: boolean; now: number }
  | { type: 'orchestrator.pause'; reason: string; transient?: boolean; now: number }
  | { type: 'orchestrator.resume'; now: number }
  | { type: 'lease.acquire'; leaseId: string; scope: string; ttlMs?: number; reason: string; now: number }
  | { type: 'lease.release'; leaseId: string; now: number }
  | {
      type: 'schedule.update';
      service: Service;
      intervalMs?: number | null;
      offsetMs?: number;
      enabled?: boolean;
      missed?: MissedPolicy;
      now: number;
    }
  | ({ type: 'orchestrator.restored'; now: number } & RestoredSettings)
  | { type: 'clock.tick'; now: number }
  /** The runtime's measurement of one sample window (`src/runtime/resource-sampler.ts`). */
  | { type: 'resources.sampled'; readings: ResourceReadings; now: number };

/** Everything the root receives: commands plus its children's reports. */
export type OrchestratorEvent = OrchestratorCommand | SyncTargetReport;
