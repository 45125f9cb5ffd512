/**
 * `orchestrator`: the root statechart and the single source of truth for every lock, queue, pause, lease,
 * deadline and breaker of the product (DESIGN §4.1). Four parallel regions:
 *
 * - `dispatch` (`idle | queued | running | paused.draining | paused.holding`): its eventless rules start,
 *   pause and preempt runs, and its moves are named, described transitions (`dispatch.chart.ts`).
 * - `clock` (`waiting → firing → waiting`): one timer for the earliest absolute deadline in context
 *   (schedule slots, catch-ups, retries, lease TTLs, breaker cooldown). XState does not re-arm `after`
 *   timers on restore (statelyai/xstate#5331), so `orchestrator.restored` re-enters it.
 * - `erp` (`closed | open | halfOpen`): the circuit breaker shared by all targets.
 * - `hours` (`unrestricted | open | closed`): the ERP window (ERP_HOURS). Outside it starts are held
 *   (OUTSIDE_ERP_HOURS) and timer triggers become spaced catch-ups after the opening; the clock region
 *   wakes at each boundary, so the move is re-evaluated at the right instant, after a restore too.
 *
 * The resource guard (`resource-guard.ts`) is part of `dispatch`: its moves are transitions on
 * `resources.sampled` that lower, hold and restore the cap `planStarts` applies.
 *
 * Time enters only through events (`now`) and the clock's own timer; children report with `now` stamped by
 * the runtime's `runSync` actor (see `run-sync.ts`).
 */
import { assertEvent, enqueueActions, setup } from 'xstate';
import type { ActorRefFrom, SnapshotFrom } from 'xstate';
import { initialContext, restoreAfterRestart } from './boot.js';
import {
  closeBreaker,
  cooldownElapsed,
  countErpFailure,
  countsTowardBreaker,
  halfOpenBreaker,
  openBreaker,
  releaseProbe,
  resetErpFailures,
  tripsBreaker,
} from './breaker.js';
import type { TargetId } from './catalog.js';
import type { OrchestratorEvent } from './orchestrator.events.js';
import { chainedTargets, enqueueChained, skipChained } from './chain.js';
import { advanceToWake, armClockStep, earliestDeadline, fireDueDeadlines } from './clock.js';
import { exhaustsLoginBudget, holdAccountForLoginBudget } from './account-holds.js';
import { erpWindowOf, formatErpHours } from './erp-hours.js';
import { DISPATCH_STATES, dispatchGuards, type DispatchMode } from './dispatch.chart.js';
import { activateReadyLeases, acquireLease, pauseForOperator, pauseHeldRuns, releaseLease, resumeForOperator } from './holds.js';
import { preemptForCap, preemptRun, startWork } from './dispatch.js';
import { requestSync } from './queue.js';
import { RESOURCE_SAMPLED, resourceGuards } from './resource-guard.chart.js';
import { applyResourceSample, type ResourceMove } from './resource-guard.js';
import { recordCompleted, recordFailed, recordPaused, recordProgress, recordRestarted } from './run-reports.js';
import type { RunSyncLogic } from './run-sync.js';
import { updateSchedule } from './schedule.js';
import { syncTargetMachine, type SyncTargetInput } from './sync-target.machine.js';
import { analysed } from './analysed.js';
import { begin, emit, type ChildCommand, type OrchestratorEmitted, type Tx } from './transaction.js';
import type { OrchestratorContext, OrchestratorInput } from './types.js';

export type { OrchestratorContext, OrchestratorInput };

/**
 * Version of the persisted snapshot's shape (context, state names, child ids). Bump it with every change
 * that makes an older snapshot unreadable; the runtime refuses (or migrates) unknown versions.
 */
export const MACHINE_VERSION = 1;

export type { OrchestratorCommand, OrchestratorEvent } from './orchestrator.events.js';

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

function childInput(context: OrchestratorContext, target: TargetId): SyncTargetInput {
  const record = context.targets[target];
  if (record === undefined) throw new Error(`unknown target ${target}`);
  return { target, service: record.service, account: record.account, timeScale: context.timeScale };
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

type EventOf<T extends OrchestratorEvent['type']> = Extract<OrchestratorEvent, { type: T }>;
type Collect = (args: { context: OrchestratorContext; event: OrchestratorEvent; enqueue: Enqueue }) => void;

/**
 * The one shape of every action: a pure step over a transaction begun at the event's time (`event`, or
 * `'event'` for any event with a `now`) or at the context's time (`'context'`: eventless rules), committed.
 */
function step<T extends OrchestratorEvent['type']>(on: T, run: (tx: Tx, event: EventOf<T>) => Tx): Collect;
function step(on: 'event' | 'context', run: (tx: Tx) => Tx): Collect;
function step(on: string, run: (tx: Tx, event: OrchestratorEvent) => Tx): Collect {
  return ({ context, event, enqueue }) => {
    if (on === 'context') return commit(enqueue, run(begin(context), event));
    if (on !== 'event') assertEvent(event, on as OrchestratorEvent['type']);
    commit(enqueue, run(begin(context, 'now' in event ? event.now : undefined), event));
  };
}

const keep = (tx: Tx): Tx => tx;
const announceErpHours = (tx: Tx): Tx => {
  const window = erpWindowOf(tx.ctx);
  const hours = tx.ctx.erpHours === null ? null : formatErpHours(tx.ctx.erpHours);
  return emit(tx, { type: 'erp.hours', at: tx.ctx.now, state: window.state, hours, until: window.until });
};
const sampled = (move: ResourceMove) => (tx: Tx, event: EventOf<'resources.sampled'>): Tx => applyResourceSample(tx, event.readings, move);
const releaseRequested = (tx: Tx, event: EventOf<'lease.release'>): Tx => releaseLease(tx, event.leaseId, 'released');

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
    ...dispatchGuards,
    ...resourceGuards,
    deadlineReached: ({ context }) =>
      (analysed(context, 'deadline', earliestDeadline) ?? Number.POSITIVE_INFINITY) <= context.now,
    deadlineMoved: ({ context }) => analysed(context, 'deadline', earliestDeadline) !== context.clock.deadline,
    isKnownLease: ({ context, event }) =>
      event.type === 'lease.release' && context.leases.some((lease) => lease.leaseId === event.leaseId),
    changedChainParent: ({ context, event }) =>
      event.type === 'target.completed' && chainedTargets(context.services, event.target, event.stats)?.changed === true,
    unchangedChainParent: ({ context, event }) =>
      event.type === 'target.completed' && chainedTargets(context.services, event.target, event.stats)?.changed === false,
    tripsBreaker: ({ context, event }) => event.type === 'target.failed' && tripsBreaker(context.breaker, event.class),
    isErpFailure: ({ event }) => event.type === 'target.failed' && countsTowardBreaker(event.class),
    cooldownElapsed: ({ context }) => cooldownElapsed(context.breaker, context.now),
    isProbe: ({ context, event }) => 'target' in event && event.target === context.breaker.probe,
    probeFailedOnErp: ({ context, event }) =>
      event.type === 'target.failed' && event.target === context.breaker.probe && countsTowardBreaker(event.class),
    probeNeverReachedErp: ({ context, event }) =>
      event.type === 'target.failed' && event.target === context.breaker.probe && exhaustsLoginBudget(event.class),
    exhaustedLoginBudget: ({ event }) => event.type === 'target.failed' && exhaustsLoginBudget(event.class),
    erpWindowOpen: ({ context }) => analysed(context, 'erpWindow', erpWindowOf).state === 'open',
    erpWindowClosed: ({ context }) => analysed(context, 'erpWindow', erpWindowOf).state === 'closed',
    erpHoursUnrestricted: ({ context }) => analysed(context, 'erpWindow', erpWindowOf).state === 'unrestricted',
  },
  delays: {
    untilNextWake: ({ context }) => context.clock.wakeAt - context.clock.armedAt,
  },
  actions: {
    recordNow: enqueueActions(step('event', keep)),
    enqueueRequested: enqueueActions(step('sync.request', requestSync)),
    holdForOperator: enqueueActions(step('orchestrator.pause', pauseForOperator)),
    releaseOperatorHold: enqueueActions(step('event', resumeForOperator)),
    acquireLease: enqueueActions(step('lease.acquire', acquireLease)),
    releaseLease: enqueueActions(step('lease.release', releaseRequested)),
    updateSchedule: enqueueActions(step('schedule.update', updateSchedule)),
    restoreAfterRestart: enqueueActions(step('orchestrator.restored', restoreAfterRestart)),
    recordProgress: enqueueActions(step('target.progress', recordProgress)),
    recordPaused: enqueueActions(step('target.paused', recordPaused)),
    recordCompleted: enqueueActions(step('target.completed', recordCompleted)),
    recordFailed: enqueueActions(step('target.failed', recordFailed)),
    recordRestarted: enqueueActions(step('target.restarted', recordRestarted)),
    enqueueChained: enqueueActions(step('target.completed', enqueueChained)),
    skipChained: enqueueActions(step('target.completed', skipChained)),
    activateReadyLeases: enqueueActions(step('context', activateReadyLeases)),
    pauseHeldRuns: enqueueActions(step('context', pauseHeldRuns)),
    preemptRun: enqueueActions(step('context', preemptRun)),
    preemptForCap: enqueueActions(step('context', preemptForCap)),
    startWork: enqueueActions(step('context', startWork)),
    armClock: enqueueActions(step('context', armClockStep)),
    advanceToWake: enqueueActions(step('context', advanceToWake)),
    fireDueDeadlines: enqueueActions(step('context', fireDueDeadlines)),
    openBreaker: enqueueActions(step('event', openBreaker)),
    halfOpenBreaker: enqueueActions(step('context', halfOpenBreaker)),
    closeBreaker: enqueueActions(step('event', closeBreaker)),
    countErpFailure: enqueueActions(step('context', countErpFailure)),
    resetErpFailures: enqueueActions(step('context', resetErpFailures)),
    releaseProbe: enqueueActions(step('context', releaseProbe)),
    holdAccountForLoginBudget: enqueueActions(step('target.failed', holdAccountForLoginBudget)),
    announceErpHours: enqueueActions(step('context', announceErpHours)),
    holdStartsForResources: enqueueActions(step('resources.sampled', sampled('hold'))),
    stepConcurrencyDown: enqueueActions(step('resources.sampled', sampled('stepDown'))),
    releaseResourceHold: enqueueActions(step('resources.sampled', sampled('release'))),
    stepConcurrencyUp: enqueueActions(step('resources.sampled', sampled('stepUp'))),
    noteResourceSample: enqueueActions(step('resources.sampled', sampled('steady'))),
  },
}).createMachine({
  id: 'orchestrator',
  description: 'Decides what runs, when, and what waits: every lock, queue, lease, deadline and breaker of the product.',
  type: 'parallel',
  context: ({ input, spawn }) => {
    const context = initialContext(input);
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
        'target.failed': [
          { guard: 'exhaustedLoginBudget', actions: ['recordFailed', 'holdAccountForLoginBudget'] },
          { actions: 'recordFailed' },
        ],
        'target.restarted': { actions: 'recordRestarted' },
        'resources.sampled': RESOURCE_SAMPLED,
      },
      initial: 'idle',
      states: DISPATCH_STATES,
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
              { guard: 'probeNeverReachedErp', actions: 'releaseProbe' },
              { guard: 'isProbe', target: 'closed', actions: 'closeBreaker' },
            ],
            'target.paused': { guard: 'isProbe', actions: 'releaseProbe' },
          },
        },
      },
    },
    hours: {
      description: 'The ERP window (ERP_HOURS in ERP_TIME_ZONE): outside it starts are held and due timers wait for the opening.',
      initial: 'unrestricted',
      states: {
        unrestricted: {
          description: 'No window configured (the demo, the hand-made exports): runs start at any hour.',
          always: [
            { guard: 'erpWindowOpen', target: 'open' },
            { guard: 'erpWindowClosed', target: 'closed' },
          ],
        },
        open: {
          description: 'Inside the window: runs start normally; the clock wakes at the closing.',
          entry: 'announceErpHours',
          always: [
            { guard: 'erpWindowClosed', target: 'closed' },
            { guard: 'erpHoursUnrestricted', target: 'unrestricted', actions: 'announceErpHours' },
          ],
        },
        closed: {
          description:
            'Outside the window: new starts are held (OUTSIDE_ERP_HOURS), runs in flight finish, due timers become catch-ups spaced from the opening.',
          entry: 'announceErpHours',
          always: [
            { guard: 'erpWindowOpen', target: 'open' },
            { guard: 'erpHoursUnrestricted', target: 'unrestricted', actions: 'announceErpHours' },
          ],
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
  selectResourceGuard,
  selectStatus,
  selectTargetState,
  selectWhy,
  stateName,
  type LeaseStatus,
  type OrchestratorStatus,
  type RegionStates,
  type ResourceGuardStatus,
  type SnapshotLike,
  type TargetStatus,
} from './orchestrator.selectors.js';
