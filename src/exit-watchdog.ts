import { Worker } from 'node:worker_threads';

/**
 * The last-resort exit of a shutdown: once armed, the process is killed (SIGKILL) after `graceMs`
 * unless it exited first — even when the main thread's event loop is blocked by then.
 *
 * Why a thread of its own, started at boot: a timer on the main loop (close-with-grace's, or any
 * `setTimeout(...).unref()`) never fires while that loop is blocked in a synchronous call, which is
 * exactly the case a last resort is for. The watchdog thread sleeps in `Atomics.wait` on a shared
 * flag, so arming it is one `Atomics.store` + `notify` from the signal handler (no message that the
 * main loop would have to deliver), and its deadline runs on its own thread. It is created before
 * anything else can block, because creating a worker later needs a healthy main thread.
 *
 * What it cannot cover: a signal that arrives while the main loop is already blocked is never seen by
 * JavaScript at all (Node delivers signals through the loop). That is why nothing the service does may
 * block the loop indefinitely — logging in particular (`src/logging.ts`).
 */

/** A started watchdog. */
export interface ExitWatchdog {
  /** Starts the countdown (idempotent). Call it first thing in the shutdown path. */
  arm(): void;
}

/** Flag states in the shared word. */
const IDLE = 0;
const ARMED = 1;

// Plain CommonJS evaluated in the worker (no loader there): wait to be armed, then wait out the grace.
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const flag = new Int32Array(workerData.shared);
Atomics.wait(flag, 0, ${IDLE});
Atomics.wait(flag, 0, ${ARMED}, workerData.graceMs);
process.kill(workerData.pid, 'SIGKILL');
`;

/** Starts the watchdog thread (unref'd: it never keeps the process alive). */
export function startExitWatchdog(graceMs: number): ExitWatchdog {
  const shared = new SharedArrayBuffer(4);
  const flag = new Int32Array(shared);
  const worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { shared, graceMs, pid: process.pid } });
  worker.unref();
  return {
    arm() {
      if (Atomics.compareExchange(flag, 0, IDLE, ARMED) === IDLE) Atomics.notify(flag, 0);
    },
  };
}
