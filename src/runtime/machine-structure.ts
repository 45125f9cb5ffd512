import { orchestratorMachine, syncTargetMachine } from '../../machines/index.js';
import { guardName } from './machine-transitions.js';

/** One state of a machine as the dashboard's inspector draws it. */
export interface StateTreeNode {
  /** Dotted path from the machine's root (`dispatch.paused.draining`); `''` for the root itself. */
  path: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  description: string | null;
  /** The initial child's key of a compound state. */
  initial: string | null;
  /** Transitions declared on this state, as the chart's source says them. */
  on: TransitionDescription[];
  children: StateTreeNode[];
}

/** A declared transition: its event (`''` for eventless, `after …` for a delay), guard and targets. */
export interface TransitionDescription {
  event: string;
  guard: string | null;
  targets: string[];
}

/** `GET /api/machines`: the state trees of the root and of every target's machine. */
export interface MachineStructures {
  root: { id: string; tree: StateTreeNode };
  target: { id: string; tree: StateTreeNode };
}

/** The structural fields of xstate's `StateNode` this module reads. */
interface StateNodeLike {
  key: string;
  path: string[];
  type: StateTreeNode['type'];
  description?: string;
  initial?: { target: StateNodeLike[] };
  states: Record<string, StateNodeLike>;
  transitions: Map<string, TransitionLike[]>;
  always?: TransitionLike[];
}

interface TransitionLike {
  eventType: string;
  guard?: unknown;
  target?: readonly StateNodeLike[];
}

let cached: MachineStructures | null = null;

/**
 * The states of the two machines, read from their definitions (`machine.root`), with their descriptions
 * and declared transitions: what the inspector draws and highlights. The structure does not change while
 * the process runs, so it is built once.
 */
export function machineStructures(): MachineStructures {
  cached ??= {
    root: { id: orchestratorMachine.id, tree: treeOf(orchestratorMachine.root as unknown as StateNodeLike) },
    target: { id: syncTargetMachine.id, tree: treeOf(syncTargetMachine.root as unknown as StateNodeLike) },
  };
  return cached;
}

function treeOf(node: StateNodeLike): StateTreeNode {
  const declared = [...node.transitions.values()].flat().concat(node.always ?? []);
  return {
    path: node.path.join('.'),
    key: node.key,
    type: node.type,
    description: node.description ?? null,
    initial: node.initial?.target[0]?.key ?? null,
    on: declared.map(describeTransition),
    children: Object.values(node.states).map(treeOf),
  };
}

function describeTransition(transition: TransitionLike): TransitionDescription {
  return {
    event: transition.eventType.startsWith('xstate.after.') ? `after ${transition.eventType.split('.')[2]}` : transition.eventType,
    guard: guardName(transition.guard),
    targets: (transition.target ?? []).map((target) => target.path.join('.')),
  };
}
