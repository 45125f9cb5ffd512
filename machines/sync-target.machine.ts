/**
 * `syncTarget`: the child actor of one target (`service@account`). It runs what the orchestrator tells it
 * to, through the injected `runSync` actor, and reports back; it never decides *when* to run — retries
 * included: it computes the absolute `retryAt` and the orchestrator re-queues it then, so that a retry
 * obeys the same mutex, leases and breaker as any other run.
 */
import { assign, fromCallback, sendParent, sendTo, setup } from 'xstate';
import type { Service, TargetId, Trigger } from './catalog.js';
import { retryDecision, retryDelayMs } from './retry.js';
import { laterOf } from './time.js';
import type { RunPauseCommand, RunSyncEvent, RunSyncInput, RunSyncLogic } from './run-sync.js';
import type { Checkpoint, Phase, RunError, RunStats } from './types.js';

/** Input of a spawned `syncTarget`. */
export interface SyncTargetInput {
  target: TargetId;
  service: Service;
  account: string;
  timeScale: number;
}

/** The child's context; JSON, persisted with the root's snapshot. */
export interface SyncTargetContext extends SyncTargetInput {
  now: number;
  trigger: Trigger;
  /** Backoff retries already scheduled for the current run (0..MAX_RETRY_ATTEMPTS). */
  retriesDone: number;
  /** The immediate session-expired retry was used for the current run. */
  sessionRetried: boolean;
  /** Random value in [0, 1) drawn by the root for this attempt's backoff jitter. */
  jitter: number;
  /** Last committed resume point of the current run. */
  checkpoint: Checkpoint | null;
  phase: Phase | null;
  done: number;
  total: number;
  retryAt: number | null;
  lastError: RunError | null;
  stats: RunStats | null;
}

/** Commands from the orchestrator. */
export type SyncTargetCommand =
  | { type: 'target.start'; trigger: Trigger; now: number; jitter: number; timeScale?: number }
  | { type: 'target.resume'; now: number; jitter: number; timeScale?: number }
  | { type: 'target.pause'; now: number }
  | { type: 'target.restore'; now: number };

/** Everything a `syncTarget` receives. */
export type SyncTargetEvent = SyncTargetCommand | RunSyncEvent;

/** Reports to the orchestrator; every report names its target and carries `now`. */
export type SyncTargetReport =
  | { type: 'target.progress'; target: TargetId; phase: Phase; done: number; total: number; now: number }
  | { type: 'target.paused'; target: TargetId; checkpoint: Checkpoint | null; now: number }
  | { type: 'target.completed'; target: TargetId; stats: RunStats; now: number }
  | { type: 'target.failed'; target: TargetId; class: RunError['class']; message: string; retry: number; retryAt: number | null; now: number }
  | { type: 'target.restarted'; target: TargetId; class: RunError['class']; message: string; now: number };

/** Stands in until the runtime provides `runSync`: every run fails loudly instead of hanging. */
const unprovidedRunSync: RunSyncLogic = fromCallback<RunPauseCommand, RunSyncInput>(({ sendBack }) => {
  sendBack({ type: 'run.failed', error: { class: 'store-error', message: 'runSync actor not provided' }, now: 0 });
});

const PHASE_STATES: Record<Phase, `.${Phase}`> = {
  downloading: '.downloading',
  parsing: '.parsing',
  applying: '.applying',
  finalizing: '.finalizing',
};

const timeOf = (context: SyncTargetContext, event: { now?: number }): number => laterOf(context.now, event.now);

/** The root passes its TIME_SCALE with every start, so a restore with a new scale reaches the children. */
const scaleOf = (context: SyncTargetContext, event: SyncTargetEvent): number =>
  (event.type === 'target.start' || event.type === 'target.resume') && event.timeScale !== undefined ? event.timeScale : context.timeScale;

const failureOf = (event: SyncTargetEvent): RunError =>
  event.type === 'run.failed' ? event.error : { class: 'store-error', message: `unexpected ${event.type}` };

/** The child statechart; provide `runSync` with `syncTargetMachine.provide({ actors: { runSync } })`. */
export const syncTargetMachine = setup({
  types: {
    context: {} as SyncTargetContext,
    input: {} as SyncTargetInput,
    events: {} as SyncTargetEvent,
  },
  actors: { runSync: unprovidedRunSync },
  guards: {
    reportsPhase: ({ event }, params: { phase: Phase }) => event.type === 'run.progress' && event.phase === params.phase,
    retriesAtOnce: ({ context, event }) =>
      retryDecision(failureOf(event).class, context.retriesDone, context.sessionRetried).kind === 'immediate',
    backsOff: ({ context, event }) =>
      retryDecision(failureOf(event).class, context.retriesDone, context.sessionRetried).kind === 'backoff',
  },
  actions: {
    beginRun: assign(({ context, event }) => {
      const trigger = event.type === 'target.start' ? event.trigger : context.trigger;
      const jitter = event.type === 'target.start' ? event.jitter : context.jitter;
      return { ...freshRun(), now: timeOf(context, event), timeScale: scaleOf(context, event), trigger, jitter };
    }),
    beginRetry: assign(({ context, event }) => ({
      now: timeOf(context, event),
      timeScale: scaleOf(context, event),
      trigger: event.type === 'target.start' ? event.trigger : context.trigger,
      jitter: event.type === 'target.start' ? event.jitter : context.jitter,
      retryAt: null,
      phase: null,
    })),
    beginResume: assign(({ context, event }) => ({
      now: timeOf(context, event),
      timeScale: scaleOf(context, event),
      jitter: event.type === 'target.resume' ? event.jitter : context.jitter,
      phase: null,
    })),
    recordNow: assign(({ context, event }) => ({ now: timeOf(context, event) })),
    recordProgress: assign(({ context, event }) =>
      event.type === 'run.progress'
        ? { now: timeOf(context, event), phase: event.phase, done: event.done, total: event.total }
        : {},
    ),
    recordCheckpoint: assign(({ context, event }) =>
      event.type === 'run.checkpoint' ? { now: timeOf(context, event), checkpoint: event.checkpoint } : {},
    ),
    recordPausedCheckpoint: assign(({ context, event }) =>
      event.type === 'run.paused' ? { now: timeOf(context, event), checkpoint: event.checkpoint ?? context.checkpoint } : {},
    ),
    recordCompletion: assign(({ context, event }) =>
      event.type === 'run.completed'
        ? { now: timeOf(context, event), stats: event.stats, checkpoint: null, phase: null, retriesDone: 0 }
        : {},
    ),
    recordSessionRetry: assign(({ context, event }) => ({
      now: timeOf(context, event),
      sessionRetried: true,
      lastError: failureOf(event),
      trigger: 'retry' as const,
    })),
    scheduleRetry: assign(({ context, event }) => {
      const now = timeOf(context, event);
      const retry = context.retriesDone + 1;
      return {
        now,
        retriesDone: retry,
        retryAt: now + retryDelayMs(retry, context.jitter, context.timeScale),
        lastError: failureOf(event),
        phase: null,
      };
    }),
    recordFailure: assign(({ context, event }) => ({
      now: timeOf(context, event),
      lastError: failureOf(event),
      retryAt: null,
      checkpoint: null,
      phase: null,
    })),
    requestRunPause: sendTo('runSync', { type: 'run.pause' }),
    reportProgress: sendParent(({ context }) => ({
      type: 'target.progress',
      target: context.target,
      phase: context.phase,
      done: context.done,
      total: context.total,
      now: context.now,
    })),
    reportPaused: sendParent(({ context }) => ({
      type: 'target.paused',
      target: context.target,
      checkpoint: context.checkpoint,
      now: context.now,
    })),
    reportCompleted: sendParent(({ context }) => ({
      type: 'target.completed',
      target: context.target,
      stats: context.stats,
      now: context.now,
    })),
    reportFailed: sendParent(({ context }) => ({
      type: 'target.failed',
      target: context.target,
      class: context.lastError?.class,
      message: context.lastError?.message,
      retry: context.retryAt === null ? 0 : context.retriesDone,
      retryAt: context.retryAt,
      now: context.now,
    })),
    reportRestarted: sendParent(({ context }) => ({
      type: 'target.restarted',
      target: context.target,
      class: context.lastError?.class,
      message: context.lastError?.message,
      now: context.now,
    })),
  },
}).createMachine({
  id: 'syncTarget',
  description: 'One target (service@account): runs when the orchestrator says so, reports progress and outcome.',
  context: ({ input }) => ({ ...input, now: 0, trigger: 'manual', jitter: 0, stats: null, ...freshRun() }),
  initial: 'idle',
  states: {
    idle: {
      description: 'Nothing in flight; waits for target.start.',
      on: { 'target.start': { target: 'running', actions: 'beginRun' } },
    },
    running: {
      description:
        'The runSync actor works through download → parse → apply → finalize. Holds its account until it completes, fails or pauses.',
      invoke: {
        id: 'runSync',
        src: 'runSync',
        input: ({ context }) => ({
          target: context.target,
          service: context.service,
          account: context.account,
          trigger: context.trigger,
          attempt: context.retriesDone + 1,
          resumeFrom: context.checkpoint,
        }),
      },
      initial: 'downloading',
      on: {
        'run.progress': [
          ...(Object.keys(PHASE_STATES) as Phase[]).map((phase) => ({
            guard: { type: 'reportsPhase' as const, params: { phase } },
            target: PHASE_STATES[phase],
            actions: ['recordProgress' as const, 'reportProgress' as const],
          })),
        ],
        'run.checkpoint': { actions: 'recordCheckpoint' },
        'run.completed': { target: 'idle', actions: ['recordCompletion', 'reportCompleted'] },
        'run.paused': { target: 'paused', actions: ['recordPausedCheckpoint', 'reportPaused'] },
        'run.failed': [
          { guard: 'retriesAtOnce', target: 'running', reenter: true, actions: ['recordSessionRetry', 'reportRestarted'] },
          { guard: 'backsOff', target: 'retrying', actions: ['scheduleRetry', 'reportFailed'] },
          { target: 'failed', actions: ['recordFailure', 'reportFailed'] },
        ],
        'target.pause': { target: '.pausing', actions: ['recordNow', 'requestRunPause'] },
        // XState restarts in-flight actors with their old input on restore; re-entering re-invokes from the
        // latest checkpoint (the stale start is stopped before it works, see createRunSyncLogic).
        'target.restore': { target: 'running', reenter: true, actions: 'recordNow' },
      },
      states: {
        downloading: { description: 'Exporting the list view to a PDF (abandoned and redone on pause).' },
        parsing: { description: 'Reading the PDF off the main thread (abandoned and redone on pause).' },
        applying: { description: 'Upserting changed rows in batches; checkpoints between batches.' },
        finalizing: { description: 'Soft-deleting absent rows and linking documents to orders.' },
        pausing: {
          description: 'Told to pause: the run stops at its next checkpoint and reports run.paused.',
          on: {
            'target.pause': { actions: 'recordNow' },
            'run.progress': { actions: 'recordProgress' },
            'run.failed': {
              guard: 'retriesAtOnce',
              target: '#syncTarget.paused',
              actions: ['recordSessionRetry', 'reportPaused'],
            },
            'target.restore': { target: '#syncTarget.paused', actions: ['recordNow', 'reportPaused'] },
          },
        },
      },
    },
    paused: {
      description: 'Stopped at a checkpoint (kept in context); target.resume continues from it.',
      on: { 'target.resume': { target: 'running', actions: 'beginResume' } },
    },
    retrying: {
      description: 'Backing off until retryAt; the orchestrator re-queues the target then and sends target.start.',
      on: { 'target.start': { target: 'running', actions: 'beginRetry' } },
    },
    failed: {
      description: 'The last run failed for good (no retry left, or export-invalid); the next target.start is a fresh run.',
      on: { 'target.start': { target: 'running', actions: 'beginRun' } },
    },
  },
});

function freshRun(): Omit<SyncTargetContext, keyof SyncTargetInput | 'now' | 'trigger' | 'jitter' | 'stats'> {
  return {
    retriesDone: 0,
    sessionRetried: false,
    checkpoint: null,
    phase: null,
    done: 0,
    total: 0,
    retryAt: null,
    lastError: null,
  };
}

/** The `syncTarget` machine type. */
export type SyncTargetMachine = typeof syncTargetMachine;
