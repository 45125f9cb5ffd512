/**
 * Deadlines for browser steps. A puppeteer call against a hung browser never settles, so every step races
 * a timer and the run's `AbortSignal`; the caller then decides whether the browser must be killed.
 */

/** A step that did not finish within its deadline. */
export class StepTimeoutError extends Error {
  constructor(
    readonly step: string,
    readonly timeoutMs: number,
  ) {
    super(`${step}: no answer within ${formatMs(timeoutMs)}`);
    this.name = 'StepTimeoutError';
  }
}

/** `1.5 s`, `250 ms`. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${Math.round(ms)} ms`;
}

/** The error a run rejects with when its signal is aborted: the signal's reason when it is an `AbortError`. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return Object.assign(new Error(reason instanceof Error ? `aborted: ${reason.message}` : 'download aborted'), { name: 'AbortError' });
}

/** True for the error `abortError` produces (or any `AbortError`). */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/**
 * A promise that may be left unawaited: a wait started before the action that triggers it (which may
 * fail first), or a step abandoned at its deadline. Its rejection is then expected and must not surface
 * as an unhandled rejection; whoever awaits the returned promise still sees it reject.
 */
export function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Runs `work` under a deadline and the run's signal. `work` receives a signal that aborts when the step
 * times out or the run is aborted, so puppeteer waits that accept a signal stop too; a call that cannot
 * be stopped is abandoned (its late outcome is ignored).
 */
export async function withDeadline<T>(step: string, timeoutMs: number, signal: AbortSignal | undefined, work: (stepSignal: AbortSignal) => Promise<T>): Promise<T> {
  if (signal?.aborted) throw abortError(signal);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new StepTimeoutError(step, timeoutMs);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
    onAbort = () => {
      const err = abortError(signal!);
      controller.abort(err);
      reject(err);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  // The abandoned call may reject later (target closed, browser killed): that is expected, not unhandled.
  const running = awaitedLater(work(controller.signal));
  try {
    return await Promise.race([running, stopped]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** `promise`, or the abort error as soon as `signal` aborts (the promise itself goes on). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
