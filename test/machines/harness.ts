/**
 * Test harness for the statecharts: a virtual clock, a controllable fake `runSync`, and a wrapper that drives
 * the real orchestrator actor with them. Everything is synchronous: sending an event or advancing the clock
 * runs every resulting transition before returning, so tests never sleep and never poll.
 *
 * Reusable by the runtime's tests: `new VirtualClock(t)` is an xstate `Clock` with `now()`, and
 * `FakeRuns.logic` is a `runSync` actor logic that honours the real contract (run-sync.ts).
 */
import { createActor, fromCallback } from 'xstate';
import { serviceCatalog } from '../../src/exports/registry.js';
import type { Accounts, FailureClass, ScheduleConfig, Service, TargetId } from '../../machines/catalog.js';
import {
  orchestratorMachine,
  selectRegionStates,
  selectTargetState,
  withRunSync,
  type RegionStates,
  type OrchestratorActor,
  type OrchestratorCommand,
  type OrchestratorEmitted,
  type OrchestratorInput,
  type OrchestratorMachine,
} from '../../machines/orchestrator.machine.js';
import type { DistributiveOmit, RunPauseCommand, RunSyncEvent, RunSyncInput, RunSyncLogic } from '../../machines/run-sync.js';
import type { Checkpoint, OrchestratorContext, Phase, ResourceReadings, RunStats, Skip, SkipReason } from '../../machines/types.js';

/** Monday 6 January 2025, 08:00 UTC: the boot of every test unless told otherwise. */
export const BOOT = Date.UTC(2025, 0, 6, 8, 0, 0);
/** Milliseconds. */
export const SECOND = 1_000;
/** Milliseconds. */
export const MINUTE = 60 * SECOND;

/**
 * A discrete-event clock for xstate: timers fire in deadline order and `now()` reads each timer's own due
 * time while it runs, so a timer armed by another timer is measured from the right instant (unlike
 * xstate's SimulatedClock, which fires everything at the advanced time).
 */
export class VirtualClock {
  private current: number;
  private nextId = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
    const id = ++this.nextId;
    this.timers.set(id, { at: this.current + Math.max(0, timeout), fn: () => fn() });
    return id;
  }

  clearTimeout(id: number): void {
    this.timers.delete(id);
  }

  /** Moves time to `t`, firing every timer due on the way at its own due time. */
  advanceTo(t: number): void {
    if (t < this.current) throw new Error(`cannot travel back from ${this.current} to ${t}`);
    for (let next = this.nextDue(t); next !== undefined; next = this.nextDue(t)) {
      this.timers.delete(next[0]);
      this.current = Math.max(this.current, next[1].at);
      next[1].fn();
    }
    this.current = t;
  }

  /** Moves time forward by `ms`. */
  advanceBy(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  /** Due times of the armed timers, earliest first. */
  pending(): number[] {
    return [...this.timers.values()].map((timer) => timer.at).sort((a, b) => a - b);
  }

  private nextDue(t: number): [number, { at: number; fn: () => void }] | undefined {
    let best: [number, { at: number; fn: () => void }] | undefined;
    for (const entry of this.timers) {
      if (entry[1].at <= t && (best === undefined || entry[1].at < best[1].at)) best = entry;
    }
    return best;
  }
}

/** Stats with every counter at 0, overridable. */
export function stats(partial: Partial<RunStats> = {}): RunStats {
  return { parsed: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, orphans: 0, unlinked: 0, ...partial };
}

/** One invocation of the fake `runSync`; the test decides what it does. */
export class FakeRun {
  /** Set when the machine sent `run.pause`. */
  pauseRequested = false;
  /** Set when the machine stopped the actor (invoke exited). */
  stopped = false;
  /** Set once the run sent its final event. */
  finished = false;
  /** Virtual time the run was started at (a resume is a new run). */
  readonly startedAt: number;
  /** Virtual time of its final event (completed, failed or paused), or `null`. */
  endedAt: number | null = null;

  constructor(
    readonly input: RunSyncInput,
    private readonly sendBack: (event: RunSyncEvent) => void,
    private readonly clock: { now(): number },
  ) {
    this.startedAt = clock.now();
  }

  get target(): TargetId {
    return this.input.target;
  }

  progress(phase: Phase, done = 0, total = 0): this {
    return this.report({ type: 'run.progress', phase, done, total });
  }

  checkpoint(checkpoint: Checkpoint): this {
    return this.report({ type: 'run.checkpoint', checkpoint });
  }

  complete(partial: Partial<RunStats> = {}): this {
    return this.finish({ type: 'run.completed', stats: stats(partial) });
  }

  fail(failure: FailureClass, message = `${failure} (fake)`): this {
    return this.finish({ type: 'run.failed', error: { class: failure, message } });
  }

  /** Stops at a checkpoint (the last one reported when none is given). */
  pause(checkpoint: Checkpoint | null = null): this {
    return this.finish({ type: 'run.paused', checkpoint });
  }

  private finish(event: DistributiveOmit<RunSyncEvent, 'now'>): this {
    this.report(event);
    this.finished = true;
    this.endedAt = this.clock.now();
    return this;
  }

  private report(event: DistributiveOmit<RunSyncEvent, 'now'>): this {
    if (this.stopped) throw new Error(`${this.target}: the run was stopped by the machine`);
    if (this.finished) throw new Error(`${this.target}: the run already finished`);
    this.sendBack({ ...event, now: this.clock.now() } as RunSyncEvent);
    return this;
  }
}

/** Every fake run started, and the `runSync` logic that creates them. */
export class FakeRuns {
  readonly started: FakeRun[] = [];
  /** When set, a run acknowledges `run.pause` at once (stopping at its last checkpoint). */
  autoPause = false;

  constructor(private readonly clock: { now(): number }) {}

  /** The `runSync` actor logic to provide. */
  readonly logic: RunSyncLogic = fromCallback<RunPauseCommand, RunSyncInput>(({ input, sendBack, receive }) => {
    const run = new FakeRun(input, sendBack as (event: RunSyncEvent) => void, this.clock);
    this.started.push(run);
    receive(() => {
      run.pauseRequested = true;
      if (this.autoPause && !run.finished) run.pause(input.resumeFrom);
    });
    return () => {
      run.stopped = true;
    };
  });

  /** The latest run of a target that is still live (not stopped, not finished). */
  live(target: TargetId): FakeRun {
    const run = [...this.started].reverse().find((r) => r.target === target && !r.stopped && !r.finished);
    if (run === undefined) throw new Error(`no live run of ${target}; live: ${this.liveTargets().join(', ') || 'none'}`);
    return run;
  }

  /** Targets with a live run, in start order. */
  liveTargets(): TargetId[] {
    return this.started.filter((run) => !run.stopped && !run.finished).map((run) => run.target);
  }

  /** Targets in the order their runs started (restarts and resumes included). */
  startOrder(): TargetId[] {
    return this.started.map((run) => run.target);
  }
}

/** Options of {@link OrchestratorHarness}. */
export interface HarnessOptions {
  accounts?: Accounts;
  concurrency?: number;
  timeScale?: number;
  bootAt?: number;
  random?: number;
  /** Schedule overrides; by default every timer is disabled unless `timers` is true. */
  schedules?: Partial<Record<Service, Partial<ScheduleConfig>>>;
  /** Keep the catalog's timers (default false: tests request runs explicitly). */
  timers?: boolean;
  /** ERP_HOURS (default: none, any hour) and its time zone. */
  erpHours?: OrchestratorInput['erpHours'];
  erpTimeZone?: string;
}

/** The catalogue the runtime gives the orchestrator: the registered exports' service entries. */
export const SERVICES = serviceCatalog();

/** All six timers disabled. */
export function noTimers(): Partial<Record<Service, Partial<ScheduleConfig>>> {
  return Object.fromEntries(Object.keys(SERVICES).map((service) => [service, { enabled: false }]));
}

/** The real orchestrator actor on a virtual clock with fake runs. */
export class OrchestratorHarness {
  readonly clock: VirtualClock;
  readonly runs: FakeRuns;
  readonly machine: OrchestratorMachine;
  readonly input: OrchestratorInput;
  readonly emitted: OrchestratorEmitted[] = [];
  actor: OrchestratorActor;

  constructor(options: HarnessOptions = {}) {
    const bootAt = options.bootAt ?? BOOT;
    this.clock = new VirtualClock(bootAt);
    this.runs = new FakeRuns(this.clock);
    this.machine = withRunSync(this.runs.logic);
    this.input = {
      services: SERVICES,
      accounts: options.accounts ?? { service: 'default', agents: ['default'] },
      concurrency: options.concurrency ?? 1,
      timeScale: options.timeScale ?? 1,
      bootAt,
      random: options.random ?? 42,
      schedules: { ...(options.timers === true ? {} : noTimers()), ...options.schedules },
      ...(options.erpHours === undefined ? {} : { erpHours: options.erpHours }),
      ...(options.erpTimeZone === undefined ? {} : { erpTimeZone: options.erpTimeZone }),
    };
    this.actor = this.startActor(undefined);
  }

  /** Sends a command stamped with the virtual clock's `now`. */
  send(event: DistributiveOmit<OrchestratorCommand, 'now'>): this {
    this.actor.send({ ...event, now: this.clock.now() } as OrchestratorCommand);
    return this;
  }

  /** `sync.request` for one target (or every account of the service). */
  request(service: Service, options: { account?: string; priority?: number; force?: boolean } = {}): this {
    return this.send({ type: 'sync.request', service, ...options });
  }

  advanceTo(t: number): this {
    this.clock.advanceTo(t);
    return this;
  }

  advanceBy(ms: number): this {
    this.clock.advanceBy(ms);
    return this;
  }

  get context(): OrchestratorContext {
    return this.actor.getSnapshot().context;
  }

  /** The three regions' states as dotted strings, e.g. `{ dispatch: 'paused.draining', clock: 'waiting', erp: 'closed' }`. */
  get state(): RegionStates {
    return selectRegionStates(this.actor.getSnapshot());
  }

  /** State name of a target's child actor, e.g. `running.applying`. */
  targetState(target: TargetId): string {
    return selectTargetState(this.actor.getSnapshot(), target);
  }

  /** Emitted events of a type. */
  events<T extends OrchestratorEmitted['type']>(type: T): Array<Extract<OrchestratorEmitted, { type: T }>> {
    return this.emitted.filter((event): event is Extract<OrchestratorEmitted, { type: T }> => event.type === type);
  }

  /** Recorded skips, optionally of one reason. */
  skips(reason?: SkipReason): Skip[] {
    return this.events('sync.skipped').filter((skip) => reason === undefined || skip.reason === reason);
  }

  /**
   * Simulates a crash and a restart at `at`: persists the snapshot through JSON, stops the actor (its runs
   * are abandoned), lets time pass, restores a new actor and sends `orchestrator.restored`.
   */
  restart(
    at: number = this.clock.now(),
    restored: {
      accounts?: Accounts;
      concurrency?: number;
      timeScale?: number;
      erpHours?: OrchestratorInput['erpHours'];
      resourceLimits?: ResourceReadings;
    } = {},
  ): this {
    const persisted: unknown = JSON.parse(JSON.stringify(this.actor.getPersistedSnapshot()));
    this.actor.stop();
    this.clock.advanceTo(at);
    this.actor = this.startActor(persisted);
    return this.send({ type: 'orchestrator.restored', ...restored });
  }

  private startActor(snapshot: unknown): OrchestratorActor {
    const actor = createActor(this.machine, {
      input: this.input,
      clock: this.clock,
      ...(snapshot === undefined ? {} : { snapshot: snapshot as never }),
    });
    actor.on('*', (event) => void this.emitted.push(event));
    actor.subscribe({ error: (error) => void this.emitted.push(errorEvent(error)) });
    actor.start();
    return actor;
  }
}

function errorEvent(error: unknown): never {
  throw error instanceof Error ? error : new Error(String(error));
}

export { orchestratorMachine };
