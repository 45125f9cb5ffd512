/**
 * The contract between a `syncTarget` and the `runSync` actor the runtime injects, plus an adapter that
 * turns a promise-returning run function into that actor.
 *
 * Protocol (a callback actor, invoked with id `runSync`):
 * - input {@link RunSyncInput};
 * - it receives `run.pause`: stop at the next checkpoint (between batches; a download or parse in flight
 *   is abandoned and redone later, both are idempotent) and report `run.paused`;
 * - it sends back `run.progress`, `run.checkpoint`, then exactly one of `run.completed`, `run.paused`,
 *   `run.failed` — every event stamped with the runtime clock's `now`, which is how time reaches the machines;
 * - when the invoking state is exited (restore, shutdown, stop) the actor is stopped and must abandon its
 *   work: the adapter aborts the run's `AbortSignal`.
 */
import { fromCallback } from 'xstate';
import type { CallbackActorLogic } from 'xstate';
import type { Service, TargetId, Trigger } from './catalog.js';
import { failureClassOf } from './retry.js';
import type { Checkpoint, Phase, RunError, RunStats } from './types.js';

/** What a run is asked to do. */
export interface RunSyncInput {
  target: TargetId;
  service: Service;
  account: string;
  trigger: Trigger;
  /** 1 for the first attempt, 2.. for retries. */
  attempt: number;
  /** Where to continue: the last checkpoint the run reported, or `null` to start from scratch. */
  resumeFrom: Checkpoint | null;
}

/** Events the run sends back to its `syncTarget`. */
export type RunSyncEvent =
  | { type: 'run.progress'; phase: Phase; done: number; total: number; now: number }
  | { type: 'run.checkpoint'; checkpoint: Checkpoint; now: number }
  | { type: 'run.completed'; stats: RunStats; now: number }
  | { type: 'run.paused'; checkpoint: Checkpoint | null; now: number }
  | { type: 'run.failed'; error: RunError; now: number };

/** The only command a run receives. */
export interface RunPauseCommand {
  type: 'run.pause';
}

/** Actor logic of `runSync`. */
export type RunSyncLogic = CallbackActorLogic<RunPauseCommand, RunSyncInput>;

/** How a promise-style run ends. A failure is a rejection with `{ class, message }`. */
export type RunOutcome = { outcome: 'completed'; stats: RunStats } | { outcome: 'paused'; checkpoint: Checkpoint | null };

/** What a promise-style run can use while it works. */
export interface RunControls {
  /** Aborted when the machine abandons the run: stop now, commit nothing more. */
  readonly signal: AbortSignal;
  /** True once a pause was requested: stop at the next checkpoint and resolve `{ outcome: 'paused' }`. */
  readonly pauseRequested: boolean;
  /** Called once when a pause is requested (e.g. to interrupt a download). */
  onPauseRequested(listener: () => void): void;
  progress(phase: Phase, done: number, total: number): void;
  /** Reports a committed resume point; a later restore re-runs from the last one reported. */
  checkpoint(checkpoint: Checkpoint): void;
}

/** A promise-style run as the runtime writes it. */
export type RunFunction = (input: RunSyncInput, controls: RunControls) => Promise<RunOutcome>;

/** The runtime's clock. */
export interface RunClock {
  now(): number;
}

/** A thrown value as a classified error (unknown classes become `store-error`, see `failureClassOf`). */
export function toRunError(error: unknown): RunError {
  const record = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const message = typeof record.message === 'string' ? record.message : String(error);
  return { class: failureClassOf(record.class), message };
}

/**
 * Wraps a promise-style run as the `runSync` actor: forwards `run.pause` to the run's controls, reports
 * progress and the outcome stamped with `clock.now()`, and aborts the run's signal when stopped.
 *
 * The run starts one microtask after the actor: on restore XState restarts in-flight actors with their old
 * input before `orchestrator.restored` can re-invoke them from the latest checkpoint, and that stale start
 * is aborted before it does any work (send `orchestrator.restored` synchronously after `actor.start()`).
 */
export function createRunSyncLogic(run: RunFunction, clock: RunClock): RunSyncLogic {
  return fromCallback<RunPauseCommand, RunSyncInput>(({ input, sendBack, receive }) => {
    const controller = new AbortController();
    const listeners: Array<() => void> = [];
    let pauseRequested = false;
    const report = (event: DistributiveOmit<RunSyncEvent, 'now'>): void => {
      if (!controller.signal.aborted) sendBack({ ...event, now: clock.now() });
    };
    receive(() => {
      if (pauseRequested) return;
      pauseRequested = true;
      for (const listener of listeners) listener();
    });
    const controls: RunControls = {
      signal: controller.signal,
      get pauseRequested() {
        return pauseRequested;
      },
      onPauseRequested: (listener) => void listeners.push(listener),
      progress: (phase, done, total) => report({ type: 'run.progress', phase, done, total }),
      checkpoint: (checkpoint) => report({ type: 'run.checkpoint', checkpoint }),
    };
    void Promise.resolve().then(async () => {
      if (controller.signal.aborted) return;
      try {
        report(toOutcomeEvent(await run(input, controls)));
      } catch (error) {
        report({ type: 'run.failed', error: toRunError(error) });
      }
    });
    return () => controller.abort();
  });
}

function toOutcomeEvent(outcome: RunOutcome): DistributiveOmit<RunSyncEvent, 'now'> {
  return outcome.outcome === 'completed'
    ? { type: 'run.completed', stats: outcome.stats }
    : { type: 'run.paused', checkpoint: outcome.checkpoint };
}

/** `Omit` applied to each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
