/**
 * The `dispatch` region as a chart: its rules (eventless transitions that pause, preempt and start runs)
 * and its moves between `idle`, `queued`, `running`, `paused.draining` and `paused.holding`, each a
 * transition with a named guard and a description, so the inspector shows why the state changed.
 *
 * The guards answer from the pure decisions in `dispatch.ts` and `holds.ts`, memoised per context.
 */
import { analysed } from './analysed.js';
import { dispatchMode, planCapPreemption, planPreemption, planStarts, type DispatchMode } from './dispatch.js';
import { planHoldPauses, readyLeases } from './holds.js';
import type { OrchestratorContext } from './types.js';

export type { DispatchMode };

const modeOf = (context: OrchestratorContext): DispatchMode => analysed(context, 'mode', dispatchMode);

/** The dispatch region's guards, named as the predicates the chart reads. */
export const dispatchGuards = {
  hasReadyLease: ({ context }: { context: OrchestratorContext }) => analysed(context, 'readyLeases', readyLeases).length > 0,
  mustPauseForHold: ({ context }: { context: OrchestratorContext }) => analysed(context, 'holdPauses', planHoldPauses).length > 0,
  canPreempt: ({ context }: { context: OrchestratorContext }) => analysed(context, 'preemption', planPreemption) !== null,
  capBlocksHigherPriority: ({ context }: { context: OrchestratorContext }) =>
    analysed(context, 'capPreemption', planCapPreemption) !== null,
  canStartWork: ({ context }: { context: OrchestratorContext }) => analysed(context, 'starts', planStarts).length > 0,
  hasNoWork: ({ context }: { context: OrchestratorContext }) => modeOf(context) === 'idle',
  workWaitsUnheld: ({ context }: { context: OrchestratorContext }) => modeOf(context) === 'queued',
  runsUnheld: ({ context }: { context: OrchestratorContext }) => modeOf(context) === 'running',
  holdDrainsRuns: ({ context }: { context: OrchestratorContext }) => modeOf(context) === 'draining',
  holdIsDrained: ({ context }: { context: OrchestratorContext }) => modeOf(context) === 'holding',
};

/** Rules every dispatch state applies first, in this order; each changes the context, not the state. */
const RULES = [
  {
    guard: 'hasReadyLease',
    actions: 'activateReadyLeases',
    description: 'A pending lease has nothing left running in its scope: it becomes active and its request returns.',
  },
  {
    guard: 'mustPauseForHold',
    actions: 'pauseHeldRuns',
    description: 'A run on an account held by a lease or the operator pause is told to pause at its next checkpoint.',
  },
  {
    guard: 'canPreempt',
    actions: 'preemptRun',
    description: 'A queued entry outranks the run on its account by PREEMPT_MARGIN and the run has preemptions left: it pauses.',
  },
  {
    guard: 'capBlocksHigherPriority',
    actions: 'preemptForCap',
    description:
      'Every slot of the cap is taken and the entry that starts next (its account free) outranks the lowest-priority run by PREEMPT_MARGIN, which has preemptions left: that run pauses.',
  },
  {
    guard: 'canStartWork',
    actions: 'startWork',
    description:
      'Paused runs resume, then queued entries start by effective priority (priority + one level per AGE_STEP waited), where the account is free and unheld, within the cap and the breaker.',
  },
] as const;

/** The moves between dispatch states, by destination. */
const TO = {
  idle: {
    guard: 'hasNoWork',
    target: '#orchestrator.dispatch.idle',
    description: 'Nothing is queued, running or paused, and no hold is set.',
  },
  queued: {
    guard: 'workWaitsUnheld',
    target: '#orchestrator.dispatch.queued',
    description: 'Work waits (queued or paused) and none can start now: account mutex, cap, backoff, breaker or resource guard.',
  },
  running: {
    guard: 'runsUnheld',
    target: '#orchestrator.dispatch.running',
    description: 'A run is in flight and no hold covers every account with work.',
  },
  draining: {
    guard: 'holdDrainsRuns',
    target: '#orchestrator.dispatch.paused.draining',
    description: 'The operator paused, or leases cover every account with work, while covered runs are still in flight.',
  },
  holding: {
    guard: 'holdIsDrained',
    target: '#orchestrator.dispatch.paused.holding',
    description: 'Held, and every covered run has reported paused at a checkpoint: nothing runs.',
  },
} as const;

/** A dispatch state: its description, the rules, then the moves it can take (in the order written). */
function dispatchState<const M extends readonly (typeof TO)[keyof typeof TO][]>(description: string, ...moves: M) {
  return { description, always: [...RULES, ...moves] as const };
}

/** The states of the `dispatch` region. */
export const DISPATCH_STATES = {
  idle: dispatchState('Nothing queued, nothing running.', TO.queued, TO.running, TO.draining, TO.holding),
  queued: dispatchState(
    'Entries wait and none can start now (mutex, backoff, breaker, resource guard); each has reason codes (why).',
    TO.running,
    TO.draining,
    TO.holding,
    TO.idle,
  ),
  running: dispatchState(
    'At least one target runs: at most one per account and `concurrency` in total.',
    TO.draining,
    TO.holding,
    TO.queued,
    TO.idle,
  ),
  paused: {
    description: 'An operator pause, or leases covering every account with work.',
    initial: 'draining',
    states: {
      draining: dispatchState(
        'Covered runs were told to pause; waiting for each to report paused at a checkpoint.',
        TO.holding,
        TO.running,
        TO.queued,
        TO.idle,
      ),
      holding: dispatchState(
        'Nothing runs; paused runs resume first (from their checkpoint) when the hold ends.',
        TO.running,
        TO.queued,
        TO.idle,
        TO.draining,
      ),
    },
  },
} as const;
