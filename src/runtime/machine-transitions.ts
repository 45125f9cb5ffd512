import type { Logger } from 'pino';
import type { AnyTransitionDefinition, InspectionEvent, Observer } from 'xstate';
import type { OrchestratorFact } from './event-hub.js';

/**
 * One state change of a machine of the actor system, as the dashboard's inspector shows it: which actor,
 * on which event, from which states to which, and what decided (the guards of the transitions taken, and
 * the reason codes of the facts the step emitted). Times are epoch ms.
 */
export interface MachineTransition {
  type: 'machine.transition';
  /** The machine's own `now` after the step. */
  at: number;
  /** `orchestrator`, or a target's actor id (`target:orders@default`). */
  actor: string;
  /** The event that started the step (`sync.request`, `target.completed`, `xstate.after.…`). */
  event: string;
  /** What the event was about (its target, service, lease, phase or failure class), when it names one. */
  subject: string | null;
  /** Active atomic states before the step, as dotted paths (`dispatch.paused.draining`). */
  from: string[];
  /** Active atomic states after it. */
  to: string[];
  /** Transitions taken, in order (at most `MAX_STEPS`). */
  steps: TransitionStep[];
  /** Reason codes of the facts the step emitted (`NO_PARENT_CHANGES`, `chained`, `preempt`, `erp-unreachable`, …). */
  reasons: string[];
}

/** A transition taken within a step. */
export interface TransitionStep {
  /** The guard that let it through (`changedChainParent`, `runsUnheld`), or null when it has none. */
  guard: string | null;
  /** The state that owns the transition. */
  source: string;
  /** Its target states (none for a transition that only runs actions). */
  targets: string[];
  /** An eventless (`always`) transition, re-checked after the event. */
  eventless: boolean;
}

/** A listener of {@link MachineTransitions}. */
export type TransitionListener = (transition: MachineTransition) => void;

/**
 * Events that arrive many times per run and decide nothing an operator asks about: their steps are shown
 * only when they change a state (a new phase), not each time a guard lets a progress report through.
 */
const ROUTINE_EVENTS = new Set(['run.progress', 'target.progress', 'run.checkpoint', 'clock.tick']);
/** A child's snapshot synced to the root (`syncSnapshot`): once per child step. */
const SNAPSHOT_SYNC = 'xstate.snapshot.';
/** Events of the actor system's own life, not of the product. */
const LIFECYCLE_EVENTS = new Set(['xstate.init', 'xstate.stop']);
/** A step re-checks every dispatch rule; beyond this many transitions the rest says nothing new. */
const MAX_STEPS = 12;
/** Event fields that name what an event is about, in order of preference. */
const SUBJECT_FIELDS = ['target', 'service', 'leaseId', 'phase', 'class'] as const;

/** The reason code a fact carries, per fact type. */
const REASON_OF: Partial<Record<OrchestratorFact['type'], (fact: never) => string>> = {
  'sync.skipped': (fact: { reason: string }) => fact.reason,
  'sync.queued': (fact: { trigger: string }) => fact.trigger,
  'sync.paused': (fact: { cause: { kind: string } }) => fact.cause.kind,
  'sync.failed': (fact: { class: string }) => fact.class,
  'lease.released': (fact: { reason: string }) => fact.reason,
  'erp.circuit': (fact: { state: string }) => `breaker ${fact.state}`,
  'erp.hours': (fact: { state: string }) => `ERP hours ${fact.state}`,
  'account.held': (fact: { reason: string }) => fact.reason,
  'resources.guard': (fact: { change: string; effective: number }) => `resource guard ${fact.change} (${fact.effective} may run)`,
};

interface Pending {
  event: string;
  subject: string | null;
  steps: TransitionStep[];
}

/**
 * Watches the actor system through xstate's inspection API (`createActor(…, { inspect })`) and turns each
 * macrostep of the root or of a target into a {@link MachineTransition}, for the dashboard's offline
 * inspector: its microsteps name the transitions taken and their guards, the snapshot that ends the step
 * gives the states after it, and the orchestrator's facts emitted meanwhile give its reasons.
 *
 * Steps that change no state are announced only when a guard decided something on a non-routine event,
 * so that progress reports do not drown the log.
 */
export class MachineTransitions {
  private readonly listeners = new Set<TransitionListener>();
  private readonly states = new Map<string, string[]>();
  private readonly pending = new Map<string, Pending>();
  private reasons: string[] = [];

  constructor(private readonly logger: Logger) {}

  /** The inspection observer to pass to `createActor`. */
  readonly inspect = (event: InspectionEvent): void => {
    if (event.type === '@xstate.microstep') this.noteMicrostep(event);
    else if (event.type === '@xstate.snapshot') this.noteSnapshot(event);
  };

  /** Adds a listener; returns its removal. */
  listen(listener: TransitionListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Hears the orchestrator's facts: the reason codes of the root's step in progress. */
  noteFact(fact: OrchestratorFact): void {
    const reason = (REASON_OF[fact.type] as ((fact: OrchestratorFact) => string) | undefined)?.(fact);
    if (reason !== undefined && !this.reasons.includes(reason)) this.reasons.push(reason);
  }

  private noteMicrostep(event: Extract<InspectionEvent, { type: '@xstate.microstep' }>): void {
    const actor = actorName(event);
    let pending = this.pending.get(actor);
    if (pending === undefined) {
      pending = { event: event.event.type, subject: subjectOf(event.event), steps: [] };
      this.pending.set(actor, pending);
    }
    for (const transition of event._transitions) {
      if (pending.steps.length < MAX_STEPS) pending.steps.push(stepOf(transition));
    }
  }

  private noteSnapshot(event: Extract<InspectionEvent, { type: '@xstate.snapshot' }>): void {
    const value = (event.snapshot as { value?: unknown }).value;
    if (value === undefined) return;
    const actor = actorName(event);
    const to = leafPaths(value);
    const from = this.states.get(actor);
    const pending = this.pending.get(actor);
    this.states.set(actor, to);
    this.pending.delete(actor);
    const isRoot = actor === ROOT;
    const reasons = isRoot ? this.reasons.splice(0) : [];
    if (from === undefined || pending === undefined || LIFECYCLE_EVENTS.has(pending.event)) return;
    const changed = from.join('|') !== to.join('|');
    const routine = ROUTINE_EVENTS.has(pending.event) || pending.event.startsWith(SNAPSHOT_SYNC);
    const decided = pending.steps.some((step) => step.guard !== null);
    if (!changed && (routine || !decided)) return;
    const at = (event.snapshot as { context?: { now?: unknown } }).context?.now;
    this.publish({ type: 'machine.transition', at: typeof at === 'number' ? at : Date.now(), actor, event: pending.event, subject: pending.subject, from, to, steps: pending.steps, reasons });
  }

  private publish(transition: MachineTransition): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(transition);
      } catch (error) {
        this.logger.error({ err: error, actor: transition.actor }, 'a machine transition listener failed');
      }
    }
  }
}

/** The root actor's name in transitions (its children are named by their system ids). */
export const ROOT = 'orchestrator';

function actorName(event: { actorRef: { sessionId: string; id?: string }; rootId: string }): string {
  return event.actorRef.sessionId === event.rootId ? ROOT : (event.actorRef.id ?? event.actorRef.sessionId);
}

/** Dotted paths of the active atomic states of a state value (`{ dispatch: { paused: 'draining' } }`). */
export function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [`${prefix}${value}`];
  if (value === null || typeof value !== 'object') return [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return prefix === '' ? [] : [prefix.slice(0, -1)];
  return entries.flatMap(([key, child]) => leafPaths(child, `${prefix}${key}.`));
}

function stepOf(transition: AnyTransitionDefinition): TransitionStep {
  return {
    guard: guardName(transition.guard),
    source: transition.source.path.join('.'),
    targets: (transition.target ?? []).map((node) => node.path.join('.')),
    eventless: transition.eventType === '',
  };
}

/** `name`, or `name(param, …)` for a parameterized guard; inline functions have no name worth showing. */
export function guardName(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') return guard.name || 'inline guard';
  const { type, params } = guard as { type?: unknown; params?: unknown };
  if (typeof type !== 'string') return 'inline guard';
  if (params === null || typeof params !== 'object') return type;
  return `${type}(${Object.values(params).map(String).join(', ')})`;
}

function subjectOf(event: Record<string, unknown>): string | null {
  for (const field of SUBJECT_FIELDS) {
    const value = event[field];
    if (typeof value === 'string') return value;
  }
  const error = event.error as { class?: unknown } | undefined;
  return typeof error?.class === 'string' ? error.class : null;
}

/** One inspection observer feeding several: the transitions always, the Stately inspector when it is on. */
export function inspectAll(...observers: Array<((event: InspectionEvent) => void) | Observer<InspectionEvent> | undefined>): (event: InspectionEvent) => void {
  const calls = observers.filter((o) => o !== undefined).map((o) => (typeof o === 'function' ? o : (event: InspectionEvent) => o.next?.(event)));
  return (event) => {
    for (const call of calls) call(event);
  };
}
