/**
 * `orchestrator`: the root statechart and the single source of truth for every lock, queue, pause, lease,
 * deadline and breaker of the product (DESIGN §4.1). Three parallel regions:
 *
 * - `dispatch` (`idle | queued | running | paused.draining | paused.holding`): its eventless rules start,
 *   pause and preempt runs; its state is derived from the context (`policy.dispatchMode`).
 * - `clock` (`waiting → firing → waiting`): one timer for the earliest absolute deadline in context
 *   (schedule slots, catch-ups, retries, lease TTLs, breaker cooldown). XState does not re-arm `after`
 *   timers on restore (statelyai/xstate#5331), so `orchestrator.restored` re-enters it.
 * - `erp` (`closed | open | halfOpen`): the circuit breaker shared by all targets.
 *
 * Time enters only through events (`now`) and the clock's own timer; children report with `now` stamped by
 * the runtime's `runSync` actor (see `run-sync.ts`).
 */
import { assertEvent, enqueueActions, setup } from 'xstate';
import type { ActorRefFrom, SnapshotFrom } from 'xstate';
import type { Accounts, MissedPolicy, Service, TargetId, Trigger } from './catalog.js';
import {
  chainedTargets,
  cooldownElapsed,
  countsTowardBreaker,
  dispatchMode,
  earliestDeadline,
  planHoldPauses,
  planPreemption,
  planStarts,
  readyLeases,
  tripsBreaker,
  type DispatchMode,
} from './policy.js';
import * as steps from './orchestrator.steps.js';
import type { ChildCommand, OrchestratorEmitted, Tx } from './orchestrator.steps.js';
import type { RunSyncLogic } from './run-sync.js';
import { syncTargetMachine, type SyncTargetInput, type SyncTargetReport } from './sync-target.machine.js';
import type { OrchestratorContext, OrchestratorInput } from './types.js';

export type { OrchestratorContext, OrchestratorInput };

/**
 * Version of the persisted snapshot's shape (context, state names, child ids). Bump it with every change
 * that makes an older snapshot unreadable; the runtime refuses (or migrates) unknown versions.
 */
export const MACHINE_VERSION = 1;

/** Commands the runtime and the HTTP layer send. Every one carries `now` (epoch ms). */
export type OrchestratorCommand =
  | { type: 'sync.request'; service: Service; account?: string; priority?: number; trigger?: Trigger; now: number }
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
  | { type: 'orchestrator.restored'; now: number; accounts?: Accounts; concurrency?: number; timeScale?: number }
  | { type: 'clock.tick'; now: number };

/** Everything the root receives: commands plus its children's reports. */
export type OrchestratorEvent = OrchestratorCommand | SyncTargetReport;

export type { OrchestratorEmitted, ChildCommand };

/** Id and system id of a target's child actor. */
export function childId(target: TargetId): `target:${TargetId}` {
  return `target:${target}`;
}

/** How every child is spawned: by name, `id = systemId`, snapshots synced to the root. */
function childOptions(context: OrchestratorContext, target: TargetId) {
  const id = childId(target);
  return { id, systemId: id, syncSnapshot: true, input: childInput(context, target) };
}

/** The subset of xstate's `enqueue` a transaction needs. */
interface Enqueue {
  assign(context: OrchestratorContext): void;
  emit(event: OrchestratorEmitted): void;
  sendTo(to: string, event: ChildCommand['event']): void;
  spawnChild(src: 'syncTarget', options: ReturnType<typeof childOptions>): void;
  stopChild(id: string): void;
}

function commit(enqueue: Enqueue, tx: Tx): void {
  enqueue.assign(tx.ctx);
  for (const target of tx.stopped) enqueue.stopChild(childId(target));
  for (const target of tx.spawned) enqueue.spawnChild('syncTarget', childOptions(tx.ctx, target));
  for (const event of tx.emitted) enqueue.emit(event);
  for (const { to, event } of tx.commands) enqueue.sendTo(childId(to), event);
}

function childInput(context: OrchestratorContext, target: TargetId): SyncTargetInput {
  const record = context.targets[target];
  if (record === undefined) throw new Error(`unknown target ${target}`);
  return { target, service: record.service, account: record.account, timeScale: context.timeScale };
}

const eventNow = (event: OrchestratorEvent): number | undefined => ('now' in event ? event.now : undefined);

const analyses = new WeakMap<OrchestratorContext, Map<string, unknown>>();

/**
 * Memoises a policy answer per context object. Contexts are immutable, and every event (child snapshot
 * syncs included) re-evaluates all eventless guards, so each answer is computed once per context.
 */
function analysed<T>(context: OrchestratorContext, key: string, compute: (context: OrchestratorContext) => T): T {
  let answers = analyses.get(context);
  if (answers === undefined) analyses.set(context, (answers = new Map()));
  if (!answers.has(key)) answers.set(key, compute(context));
  return answers.get(key) as T;
}

type ModeTarget = { guard: { type: 'modeIs'; params: { mode: DispatchMode } }; target: string };

const MODE_STATES: Record<DispatchMode, string> = {
  idle: '#orchestrator.dispatch.idle',
  queued: '#orchestrator.dispatch.queued',
  running: '#orchestrator.dispatch.running',
  draining: '#orchestrator.dispatch.paused.draining',
  holding: '#orchestrator.dispatch.paused.holding',
};

/** Eventless transitions of a dispatch state: the rules first (they change the context), then its mode. */
function dispatchRules(current: DispatchMode) {
  const modes = (Object.keys(MODE_STATES) as DispatchMode[])
    .filter((mode) => mode !== current)
    .map((mode): ModeTarget => ({ guard: { type: 'modeIs', params: { mode } }, target: MODE_STATES[mode] }));
  return [
    { guard: 'hasReadyLease', actions: 'activateReadyLeases' },
    { guard: 'mustPauseForHold', actions: 'pauseHeldRuns' },
    { guard: 'canPreempt', actions: 'preemptRun' },
    { guard: 'canStartWork', actions: 'startWork' },
    ...modes,
  ] as const;
}

/** The root statechart. Provide `runSync` with {@link withRunSync}. */
export const orchestratorMachine = setup({
  types: {
    context: {} as OrchestratorContext,
    input: {} as OrchestratorInput,
    events: {} as OrchestratorEvent,
    emitted: {} as OrchestratorEmitted,
  },
  actors: { syncTarget: syncTargetMachine },
  guards: {
    modeIs: ({ context }, params: { mode: DispatchMode }) => analysed(context, 'mode', dispatchMode) === params.mode,
    hasReadyLease: ({ context }) => analysed(context, 'readyLeases', readyLeases).length > 0,
    mustPauseForHold: ({ context }) => analysed(context, 'holdPauses', planHoldPauses).length > 0,
    canPreempt: ({ context }) => analysed(context, 'preemption', planPreemption) !== null,
    canStartWork: ({ context }) => analysed(context, 'starts', planStarts).length > 0,
    deadlineReached: ({ context }) =>
      (analysed(context, 'deadline', earliestDeadline) ?? Number.POSITIVE_INFINITY) <= context.now,
    deadlineMoved: ({ context }) => analysed(context, 'deadline', earliestDeadline) !== context.clock.deadline,
    isKnownLease: ({ context, event }) =>
      event.type === 'lease.release' && context.leases.some((lease) => lease.leaseId === event.leaseId),
    changedChainParent: ({ event }) =>
      event.type === 'target.completed' && chainedTargets(event.target, event.stats)?.changed === true,
    unchangedChainParent: ({ event }) =>
      event.type === 'target.completed' && chainedTargets(event.target, event.stats)?.changed === false,
    tripsBreaker: ({ context, event }) => event.type === 'target.failed' && tripsBreaker(context.breaker, event.class),
    isErpFailure: ({ event }) => event.type === 'target.failed' && countsTowardBreaker(event.class),
    cooldownElapsed: ({ context }) => cooldownElapsed(context.breaker, context.now),
    isProbe: ({ context, event }) => 'target' in event && event.target === context.breaker.probe,
    probeFailedOnErp: ({ context, event }) =>
      event.type === 'target.failed' && event.target === context.breaker.probe && countsTowardBreaker(event.class),
  },
  delays: {
    untilNextWake: ({ context }) => context.clock.wakeAt - context.clock.armedAt,
  },
  actions: {
    recordNow: enqueueActions(({ context, event, enqueue }) => commit(enqueue, steps.begin(context, eventNow(event)))),
    enqueueRequested: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'sync.request');
      commit(enqueue, steps.requestSync(steps.begin(context, event.now), event));
    }),
    holdForOperator: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'orchestrator.pause');
      commit(enqueue, steps.pauseForOperator(steps.begin(context, event.now), event));
    }),
    releaseOperatorHold: enqueueActions(({ context, event, enqueue }) =>
      commit(enqueue, steps.resumeForOperator(steps.begin(context, eventNow(event)))),
    ),
    acquireLease: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'lease.acquire');
      commit(enqueue, steps.acquireLease(steps.begin(context, event.now), event));
    }),
    releaseLease: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'lease.release');
      commit(enqueue, steps.releaseLease(steps.begin(context, event.now), event.leaseId, 'released'));
    }),
    updateSchedule: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'schedule.update');
      commit(enqueue, steps.updateSchedule(steps.begin(context, event.now), event));
    }),
    restoreAfterRestart: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'orchestrator.restored');
      commit(enqueue, steps.restoreAfterRestart(steps.begin(context, event.now), event));
    }),
    recordProgress: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'target.progress');
      commit(enqueue, steps.recordProgress(steps.begin(context, event.now), event));
    }),
    recordPaused: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'target.paused');
      commit(enqueue, steps.recordPaused(steps.begin(context, event.now), event));
    }),
    recordCompleted: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'target.completed');
      commit(enqueue, steps.recordCompleted(steps.begin(context, event.now), event));
    }),
    recordFailed: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'target.failed');
      commit(enqueue, steps.recordFailed(steps.begin(context, event.now), event));
    }),
    recordRestarted: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'target.restarted');
      commit(enqueue, steps.recordRestarted(steps.begin(context, event.now), event));
    }),
    enqueueChained: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'target.completed');
      commit(enqueue, steps.enqueueChained(steps.begin(context, event.now), event));
    }),
    skipChained: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'target.completed');
      commit(enqueue, steps.skipChained(steps.begin(context, event.now), event));
    }),
    activateReadyLeases: enqueueActions(({ context, enqueue }) => commit(enqueue, steps.activateReadyLeases(steps.begin(context)))),
    pauseHeldRuns: enqueueActions(({ context, enqueue }) => commit(enqueue, steps.pauseHeldRuns(steps.begin(context)))),
    preemptRun: enqueueActions(({ context, enqueue }) => commit(enqueue, steps.preemptRun(steps.begin(context)))),
    startWork: enqueueActions(({ context, enqueue }) => commit(enqueue, steps.startWork(steps.begin(context)))),
    armClock: enqueueActions(({ context, enqueue }) => commit(enqueue, steps.armClockStep(steps.begin(context)))),
    advanceToWake: enqueueActions(({ context, enqueue }) => commit(enqueue, steps.advanceToWake(steps.begin(context)))),
    fireDueDeadlines: enqueueActions(({ context, enqueue }) => commit(enqueue, steps.fireDueDeadlines(steps.begin(context)))),
    openBreaker: enqueueActions(({ context, event, enqueue }) => commit(enqueue, steps.openBreaker(steps.begin(context, eventNow(event))))),
    halfOpenBreaker: enqueueActions(({ context, enqueue }) => commit(enqueue, steps.halfOpenBreaker(steps.begin(context)))),
    closeBreaker: enqueueActions(({ context, event, enqueue }) => commit(enqueue, steps.closeBreaker(steps.begin(context, eventNow(event))))),
    countErpFailure: enqueueActions(({ context, enqueue }) => commit(enqueue, steps.countErpFailure(steps.begin(context)))),
    resetErpFailures: enqueueActions(({ context, enqueue }) => commit(enqueue, steps.resetErpFailures(steps.begin(context)))),
    releaseProbe: enqueueActions(({ context, enqueue }) => commit(enqueue, steps.releaseProbe(steps.begin(context)))),
  },
}).createMachine({
  id: 'orchestrator',
  description: 'Decides what runs, when, and what waits: every lock, queue, lease, deadline and breaker of the product.',
  type: 'parallel',
  context: ({ input, spawn }) => {
    const context = steps.initialContext(input);
    for (const target of Object.keys(context.targets)) spawn('syncTarget', childOptions(context, target));
    return context;
  },
  states: {
    dispatch: {
      description: 'Which targets run: per-account mutex, global cap, priority queue, preemption, leases, operator pause.',
      // Handlers live in the regions, not on the root: XState v5 consults a parallel parent only when no
      // region handles the event, so a root handler would be shadowed by the erp region's.
      on: {
        'sync.request': { actions: 'enqueueRequested' },
        'orchestrator.pause': { actions: 'holdForOperator' },
        'orchestrator.resume': { actions: 'releaseOperatorHold' },
        'lease.acquire': { actions: 'acquireLease' },
        'lease.release': { guard: 'isKnownLease', actions: 'releaseLease' },
        'target.progress': { actions: 'recordProgress' },
        'target.paused': { actions: 'recordPaused' },
        'target.completed': [
          { guard: 'changedChainParent', actions: ['recordCompleted', 'enqueueChained'] },
          { guard: 'unchangedChainParent', actions: ['recordCompleted', 'skipChained'] },
          { actions: 'recordCompleted' },
        ],
        'target.failed': { actions: 'recordFailed' },
        'target.restarted': { actions: 'recordRestarted' },
      },
      initial: 'idle',
      states: {
        idle: { description: 'Nothing queued, nothing running.', always: dispatchRules('idle') },
        queued: {
          description: 'Entries wait and none can start now (mutex, backoff, breaker); each has reason codes (why).',
          always: dispatchRules('queued'),
        },
        running: {
          description: 'At least one target runs: at most one per account and `concurrency` in total.',
          always: dispatchRules('running'),
        },
        paused: {
          description: 'An operator pause, or leases covering every account with work.',
          initial: 'draining',
          states: {
            draining: {
              description: 'Covered runs were told to pause; waiting for each to report paused at a checkpoint.',
              always: dispatchRules('draining'),
            },
            holding: {
              description: 'Nothing runs; paused runs resume first (from their checkpoint) when the hold ends.',
              always: dispatchRules('holding'),
            },
          },
        },
      },
    },
    clock: {
      description: 'One timer for the earliest absolute deadline in context; re-entered on restore.',
      initial: 'waiting',
      on: {
        'orchestrator.restored': { target: '.firing', actions: 'restoreAfterRestart' },
        'schedule.update': { actions: 'updateSchedule' },
        'clock.tick': { actions: 'recordNow' },
      },
      states: {
        waiting: {
          description: 'Armed for the earliest of nextDueAt, catch-ups, retryAt, lease expiries and the breaker cooldown.',
          entry: 'armClock',
          always: [
            { guard: 'deadlineReached', target: 'firing' },
            { guard: 'deadlineMoved', target: 'waiting', reenter: true },
          ],
          after: { untilNextWake: { target: 'firing', actions: 'advanceToWake' } },
        },
        firing: {
          description: 'Enqueues due targets and advances their nextDueAt; expires leases; ends backoffs.',
          entry: 'fireDueDeadlines',
          always: { target: 'waiting' },
        },
      },
    },
    erp: {
      description: 'Circuit breaker shared by all targets for erp-unreachable failures.',
      initial: 'closed',
      states: {
        closed: {
          description: 'Runs start normally; consecutive erp-unreachable failures are counted.',
          on: {
            'target.failed': [
              { guard: 'tripsBreaker', target: 'open', actions: 'openBreaker' },
              { guard: 'isErpFailure', actions: 'countErpFailure' },
            ],
            'target.completed': { actions: 'resetErpFailures' },
          },
        },
        open: {
          description: 'Starts are held (BREAKER_OPEN) until the cooldown deadline in context.',
          always: { guard: 'cooldownElapsed', target: 'halfOpen', actions: 'halfOpenBreaker' },
        },
        halfOpen: {
          description: 'One probe run may start; its outcome closes or reopens the circuit.',
          on: {
            'target.completed': { guard: 'isProbe', target: 'closed', actions: 'closeBreaker' },
            'target.failed': [
              { guard: 'probeFailedOnErp', target: 'open', actions: 'openBreaker' },
              { guard: 'isProbe', target: 'closed', actions: 'closeBreaker' },
            ],
            'target.paused': { guard: 'isProbe', actions: 'releaseProbe' },
          },
        },
      },
    },
  },
});

/** The root machine type. */
export type OrchestratorMachine = typeof orchestratorMachine;
/** A running root actor. */
export type OrchestratorActor = ActorRefFrom<OrchestratorMachine>;
/** A root snapshot. */
export type OrchestratorSnapshot = SnapshotFrom<OrchestratorMachine>;

/** The root with the runtime's `runSync` actor provided to every child. */
export function withRunSync(runSync: RunSyncLogic): OrchestratorMachine {
  return orchestratorMachine.provide({ actors: { syncTarget: syncTargetMachine.provide({ actors: { runSync } }) } });
}

export {
  selectLease,
  selectRegionStates,
  selectStatus,
  selectTargetState,
  selectWhy,
  stateName,
  type LeaseStatus,
  type OrchestratorStatus,
  type RegionStates,
  type SnapshotLike,
  type TargetStatus,
} from './orchestrator.selectors.js';
