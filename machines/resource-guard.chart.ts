/**
 * The resource guard as transitions of the `dispatch` region on `resources.sampled`: each move is a
 * transition with a named guard and a description, so the inspector and the dashboard show why the
 * concurrency changed or why starts are held. The guards answer from `resourceMove` (`resource-guard.ts`).
 */
import { resourceMove, type ResourceMove } from './resource-guard.js';
import type { OrchestratorEvent } from './orchestrator.events.js';
import type { OrchestratorContext } from './types.js';

type GuardArgs = { context: OrchestratorContext; event: OrchestratorEvent };

const moveIs =
  (move: ResourceMove) =>
  ({ context, event }: GuardArgs): boolean =>
    event.type === 'resources.sampled' && resourceMove(context, event.readings) === move;

/** The guards of the resource transitions, named as the predicates the chart reads. */
export const resourceGuards = {
  overLimitAtFloor: moveIs('hold'),
  overLimit: moveIs('stepDown'),
  calmWhileHeld: moveIs('release'),
  calmBelowConcurrency: moveIs('stepUp'),
};

/** What the dispatch region does with a sample, in the order written (the first whose guard holds). */
export const RESOURCE_SAMPLED = [
  {
    guard: 'overLimitAtFloor',
    actions: 'holdStartsForResources',
    description: 'A reading is over its limit with the effective concurrency at 1: new starts are held (RESOURCE_GUARD); running runs go on.',
  },
  {
    guard: 'overLimit',
    actions: 'stepConcurrencyDown',
    description: 'A reading is over its limit: the effective concurrency steps down by one; running runs go on.',
  },
  {
    guard: 'calmWhileHeld',
    actions: 'releaseResourceHold',
    description: 'Every reading stayed below its limit × RESOURCE_HYSTERESIS for RESOURCE_RECOVERY_SAMPLES samples: starts are no longer held.',
  },
  {
    guard: 'calmBelowConcurrency',
    actions: 'stepConcurrencyUp',
    description: 'Every reading stayed below its limit × RESOURCE_HYSTERESIS for RESOURCE_RECOVERY_SAMPLES samples: the effective concurrency steps up by one.',
  },
  { actions: 'noteResourceSample', description: 'The sample changes nothing that may start: it is recorded (and counted towards recovery when calm).' },
] as const;
