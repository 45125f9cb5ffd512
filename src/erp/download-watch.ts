/**
 * Waits for a browser download through the CDP download events (`Browser.downloadWillBegin`,
 * `Browser.downloadProgress`) instead of polling a folder: the browser says when the file is complete,
 * and a download that stops moving is noticed by a watchdog rather than by an overall timeout alone.
 */
import type { CDPSession, Protocol } from 'puppeteer-core';
import { abortError, formatMs } from './deadline.js';
import { SourceError } from './export-source.js';

/** A completed download. */
export interface FinishedDownload {
  guid: string;
  /** The file the browser wrote (named by its guid, inside the armed folder). */
  file: string;
  bytes: number;
  /** The attachment's file name (`Ordini.pdf`). */
  suggestedFilename: string;
  url: string;
}

/** What `DownloadWatch.arm` needs. */
export interface ArmOptions {
  /** The browser-level CDP session (`browser.target().createCDPSession()`). */
  cdp: CDPSession;
  browserContextId: string | undefined;
  /** The folder the download goes to (one per run). */
  dir: string;
  /** Only downloads started by this frame (the run's page) are watched: other contexts may download at the same time. */
  frameId: string;
}

/** Limits of `finished`. */
export interface FinishOptions {
  /** Fail when no new byte arrived for this long. */
  stallTimeoutMs: number;
  /** Fail when the whole download takes longer than this. */
  timeoutMs: number;
  signal?: AbortSignal;
}

type WillBegin = Protocol.Browser.DownloadWillBeginEvent;
type Progress = Protocol.Browser.DownloadProgressEvent;

/** One armed download folder and the one download of a run. */
export class DownloadWatch {
  private began: WillBegin | null = null;
  private progress: Progress | null = null;
  private listener: (() => void) | null = null;
  private disposed = false;

  private readonly onWillBegin = (event: WillBegin): void => {
    if (this.began || event.frameId !== this.options.frameId) return;
    this.began = event;
    this.listener?.();
  };

  private readonly onProgress = (event: Progress): void => {
    if (!this.began || event.guid !== this.began.guid) return;
    this.progress = event;
    this.listener?.();
  };

  private constructor(private readonly options: ArmOptions) {}

  /**
   * Sends downloads of the context into `dir` under guid names (`allowAndName`: no clash with a file of
   * the same name, no `(1)` suffixes) and starts listening.
   */
  static async arm(options: ArmOptions): Promise<DownloadWatch> {
    const watch = new DownloadWatch(options);
    options.cdp.on('Browser.downloadWillBegin', watch.onWillBegin);
    options.cdp.on('Browser.downloadProgress', watch.onProgress);
    try {
      await options.cdp.send('Browser.setDownloadBehavior', {
        behavior: 'allowAndName',
        downloadPath: options.dir,
        ...(options.browserContextId ? { browserContextId: options.browserContextId } : {}),
        eventsEnabled: true,
      });
    } catch (err) {
      watch.detach();
      throw err;
    }
    return watch;
  }

  /** The suggested file name once the download has begun, else null. */
  get suggestedFilename(): string | null {
    return this.began?.suggestedFilename ?? null;
  }

  /** Resolves when the page's download begins (callers race it against a deadline and navigations). */
  begun(signal?: AbortSignal): Promise<WillBegin> {
    return this.until(() => this.began, signal);
  }

  /**
   * Resolves when the download is complete. Rejects with `erp-unreachable` when it stalls for
   * `stallTimeoutMs`, exceeds `timeoutMs` or is cancelled by the browser, and with the abort error when
   * `signal` aborts.
   */
  finished(options: FinishOptions): Promise<FinishedDownload> {
    return new Promise<FinishedDownload>((resolve, reject) => {
      let received = -1;
      let stallTimer: NodeJS.Timeout | undefined;
      const name = (): string => this.began?.suggestedFilename ?? 'the export';
      const settle = (fn: () => void): void => {
        clearTimeout(stallTimer);
        clearTimeout(overall);
        options.signal?.removeEventListener('abort', onAbort);
        this.listener = null;
        fn();
      };
      const armStall = (): void => {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => {
          const p = this.progress;
          const where = p ? `after ${p.receivedBytes} of ${p.totalBytes || '?'} bytes` : 'before the first byte';
          settle(() => reject(new SourceError('erp-unreachable', `download of ${name()} stalled: no data for ${formatMs(options.stallTimeoutMs)} ${where}`)));
        }, options.stallTimeoutMs);
      };
      const overall = setTimeout(() => {
        settle(() => reject(new SourceError('erp-unreachable', `download of ${name()} took longer than ${formatMs(options.timeoutMs)}`)));
      }, options.timeoutMs);
      const onAbort = (): void => settle(() => reject(abortError(options.signal!)));
      const check = (): void => {
        const p = this.progress;
        if (!p) return;
        if (p.state === 'completed') {
          const file = p.filePath ?? `${this.options.dir}/${p.guid}`;
          settle(() => resolve({ guid: p.guid, file, bytes: p.receivedBytes, suggestedFilename: this.began?.suggestedFilename ?? '', url: this.began?.url ?? '' }));
        } else if (p.state === 'canceled') {
          settle(() => reject(new SourceError('erp-unreachable', `the browser cancelled the download of ${name()} after ${p.receivedBytes} bytes`)));
        } else if (p.receivedBytes > received) {
          // Only new bytes count as progress: Chromium repeats unchanged progress events while stalled.
          received = p.receivedBytes;
          armStall();
        }
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      armStall();
      this.listener = check;
      check();
    });
  }

  /**
   * Stops listening, cancels a download that did not complete (so that the browser stops writing into a
   * folder about to be deleted) and denies further downloads of the context until the next run arms it.
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.detach();
    const { cdp, browserContextId } = this.options;
    const context = browserContextId ? { browserContextId } : {};
    if (this.began && this.progress?.state !== 'completed' && this.progress?.state !== 'canceled') {
      await cdp.send('Browser.cancelDownload', { guid: this.began.guid, ...context }).catch(() => undefined);
    }
    // eventsEnabled stays on: the flag is per CDP session, and other contexts' runs still listen.
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'deny', ...context, eventsEnabled: true }).catch(() => undefined);
  }

  private detach(): void {
    this.options.cdp.off('Browser.downloadWillBegin', this.onWillBegin);
    this.options.cdp.off('Browser.downloadProgress', this.onProgress);
    this.listener = null;
  }

  private until<T>(value: () => T | null, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const now = value();
      if (now !== null) return resolve(now);
      if (signal?.aborted) return reject(abortError(signal));
      const onAbort = (): void => {
        this.listener = null;
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.listener = () => {
        const v = value();
        if (v === null) return;
        signal?.removeEventListener('abort', onAbort);
        this.listener = null;
        resolve(v);
      };
    });
  }
}
