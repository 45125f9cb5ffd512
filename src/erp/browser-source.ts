/**
 * The export source that drives the ERP's DevExpress pages with a headless Chromium (DESIGN §6,
 * ERP-UI.md): a wide window and the Italian UI set before navigating, log in (reusing a session per
 * account), open the list view, close stray popups, clear a saved grid filter, set the list's filter to
 * "all" and verify it on the server, refill a grid with empty cells, press the export item (through the
 * overflow when hidden; again after a press that did nothing or the data-store error), await the
 * download through CDP events, check it is the list's whole PDF, move it into the downloads folder, and
 * restore the user's own filter. Each list's differences are the data of its export's `listView` (`src/exports/`).
 *
 * Failures are classified for the orchestrator's retry and breaker rules, and name their step:
 * - `erp-unreachable`: connection refused, HTTP errors, refused logins,
 *   timeouts, a stalled download, presses that never start a download, a hung or crashed browser;
 * - `login-budget-exhausted`: the account's daily login budget is used up (no login is tried);
 * - `session-expired`: the ERP still asks for a login right after a fresh one;
 * - `export-invalid`: the download is not the list's whole PDF, or the list cannot be exported
 *   completely (no filter, a filter that cannot be set, cells that stay empty).
 * An aborted run rejects with the signal's `AbortError`.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { Page } from 'puppeteer-core';
import type { ErpAccount } from '../config.js';
import { pdfFileProblem } from '../parsers/pdf-envelope.js';
import { BrowserPool, type BrowserLease } from './browser-pool.js';
import { findChromium } from './chromium-path.js';
import { StepTimeoutError, abortError, formatMs, isAbortError, withDeadline } from './deadline.js';
import { DownloadWatch, type FinishedDownload } from './download-watch.js';
import { LoginRefusedError, LoginRequired, clearGridFilter, logIn, mainFrameId, openPage, prepareTab, type StepTimeouts } from './erp-session.js';
import { SourceError, type DownloadedExport, type DownloadRequest, type ExportSource } from './export-source.js';
import { applyFilter, pressExportUntilDownload, readFilter, refillEmptyCells, valueCode, type ListRun } from './list-steps.js';
import { isExportOf, listViewOf, listViewUrl } from './list-views.js';
import { DEFAULT_LOGINS_PER_DAY, LoginBudget } from './login-budget.js';

/** Options of `BrowserSource`. */
export interface BrowserSourceOptions {
  /** The ERP root, e.g. `https://erp.example.com/Archibald` (the simulator's URL in the demo). */
  erpUrl: string;
  /** Every account the source may log in as (the service account and the agent accounts). */
  accounts: readonly ErpAccount[];
  /** The service's data folder: the browser profile, the login budget and per-run temp folders live in `<dataDir>/browser`. */
  dataDir: string;
  /** Chromium binary; default `findChromium()` (`CHROMIUM_PATH` or the usual system paths). */
  chromiumPath?: string | null;
  logger?: Logger;
  /** Logins per account per day (default 15). */
  loginsPerDay?: number;
  /** After a refused login, no new attempt for this account for this long (default 10 minutes). */
  loginRefusedCooldownMs?: number;
  /** Relaunch the browser after this many runs (default 50). */
  recycleAfterRuns?: number;
  /** Relaunch the browser, between runs, once it is this old (default 90 minutes, ERP-UI §2). */
  recycleAfterMs?: number;
  /** Drop an account's ERP session older than this before its next run (default 4 hours, ERP-UI §2). */
  sessionMaxAgeMs?: number;
  /** Time zone of the login budget's day (default Europe/Rome). */
  timeZone?: string;
  /** A download that receives no byte for this long fails (default 30 s). */
  stallTimeoutMs?: number;
  /**
   * After an export press, this long with no request and a settled page means the press did nothing
   * and it is pressed again (default 4 s; the ERP's callbacks take 250–900 ms).
   */
  exportQuietMs?: number;
  /** Step deadlines; see `StepTimeouts` for the defaults' meaning. */
  timeouts?: Partial<StepTimeouts>;
  /** Extra Chromium flags. */
  chromiumArgs?: readonly string[];
  /** Clock for the login budget's day and the refusal cooldown. */
  now?: () => Date;
}

/** Counters for tests, status and benchmarks. */
export interface BrowserSourceStats {
  launches: number;
  runs: number;
  /** Pid of the running Chromium, or null. */
  browserPid: number | null;
  /** Profile folder of the running Chromium (its processes all carry it), or null. */
  profileDir: string | null;
  /** The folder under which every profile of this source lives (`<dataDir>/browser`). */
  workDir: string;
}

/**
 * Generous enough for a real ERP on a slow day; tests pass short ones. The export of a long list is
 * slow to *start* (the ERP renders it first), hence the long `downloadBegin`.
 */
export const DEFAULT_TIMEOUTS: StepTimeouts = {
  launch: 30_000,
  navigation: 60_000,
  login: 60_000,
  step: 30_000,
  downloadBegin: 180_000,
  download: 30 * 60_000,
  close: 10_000,
};
/** DESIGN §5: a download with no progress for 30 s is stalled. */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;
/** DESIGN §6: a browser is recycled after N runs. */
export const DEFAULT_RECYCLE_AFTER_RUNS = 50;
/** ERP-UI §2: the driver that ran against the real ERP for months restarted its browsers every 90 minutes. */
export const DEFAULT_RECYCLE_AFTER_MS = 90 * 60_000;
/** ERP-UI §2: sessions reused for hours (4 h) kept that driver well inside its daily logins. */
export const DEFAULT_SESSION_MAX_AGE_MS = 4 * 60 * 60_000;
/** Long enough that a locked account is not hammered, short enough that a fixed password is picked up soon. */
export const DEFAULT_LOGIN_REFUSED_COOLDOWN_MS = 10 * 60_000;
/** Well above the ERP's callback times (250–900 ms), so a slow callback is not taken for a lost press. */
export const DEFAULT_EXPORT_QUIET_MS = 4_000;
/** How long a browser may take to answer a health check before it counts as hung. */
const HEALTH_CHECK_MS = 3_000;

/** State of one run's filter handling, kept across a re-login. */
interface FilterMemory {
  /** The user's own value (its code, without the `xaf_xaf_a{m}` prefix) and text, read before the source changed anything. */
  user: { code: string; text: string } | null;
  /** The source changed the filter on the server (so it must restore it). */
  changed: boolean;
}

/** Everything a run's steps share. */
interface Run extends ListRun {
  request: DownloadRequest;
  account: ErpAccount & { password: string };
  lease: BrowserLease;
  page: Page;
  runDir: string;
  signal: AbortSignal;
  filter: FilterMemory;
}

/**
 * The browser's folder under the data directory (profiles, login budget). Every Chromium process of the
 * service carries a profile inside it on its command line, which is how the resource guard finds them.
 */
export function browserWorkDir(dataDir: string): string {
  return join(dataDir, 'browser');
}

/**
 * The ERP driven by a headless Chromium. Construction only finds the browser binary (throwing a
 * `ChromiumNotFoundError` that says how to install one); the browser starts with the first download.
 */
export class BrowserSource implements ExportSource {
  readonly kind = 'browser';
  private readonly timeouts: StepTimeouts;
  private readonly pool: BrowserPool;
  private readonly budget: LoginBudget;
  private readonly log: Logger;
  private readonly accounts: Map<string, ErpAccount>;
  private readonly workDir: string;
  private readonly stallTimeoutMs: number;
  private readonly quietMs: number;
  private readonly cooldownMs: number;
  private readonly now: () => Date;
  /** Accounts whose last login was refused: no new attempt before `until`. */
  private readonly refused = new Map<string, { until: number; message: string }>();
  /** Accounts with a download in flight (see `exclusive`). */
  private readonly busy = new Set<string>();
  private runs = 0;

  constructor(private readonly options: BrowserSourceOptions) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.log = options.logger ?? pino({ level: 'silent' });
    this.accounts = new Map(options.accounts.map((a) => [a.name, a]));
    this.workDir = browserWorkDir(options.dataDir);
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    // A press is judged quiet well within the deadline for the download to begin, or no second press could follow.
    this.quietMs = Math.min(options.exportQuietMs ?? DEFAULT_EXPORT_QUIET_MS, this.timeouts.downloadBegin / 2);
    this.cooldownMs = options.loginRefusedCooldownMs ?? DEFAULT_LOGIN_REFUSED_COOLDOWN_MS;
    this.now = options.now ?? (() => new Date());
    this.budget = new LoginBudget({
      file: join(this.workDir, 'login-budget.json'),
      perDay: options.loginsPerDay ?? DEFAULT_LOGINS_PER_DAY,
      now: this.now,
      logger: this.log,
      ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
    });
    this.pool = new BrowserPool({
      executablePath: findChromium({ path: options.chromiumPath ?? null }),
      workDir: this.workDir,
      launchTimeoutMs: this.timeouts.launch,
      closeTimeoutMs: this.timeouts.close,
      // Above every step deadline, so that puppeteer's own timeout never pre-empts ours with a vaguer error.
      protocolTimeoutMs: Math.max(this.timeouts.navigation, this.timeouts.login, this.timeouts.step, this.timeouts.downloadBegin) + 10_000,
      recycleAfterRuns: options.recycleAfterRuns ?? DEFAULT_RECYCLE_AFTER_RUNS,
      recycleAfterMs: options.recycleAfterMs ?? DEFAULT_RECYCLE_AFTER_MS,
      sessionMaxAgeMs: options.sessionMaxAgeMs ?? DEFAULT_SESSION_MAX_AGE_MS,
      now: () => this.now().getTime(),
      ...(options.chromiumArgs ? { extraArgs: options.chromiumArgs } : {}),
      logger: this.log,
    });
  }

  /** Counters (launches, runs, the browser's pid). */
  stats(): BrowserSourceStats {
    return { launches: this.pool.launches, runs: this.runs, browserPid: this.pool.pid, profileDir: this.pool.profileDir, workDir: this.workDir };
  }

  /** Logins taken today by an account (from the persisted budget). */
  loginsToday(account: string): Promise<number> {
    return this.budget.used(account);
  }

  /** Downloads one export (see `ExportSource.download`); one at a time per account. */
  async download(request: DownloadRequest): Promise<DownloadedExport> {
    if (request.signal?.aborted) throw abortError(request.signal);
    const account = this.accounts.get(request.account);
    if (!account) {
      throw new SourceError('erp-unreachable', `no ERP account "${request.account}" is configured (known: ${[...this.accounts.keys()].join(', ') || 'none'}); see ERP_USERNAME and ERP_ACCOUNTS`);
    }
    const password = account.password;
    if (password === null) {
      throw new SourceError('erp-unreachable', `no password is configured for ERP account "${account.name}" (ERP_PASSWORD, or ERP_ACCOUNTS=name:password)`);
    }
    // One run at a time per account: the ERP keeps one filter per user, and a context has one download folder.
    return this.exclusive(account.name, () => this.run(request, { ...account, password }));
  }

  /** Closes the browser (killing it if it hangs) and removes its profile and temporary folders. */
  async close(): Promise<void> {
    await this.pool.close();
    await rm(join(this.workDir, 'runs'), { recursive: true, force: true });
  }

  private async run(request: DownloadRequest, account: ErpAccount & { password: string }): Promise<DownloadedExport> {
    this.runs++;
    const log = this.log.child({ target: `${request.service}@${account.name}` });
    const started = performance.now();
    const runDir = join(this.workDir, 'runs', randomUUID());
    let lease: BrowserLease | undefined;
    try {
      await mkdir(runDir, { recursive: true });
      lease = await this.pool.acquire(request.signal);
      const leased = lease;
      const signal = request.signal ? AbortSignal.any([request.signal, leased.gone]) : leased.gone;
      const page = await withDeadline('open a tab', this.timeouts.step, signal, () => this.pool.tab(leased, account.name));
      const run: Run = {
        request, account, lease: leased, page, runDir, signal, log, timeouts: this.timeouts, quietMs: this.quietMs,
        service: request.service, view: listViewOf(request.service), listUrl: listViewUrl(this.options.erpUrl, request.service),
        filter: { user: null, changed: false },
      };
      let outcome: unknown;
      try {
        const result = await this.exportWithLogin(run);
        log.info({ ms: Math.round(performance.now() - started), bytes: result.bytes }, 'export downloaded');
        return result;
      } catch (err) {
        outcome = err;
        throw err;
      } finally {
        await this.releaseTab(run, outcome);
      }
    } catch (err) {
      const failure = await this.classify(err, request, lease);
      log.warn({ ms: Math.round(performance.now() - started), class: (failure as SourceError).class ?? failure.name, err: failure.message }, 'export failed');
      throw failure;
    } finally {
      await rm(runDir, { recursive: true, force: true, maxRetries: 3 });
      if (lease) this.pool.release(lease);
    }
  }

  /** Exports; when the ERP asks for a login, logs in once and tries again. */
  private async exportWithLogin(run: Run): Promise<DownloadedExport> {
    let loggedIn = false;
    try {
      await prepareTab(run);
      for (;;) {
        try {
          return await this.exportOnce(run);
        } catch (err) {
          if (!(err instanceof LoginRequired)) throw err;
          if (loggedIn) {
            throw new SourceError('session-expired', `the ERP asked account "${run.account.name}" to log in again right after a fresh login (${err.url})`);
          }
          await this.logIn(run);
          loggedIn = true;
        }
      }
    } catch (err) {
      if (this.pageStillUsable(err, run)) await this.restoreFilter(run);
      throw err;
    }
  }

  /** One attempt: list view, grid filter, list filter, empty cells, export press, download. */
  private async exportOnce(run: Run): Promise<DownloadedExport> {
    const { view } = run;
    const lap = stopwatch();
    await openPage(run, run.listUrl, `the ${run.service} list`);
    const openMs = lap();
    if (view.clearGridFilter && (await clearGridFilter(run)) === 'cleared') run.log.info('cleared the grid filter saved in the user profile');
    if (view.filter) {
      const all = view.filter.allSuffix;
      const combo = await readFilter(run, view.filter);
      run.filter.user ??= { code: valueCode(combo.value), text: combo.text };
      const set = await applyFilter(run, view.filter, (code) => code.endsWith(all), 'to all');
      if (valueCode(set.value) !== run.filter.user.code) run.filter.changed = true;
      if (view.refillEmptyCells && (await refillEmptyCells(run, view.filter))) run.filter.changed = true;
    }
    const filterMs = lap();

    const frameId = await mainFrameId(run);
    const watch = await withDeadline('prepare the download folder', this.timeouts.step, run.signal, () =>
      DownloadWatch.arm({ cdp: run.lease.cdp, browserContextId: run.page.browserContext().id, dir: run.runDir, frameId }),
    );
    try {
      await pressExportUntilDownload(run, watch);
      const startMs = lap();
      const finished = await watch.finished({ stallTimeoutMs: this.stallTimeoutMs, timeoutMs: this.timeouts.download, signal: run.signal });
      const downloadMs = lap();
      const delivered = await this.deliver(run, finished);
      await this.restoreFilter(run);
      run.log.debug({ openMs, filterMs, startMs, downloadMs, restoreMs: lap() }, 'export steps');
      return delivered;
    } finally {
      // Bounded: a hung browser must not hold the run here; the failure being reported is more useful.
      await withDeadline('stop watching the download', this.timeouts.close, undefined, () => watch.dispose()).catch((err: unknown) =>
        run.log.warn({ err }, 'could not cancel the download or deny further downloads'),
      );
    }
  }

  /** Puts the user's filter back, if the run changed it. A failure is logged: the export itself is fine. */
  private async restoreFilter(run: Run): Promise<void> {
    const { user, changed } = run.filter;
    const filter = run.view.filter;
    if (!changed || !user || !filter) return;
    try {
      if (run.page.url() !== run.listUrl) await openPage(run, run.listUrl, `the ${run.service} list`);
      await applyFilter(run, filter, (code) => code === user.code, `back to the user's "${user.text}"`);
      run.filter.changed = false;
      run.log.info({ filter: user.text }, "restored the user's list filter");
    } catch (err) {
      run.log.error({ err, filter: user.text }, `could not restore the user's list filter "${user.text}"; the ERP user will see "all" until they change it`);
    }
  }

  /** Checks the download is the list's whole PDF (`<caption>.pdf`, Italian or English) and moves it into the downloads folder. */
  private async deliver(run: Run, finished: FinishedDownload): Promise<DownloadedExport> {
    const { service, account, downloadsDir } = run.request;
    const name = finished.suggestedFilename;
    if (!isExportOf(run.view, name)) {
      throw new SourceError('export-invalid', `check the download: "${name}" from ${run.listUrl} is not the ${service} export (${run.view.captions.map((c) => `${c}.pdf`).join(' or ')})`);
    }
    const problem = await pdfFileProblem(finished.file);
    if (problem) throw new SourceError('export-invalid', `check the download: ${name} from ${run.listUrl}: ${problem}`);
    await mkdir(downloadsDir, { recursive: true });
    const file = join(downloadsDir, `${service}@${account}-${Date.now()}.pdf`);
    await moveFile(finished.file, file);
    return { file, bytes: finished.bytes, origin: `${run.listUrl} (${name})` };
  }

  /** Logs in on the page, within the login budget and outside a refusal cooldown. */
  private async logIn(run: Run): Promise<void> {
    const name = run.account.name;
    const refused = this.refused.get(name);
    const now = this.now().getTime();
    if (refused && now < refused.until) {
      throw new SourceError(
        'erp-unreachable',
        `the ERP refused the login of "${name}" ${formatMs(now - (refused.until - this.cooldownMs))} ago (${refused.message}); no new attempt before ${new Date(refused.until).toISOString()}, so that the account is not locked`,
      );
    }
    await this.budget.take(name);
    run.log.info('logging in to the ERP');
    try {
      await logIn(run, { erpUrl: this.options.erpUrl, user: name, password: run.account.password });
      this.refused.delete(name);
      this.pool.noteLogin(name);
    } catch (err) {
      if (!(err instanceof LoginRefusedError)) throw err;
      this.refused.set(name, { until: this.now().getTime() + this.cooldownMs, message: err.message });
      this.pool.forgetSession(name);
      throw new SourceError('erp-unreachable', `the ERP refused the login of "${name}": ${err.message}`);
    }
  }

  /** After a failure, the tab can still restore the filter unless the browser hung, died or the run was aborted. */
  private pageStillUsable(err: unknown, run: Run): boolean {
    return !run.signal.aborted && !(err instanceof StepTimeoutError) && !isAbortError(err);
  }

  /**
   * Keeps the run's tab for the account's next run when the run ended in an answer of the ERP (success
   * or a classified failure); closes it after a timeout, an abort or anything unexpected, when it may be
   * in the middle of something. A browser that cannot close a tab in time is hung and is killed.
   */
  private async releaseTab(run: Run, failure: unknown): Promise<void> {
    const { page, lease, log } = run;
    if (lease.gone.aborted) return;
    if (failure === undefined || (failure instanceof SourceError && !run.signal.aborted)) {
      try {
        await withDeadline('keep the tab', this.timeouts.close, undefined, () => this.pool.keepTab(lease, run.account.name, page, failure === undefined));
        return;
      } catch (err) {
        log.warn({ err }, 'could not keep the tab and save the ERP session');
      }
    }
    try {
      await withDeadline('close the tab', this.timeouts.close, undefined, () => page.close());
    } catch (err) {
      log.warn({ err }, 'the browser did not close a tab in time');
      await this.pool.kill(lease, `a tab did not close within ${formatMs(this.timeouts.close)}`);
    }
  }

  /** Turns any failure into a classified `SourceError` (or the run's abort error). */
  private async classify(err: unknown, request: DownloadRequest, lease: BrowserLease | undefined): Promise<Error> {
    if (request.signal?.aborted) return abortError(request.signal);
    if (err instanceof SourceError) return err;
    const message = err instanceof Error ? err.message : String(err);
    if (lease?.gone.aborted) return new SourceError('erp-unreachable', `Chromium went away during the run (${message}); it is relaunched at the next run`);
    if (err instanceof StepTimeoutError || (err instanceof Error && err.name === 'TimeoutError')) {
      if (lease && !(await this.pool.responsive(lease, HEALTH_CHECK_MS))) {
        await this.pool.kill(lease, `unresponsive after: ${message}`);
        return new SourceError('erp-unreachable', `${message}; Chromium did not respond either and was killed (relaunched at the next run)`);
      }
      return new SourceError('erp-unreachable', message);
    }
    if (/net::ERR_/.test(message)) return new SourceError('erp-unreachable', `the ERP is not reachable: ${message}`);
    return new SourceError('erp-unreachable', `browser run failed: ${message}`);
  }

  /**
   * The orchestrator's statechart runs one sync per account at a time (the ERP keeps one filter per
   * user, and a context has one download folder). This source does not coordinate runs itself — no
   * second lock layer that could disagree with the statechart —, it only refuses a call that breaks
   * that rule, loudly.
   */
  private async exclusive<T>(account: string, work: () => Promise<T>): Promise<T> {
    if (this.busy.has(account)) {
      throw new Error(`a download for account "${account}" is already running: the orchestrator runs one sync per account at a time`);
    }
    this.busy.add(account);
    try {
      return await work();
    } finally {
      this.busy.delete(account);
    }
  }

}

/** A function returning the milliseconds since its previous call (or since creation). */
function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const ms = Math.round(now - last);
    last = now;
    return ms;
  };
}


/**
 * Moves a finished file into place atomically. Across file systems (a downloads folder on another
 * disk) it is copied to a `.part` beside the target first, so the target never exists half-written.
 */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    const part = `${to}.${randomUUID()}.part`;
    try {
      await copyFile(from, part);
      await rename(part, to);
    } finally {
      await rm(part, { force: true });
      await rm(from, { force: true });
    }
  }
}
