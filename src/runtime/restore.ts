import { createActor, type ActorOptions } from 'xstate';
import {
  MACHINE_VERSION,
  initialResourceGuard,
  type Accounts,
  type OrchestratorActor,
  type OrchestratorInput,
  type OrchestratorMachine,
  type ErpHours,
  type ResourceReadings,
  type ServiceCatalog,
} from '../../machines/index.js';
import type { SnapshotEnvelope } from '../stores/orchestrator-store.js';

/** The clock xstate schedules delays on (the real one by default; `SimulatedClock`/`VirtualClock` in tests). */
export type ActorClock = NonNullable<ActorOptions<OrchestratorMachine>['clock']>;

/**
 * The saved snapshot was written by a build whose statechart differs from this one. Restoring it would
 * read state names, context fields and child ids that may mean something else now, so the start stops.
 */
export class SnapshotVersionError extends Error {
  readonly class = 'snapshot-version' as const;

  constructor(
    readonly found: unknown,
    readonly file: string,
  ) {
    super(
      `${file} holds an orchestrator snapshot of machine version ${JSON.stringify(found)}, but this build reads version ${MACHINE_VERSION}. ` +
        `Start the build that wrote it, or discard the snapshot to start fresh (the run and skip ledgers and schedule overrides are kept): ` +
        `sqlite3 ${file} "DELETE FROM snapshots"`,
    );
    this.name = 'SnapshotVersionError';
  }
}

/** The persisted snapshot inside an envelope this build can read; throws `SnapshotVersionError` otherwise. */
export function readableSnapshot(envelope: SnapshotEnvelope, file: string): unknown {
  if (envelope.machineVersion !== MACHINE_VERSION) throw new SnapshotVersionError(envelope.machineVersion, file);
  return envelope.snapshot;
}

/** What `orchestrator.restored` reconciles from the configuration (the snapshot's context wins otherwise). */
export interface RestoredConfig {
  services: ServiceCatalog;
  accounts: Accounts;
  concurrency: number;
  timeScale: number;
  /** ERP_HOURS and ERP_TIME_ZONE of this start: a restart with another window applies it. */
  erpHours: ErpHours | null;
  erpTimeZone: string;
  resourceLimits: ResourceReadings;
}

/** Options of {@link startOrchestrator}. */
export interface StartOptions {
  machine: OrchestratorMachine;
  input: OrchestratorInput;
  /** A readable persisted snapshot (see {@link readableSnapshot}), or null for a first boot. */
  snapshot: unknown;
  clock?: ActorClock;
  /** xstate inspection observer (the Stately inspector with `INSPECT=1`). */
  inspect?: ActorOptions<OrchestratorMachine>['inspect'];
  now: () => number;
  restored: RestoredConfig;
  /** Registers listeners before the actor starts: a restore emits facts from its first event. */
  wire: (actor: OrchestratorActor) => void;
}

/**
 * Creates and starts the root actor: fresh from `input`, or restored from a snapshot. A restored actor
 * is sent `orchestrator.restored` synchronously right after `start()`: it re-arms every deadline from
 * the absolute times in context (xstate does not re-arm `after` timers, statelyai/xstate#5331), applies
 * the missed-run policy, lifts a shutdown pause and re-runs in-flight targets from their checkpoint.
 * Sending it later would let the stale restart of an in-flight run begin its work first.
 */
export function startOrchestrator(options: StartOptions): OrchestratorActor {
  const { machine, input, snapshot, clock, inspect, now, restored } = options;
  const actor = createActor(machine, {
    input,
    ...(clock === undefined ? {} : { clock }),
    ...(inspect === undefined ? {} : { inspect }),
    ...(snapshot === null || snapshot === undefined ? {} : { snapshot: withCurrentFields(snapshot, input) as never }),
  });
  options.wire(actor);
  actor.start();
  if (snapshot !== null && snapshot !== undefined) actor.send({ type: 'orchestrator.restored', now: now(), ...restored });
  return actor;
}

/**
 * A snapshot saved before a context field existed gets it from this start, so the guards can read it from
 * the first event on: the service catalogue (the machines owned the six services before) and the resource
 * guard (at full concurrency). `orchestrator.restored` then reconciles both with the configuration as usual.
 */
function withCurrentFields(snapshot: unknown, input: OrchestratorInput): unknown {
  const saved = snapshot as { context?: Record<string, unknown> };
  if (typeof saved.context !== 'object' || saved.context === null) return snapshot;
  const context = saved.context;
  const added: Record<string, unknown> = {
    ...('services' in context ? {} : { services: input.services }),
    ...('resourceGuard' in context ? {} : { resourceGuard: initialResourceGuard(input.resourceLimits) }),
  };
  return Object.keys(added).length === 0 ? snapshot : { ...saved, context: { ...context, ...added } };
}
