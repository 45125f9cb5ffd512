import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import {
  createRunSyncLogic,
  sampleChangesGuard,
  withRunSync,
  type Accounts,
  type OrchestratorActor,
  type OrchestratorInput,
  type RunFunction,
} from '../../machines/index.js';
import type { Config } from '../config.js';
import { DirectorySource } from '../erp/directory-source.js';
import type { ExportSource } from '../erp/export-source.js';
import { serviceCatalog } from '../exports/registry.js';
import { ORCHESTRATOR_DB_FILE, openOrchestratorDb } from '../stores/orchestrator-db.js';
import type { OrchestratorStore } from '../stores/orchestrator-store.js';
import { closeRecordStores, openRecordStores, type RecordStores } from '../stores/sqlite-record-store.js';
import type { ParseExportFile } from '../sync/export-parser.js';
import { EventHub } from './event-hub.js';
import { logFact } from './event-log.js';
import { MachineTransitions, inspectAll } from './machine-transitions.js';
import { acknowledgeCompletedChanges } from './acknowledge-changes.js';
import { ActorPort } from './actor-port.js';
import { isoTime } from './iso-times.js';
import { RunLedger } from './ledger.js';
import { DEFAULT_LEASE_WAIT_MS } from './leases.js';
import { SnapshotPersistence } from './persistence.js';
import { RESOURCE_SAMPLE_MS, ResourceSampler } from './resource-sampler.js';
import { readableSnapshot, startOrchestrator, type ActorClock, type StartOptions } from './restore.js';
import { ExportRuns } from '../sync/export-runs.js';
import { shutdownPhases, type ShutdownPhases } from './shutdown.js';
import type { OrchestratorPort } from './orchestrator-port.js';
import { schedulesInput } from './schedules.js';

/** Options of {@link createRuntime}. */
export interface RuntimeOptions {
  config: Config;
  /** Where exports come from; by default a `DirectorySource` over `config.exportDir`. */
  source?: ExportSource;
  /** xstate's clock (delays, the clock region); the real one by default, a virtual one in tests. */
  clock?: ActorClock;
  /** xstate inspection observer, e.g. `createInspector(...).inspect` (`src/runtime/inspector.ts`) when `INSPECT=1`. */
  inspect?: StartOptions['inspect'];
  /** Wall clock, epoch ms: the `now` of every command and run fact. Default: `clock.now()` when it has one, else `Date.now`. */
  now?: () => number;
  logger?: Logger;
  /** Schedules of a first boot (before any override is saved); tests and benchmarks turn timers off here. */
  schedules?: OrchestratorInput['schedules'];
  /** Seed of the backoff-jitter PRNG of a first boot (tests pass a fixed one). */
  random?: number;
  /** Coalescing interval of snapshot writes (default `SNAPSHOT_WRITE_INTERVAL_MS`). */
  snapshotIntervalMs?: number;
  /** Default bound of `acquireLease` (default `DEFAULT_LEASE_WAIT_MS`). */
  leaseWaitMs?: number;
  /** The parser port of every run (default: pdf.js in a worker thread); benchmarks pass a pre-parsed export. */
  parse?: ParseExportFile;
  /**
   * Replaces the whole run of every target (default: export source → `applyExport`). Benchmarks pass a
   * no-op to measure the orchestrator alone; everything else (machine, ledgers, persistence) stays real.
   */
  runSync?: RunFunction;
  /** The browser's folder, whose Chromium processes the resource guard sums (`ExportSetup.browserDir`); none by default. */
  browserDir?: string | null;
  /**
   * Resource sample window (`RESOURCE_SAMPLE_MS` in the service). Unset, the sampler is built but not
   * started: a test or benchmark on a busy machine must not have its starts held by its own load; it
   * samples by hand with `resources.sample()`.
   */
  resourceSampleMs?: number;
}

/** A running orchestrator and how to stop it. */
export interface Runtime extends ShutdownPhases {
  /** What the HTTP layer, the CLI and the benchmarks call. */
  orchestrator: OrchestratorPort;
  /** The root actor (for tests and benchmarks that watch it; send commands through `orchestrator`). */
  actor: OrchestratorActor;
  /** The snapshot + ledger write loop; `flush()` writes what is pending now, `stats` measures it. */
  persistence: SnapshotPersistence;
  /** `savedAt` of the snapshot this start restored, or null on a first boot. */
  restoredFrom: number | null;
  /** Measures event-loop delay, RSS and Chromium RSS for the resource guard; stopped when the runtime closes. */
  resources: ResourceSampler;
}

/**
 * The composition root: opens `orchestrator.db` and the record databases under `DATA_DIR`, restores the
 * orchestrator from its snapshot (or boots it fresh), provides the real `runSync` (export source →
 * `applyExport`), and starts the persistence loop and the run/skip ledgers.
 *
 * @throws SnapshotVersionError when the saved snapshot was written by another machine version.
 * @throws StoreError when a database cannot be opened.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { config } = options;
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'orchestrator' });
  const now = options.now ?? clockNow(options.clock) ?? Date.now;
  const source = options.source ?? defaultSource(config);
  const store = openOrchestratorDb(config.dataDir);
  let stores: RecordStores | undefined;
  try {
    stores = openRecordStores(config.dataDir);
    return assemble({ ...options, logger, now, source, store, stores });
  } catch (error) {
    if (stores !== undefined) closeRecordStores(stores);
    store.close();
    throw error;
  }
}

interface Parts extends RuntimeOptions {
  logger: Logger;
  now: () => number;
  source: ExportSource;
  store: OrchestratorStore;
  stores: RecordStores;
}

function assemble(parts: Parts): Runtime {
  const { config, logger, now, source, store, stores } = parts;
  const envelope = store.loadEnvelope();
  const snapshot = envelope === null ? null : readableSnapshot(envelope, join(config.dataDir, ORCHESTRATOR_DB_FILE));
  const accounts: Accounts = { service: config.serviceAccount.name, agents: config.agentAccounts.map((account) => account.name) };
  const ledger = new RunLedger(store.unfinishedRuns(), store.lastRunId());
  const runs = new ExportRuns({
    source,
    stores,
    downloadsDir: join(config.dataDir, 'downloads'),
    logger,
    now,
    completenessMin: config.completenessMin,
    ...(parts.parse === undefined ? {} : { parse: parts.parse }),
    onCompleted: (target, flags) => ledger.noteFlags(target, flags),
  });
  const hub = new EventHub(logger);
  hub.listen((fact) => ledger.record(fact));
  hub.listen((fact) => logFact(logger, fact));
  // The dashboard's offline inspector: every state change of the root and the targets, with its guards.
  const transitions = new MachineTransitions(logger);
  hub.listen((fact) => transitions.noteFact(fact));

  const services = serviceCatalog();
  const input: OrchestratorInput = {
    services,
    accounts,
    concurrency: config.syncConcurrency,
    timeScale: config.timeScale,
    resourceLimits: config.resourceLimits,
    schedules: { ...parts.schedules, ...schedulesInput(store.scheduleOverrides()) },
    bootAt: now(),
    erpHours: config.erpHours,
    erpTimeZone: config.erpTimeZone,
    ...(parts.random === undefined ? {} : { random: parts.random }),
  };
  if (envelope !== null) {
    logger.info({ savedAt: isoTime(envelope.savedAt), machineVersion: envelope.machineVersion }, 'restoring the orchestrator from its snapshot');
  } else {
    logger.info({ bootAt: isoTime(input.bootAt) }, 'starting the orchestrator fresh (no snapshot)');
  }
  const actor = startOrchestrator({
    machine: withRunSync(createRunSyncLogic(parts.runSync ?? runs.run, { now })),
    input,
    snapshot,
    ...(parts.clock === undefined ? {} : { clock: parts.clock }),
    inspect: inspectAll(transitions.inspect, parts.inspect),
    now,
    restored: {
      services,
      accounts,
      concurrency: config.syncConcurrency,
      timeScale: config.timeScale,
      erpHours: config.erpHours,
      erpTimeZone: config.erpTimeZone,
      resourceLimits: config.resourceLimits,
    },
    wire: (created) => hub.attach(created),
  });
  // Rows the last process left open whose run the (restored or fresh) actor does not have end here.
  ledger.settle(actor.getSnapshot().context, now());

  const persistence = new SnapshotPersistence({
    actor,
    store,
    ledger,
    now,
    logger,
    ...(parts.snapshotIntervalMs === undefined ? {} : { intervalMs: parts.snapshotIntervalMs }),
  });
  persistence.start();
  acknowledgeCompletedChanges({ hub, persistence, stores, logger });

  const closing = new AbortController();
  const resources = new ResourceSampler({
    send: (event) => actor.send(event),
    matters: (readings) => sampleChangesGuard(actor.getSnapshot().context, readings),
    now,
    browserDir: parts.browserDir ?? null,
    logger,
    intervalMs: parts.resourceSampleMs ?? RESOURCE_SAMPLE_MS,
  });
  if (parts.resourceSampleMs !== undefined) resources.start();
  // The first shutdown phase aborts `closing`: no sample may reach an actor that is being stopped.
  closing.signal.addEventListener('abort', () => resources.stop(), { once: true });
  const orchestrator = new ActorPort({
    actor,
    hub,
    transitions,
    store,
    persistence,
    now,
    startedAt: now(),
    sourceKind: source.kind,
    leaseWaitMs: parts.leaseWaitMs ?? DEFAULT_LEASE_WAIT_MS,
    closing: closing.signal,
    latestReadings: () => resources.latest,
  });

  const phases = shutdownPhases({ actor, persistence, runs, source, stores, store, closing, now, logger });
  return { orchestrator, actor, persistence, restoredFrom: envelope?.savedAt ?? null, resources, ...phases };
}

function clockNow(clock: ActorClock | undefined): (() => number) | undefined {
  const candidate = clock as { now?: unknown } | undefined;
  return typeof candidate?.now === 'function' ? () => (candidate.now as () => number).call(clock) : undefined;
}

function defaultSource(config: Config): ExportSource {
  if (config.exportDir === null) {
    throw new Error('no export source: pass one (src/server.ts builds the browser or directory source with export-source.factory.ts) or set ERP_EXPORT_DIR to a folder of exported PDFs');
  }
  return new DirectorySource(config.exportDir);
}
