/**
 * The one Chromium of the browser source and its per-account contexts and tabs (DESIGN §6). It launches the
 * browser on demand in its own process group with a fresh profile under the data directory, hands out
 * leases to runs, recycles the browser after N runs or a period when none is in flight (the ERP's sessions
 * carried over, so a recycle costs no login), retires an account's ERP session once it is older than its
 * maximum age (the next run logs in afresh), kills it (the whole group)
 * when it hangs or dies, and sweeps every process that still carries its profile path, so that no orphan
 * survives a crash.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import puppeteer, { type Browser, type BrowserContext, type CDPSession, type Cookie, type CookieData, type Page } from 'puppeteer-core';
import { untilAborted, withDeadline } from './deadline.js';
import { SourceError } from './export-source.js';
import { killProcessGroup, killProcessesWith, processesWith } from './process-tree.js';

/**
 * Chromium flags: headless without GPU or sandbox (containers run as root), and nothing that phones home
 * or updates itself, so a run's only traffic is the ERP's. The back/forward cache is off because each
 * account's tab is reused across runs: it would keep every earlier list page alive (memory grew ~8 % per
 * 100 runs with it, ~2 % without; `bench/browser.bench.ts`).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--disable-breakpad',
  '--disable-crash-reporter',
  '--disable-extensions',
  '--disable-features=Translate,MediaRouter,OptimizationHints,AcceptCHFrame,BackForwardCache',
  '--password-store=basic',
  '--use-mock-keychain',
  '--mute-audio',
  '--hide-scrollbars',
];

/** How long the processes of a killed group get to disappear before the rest count as strays. */
const STRAY_GRACE_MS = 1_000;

/** Options of `BrowserPool`. */
export interface BrowserPoolOptions {
  executablePath: string;
  /** Folder for profiles (`<dataDir>/browser`); profiles left by a crashed process are swept from it. */
  workDir: string;
  launchTimeoutMs: number;
  /** A graceful close that takes longer is a hang: the process group is killed. */
  closeTimeoutMs: number;
  /** Upper bound of any single CDP call (puppeteer's own default is 3 minutes). */
  protocolTimeoutMs: number;
  /** Relaunch after this many runs, to shed whatever the browser accumulates. */
  recycleAfterRuns: number;
  /** Relaunch once the browser is this old (ms), between runs; the ERP-UI §2 driver restarted every 90 min. */
  recycleAfterMs: number;
  /** An account's ERP session older than this (ms) is dropped before its next run, which logs in afresh. */
  sessionMaxAgeMs: number;
  /** Wall clock (epoch ms) for the browser's and the sessions' ages; tests move it. */
  now?: () => number;
  extraArgs?: readonly string[];
  logger: Logger;
}

/** One launched browser. */
interface Instance {
  generation: number;
  browser: Browser;
  pid: number;
  profileDir: string;
  /** Browser-level CDP session, for download events. */
  cdp: CDPSession;
  accounts: Map<string, AccountSlot>;
  runs: number;
  launchedAt: number;
  /** Aborted when this browser goes away (killed, closed, crashed). */
  gone: AbortController;
  retiring: boolean;
  exited: Promise<void>;
}

/** An account's context and the tab kept from its last run. */
interface AccountSlot {
  context: BrowserContext;
  tab: Page | null;
}

/** A run's hold on the browser. */
export interface BrowserLease {
  readonly generation: number;
  readonly browser: Browser;
  readonly cdp: CDPSession;
  /** Aborts when the browser goes away during the run. */
  readonly gone: AbortSignal;
}

/** The browser and its contexts. */
export class BrowserPool {
  private current: Instance | null = null;
  private launching: Promise<Instance> | null = null;
  private generation = 0;
  private inFlight = 0;
  private closed = false;
  private sweptStale = false;
  private readonly leases = new WeakMap<BrowserLease, Instance>();
  /** Session cookies per account, carried into the next browser so a recycle costs no ERP login. */
  private readonly cookies = new Map<string, CookieData[]>();
  /** When each account's ERP session began (its login), for `sessionMaxAgeMs`. */
  private readonly sessionsSince = new Map<string, number>();
  private readonly now: () => number;

  /** Browsers launched so far. */
  launches = 0;

  constructor(private readonly options: BrowserPoolOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Pid of the running browser, or null. */
  get pid(): number | null {
    return this.current?.pid ?? null;
  }

  /** Profile folder of the running browser, or null. */
  get profileDir(): string | null {
    return this.current?.profileDir ?? null;
  }

  /** Takes a lease on the browser, launching or recycling it first when needed. */
  async acquire(signal?: AbortSignal): Promise<BrowserLease> {
    if (this.closed) throw new SourceError('erp-unreachable', 'the browser source is closed');
    let instance = this.current;
    const recycle = instance && this.inFlight === 0 ? this.recycleReason(instance) : null;
    if (instance && recycle !== null) {
      await this.retire(instance, recycle);
      instance = null;
    }
    // The launch is shared by every run waiting for it: one run's abort stops its wait, not the launch.
    instance ??= await untilAborted(this.launch(), signal);
    instance.runs++;
    this.inFlight++;
    const lease: BrowserLease = { generation: instance.generation, browser: instance.browser, cdp: instance.cdp, gone: instance.gone.signal };
    this.leases.set(lease, instance);
    return lease;
  }

  /** Ends a lease. */
  release(lease: BrowserLease): void {
    if (this.leases.delete(lease)) this.inFlight--;
  }

  /** Why the idle browser is relaunched now (too many runs, too old), or null. */
  private recycleReason(instance: Instance): string | null {
    if (instance.runs >= this.options.recycleAfterRuns) return `recycled after ${instance.runs} runs`;
    const age = this.now() - instance.launchedAt;
    return age >= this.options.recycleAfterMs ? `recycled after ${Math.round(age / 60_000)} min` : null;
  }

  /**
   * A tab in the account's browser context: the one kept from the account's last run, else a new one.
   * The context is created on first use, with the account's saved session cookies — unless the session
   * is older than `sessionMaxAgeMs`: then it is dropped, and the run logs in afresh.
   */
  async tab(lease: BrowserLease, account: string): Promise<Page> {
    const instance = this.instanceOf(lease);
    await this.retireAgedSession(instance, account);
    let slot = instance.accounts.get(account);
    if (!slot) {
      const context = await instance.browser.createBrowserContext();
      const saved = this.cookies.get(account);
      if (saved?.length) await context.setCookie(...saved);
      instance.accounts.set(account, (slot = { context, tab: null }));
    }
    const kept = slot.tab;
    slot.tab = null;
    return kept && !kept.isClosed() ? kept : slot.context.newPage();
  }

  /**
   * Keeps a tab for the account's next run (a new tab costs about as much as the rest of a run) and,
   * after a successful run, saves the account's session cookies for the next browser.
   */
  async keepTab(lease: BrowserLease, account: string, tab: Page, saveSession: boolean): Promise<void> {
    const slot = this.leases.get(lease)?.accounts.get(account);
    if (!slot || tab.isClosed()) return;
    slot.tab = tab;
    if (saveSession) this.cookies.set(account, (await slot.context.cookies()).map(cookieData));
  }

  /** Drops the account's saved session (after a refused login). */
  forgetSession(account: string): void {
    this.cookies.delete(account);
    this.sessionsSince.delete(account);
  }

  /** A login of the account succeeded: its session's age counts from now. */
  noteLogin(account: string): void {
    this.sessionsSince.set(account, this.now());
  }

  /** Closes the account's context and forgets its cookies when its session has outlived `sessionMaxAgeMs`. */
  private async retireAgedSession(instance: Instance, account: string): Promise<void> {
    const since = this.sessionsSince.get(account);
    if (since === undefined || this.now() - since < this.options.sessionMaxAgeMs) return;
    this.options.logger.info({ account, ageMin: Math.round((this.now() - since) / 60_000) }, 'the ERP session reached its maximum age; the next run logs in afresh');
    this.forgetSession(account);
    const slot = instance.accounts.get(account);
    if (!slot) return;
    instance.accounts.delete(account);
    await slot.context.close().catch((err: unknown) => this.options.logger.warn({ err, account }, 'could not close the aged session\'s browser context'));
  }

  /** True when the leased browser still answers a CDP call within `timeoutMs`. */
  async responsive(lease: BrowserLease, timeoutMs: number): Promise<boolean> {
    const instance = this.leases.get(lease);
    if (!instance || instance.gone.signal.aborted) return false;
    try {
      await withDeadline('check the browser', timeoutMs, undefined, () => instance.browser.version());
      return true;
    } catch {
      return false;
    }
  }

  /** Kills the leased browser's process group (a hang); the next run launches a new one. */
  async kill(lease: BrowserLease, reason: string): Promise<void> {
    const instance = this.leases.get(lease);
    if (!instance || instance.retiring) return;
    instance.retiring = true;
    if (this.current === instance) this.current = null;
    this.options.logger.warn({ pid: instance.pid, reason }, 'killing Chromium');
    instance.gone.abort(new Error(`Chromium killed: ${reason}`));
    await this.cleanUp(instance);
  }

  /** Closes the browser (killing it if it does not close in time) and refuses new leases. */
  async close(): Promise<void> {
    this.closed = true;
    const launching = this.launching;
    if (launching) await launching.catch(() => undefined);
    if (this.current) await this.retire(this.current, 'source closed');
  }

  private instanceOf(lease: BrowserLease): Instance {
    const instance = this.leases.get(lease);
    if (!instance || instance.gone.signal.aborted) throw new SourceError('erp-unreachable', 'Chromium went away during the run');
    return instance;
  }

  private launch(): Promise<Instance> {
    this.launching ??= this.start().finally(() => {
      this.launching = null;
    });
    return this.launching;
  }

  private async start(): Promise<Instance> {
    await this.sweepStaleProfiles();
    const profileDir = join(this.options.workDir, `profile-${randomUUID()}`);
    await mkdir(profileDir, { recursive: true });
    const { logger } = this.options;
    let browser: Browser | undefined;
    // Kills a launch abandoned at its deadline even before puppeteer hands back the browser.
    const abandon = new AbortController();
    try {
      browser = await withDeadline('start Chromium', this.options.launchTimeoutMs, undefined, () =>
        puppeteer.launch({
          executablePath: this.options.executablePath,
          ignoreDefaultArgs: true,
          args: [...CHROMIUM_ARGS, ...(this.options.extraArgs ?? []), `--user-data-dir=${profileDir}`, 'about:blank'],
          // A pipe instead of a port: nothing else can attach, and Chromium exits when this process dies.
          pipe: true,
          // Shutdown is the application's business (close-with-grace), not puppeteer's process.exit().
          handleSIGINT: false,
          handleSIGTERM: false,
          handleSIGHUP: false,
          timeout: this.options.launchTimeoutMs,
          protocolTimeout: this.options.protocolTimeoutMs,
          defaultViewport: { width: 1280, height: 900 },
          signal: abandon.signal,
        }),
      );
      const pid = browser.process()?.pid;
      if (pid === undefined) throw new Error('Chromium started without a process id');
      const cdp = await withDeadline('attach to Chromium', this.options.launchTimeoutMs, undefined, () => browser!.target().createCDPSession());
      const instance: Instance = {
        generation: ++this.generation,
        browser,
        pid,
        profileDir,
        cdp,
        accounts: new Map(),
        runs: 0,
        launchedAt: this.now(),
        gone: new AbortController(),
        retiring: false,
        exited: exitOf(browser),
      };
      browser.once('disconnected', () => {
        if (instance.retiring) return;
        logger.warn({ pid }, 'Chromium exited unexpectedly; it will be relaunched at the next run');
        instance.retiring = true;
        if (this.current === instance) this.current = null;
        instance.gone.abort(new Error('Chromium exited unexpectedly'));
        void this.cleanUp(instance);
      });
      this.launches++;
      this.current = instance;
      logger.info({ pid, generation: instance.generation }, 'Chromium started');
      return instance;
    } catch (err) {
      abandon.abort();
      const pid = browser?.process()?.pid;
      if (pid !== undefined) killProcessGroup(pid);
      killProcessesWith(profileDir);
      await rm(profileDir, { recursive: true, force: true, maxRetries: 3 });
      throw new SourceError('erp-unreachable', `could not start Chromium (${this.options.executablePath}): ${(err as Error).message}`);
    }
  }

  /** Closes a browser gracefully, killing it when that takes longer than `closeTimeoutMs`. */
  private async retire(instance: Instance, reason: string): Promise<void> {
    if (instance.retiring) return;
    instance.retiring = true;
    if (this.current === instance) this.current = null;
    this.options.logger.info({ pid: instance.pid, reason }, 'closing Chromium');
    try {
      await withDeadline('save sessions', this.options.closeTimeoutMs, undefined, async () => {
        for (const [account, slot] of instance.accounts) this.cookies.set(account, (await slot.context.cookies()).map(cookieData));
      });
    } catch (err) {
      this.options.logger.warn({ err }, 'could not save the ERP sessions before closing Chromium; the next runs log in again');
    }
    instance.gone.abort(new Error(`Chromium closed: ${reason}`));
    try {
      await withDeadline('close Chromium', this.options.closeTimeoutMs, undefined, () => instance.browser.close());
    } catch (err) {
      this.options.logger.warn({ pid: instance.pid, err }, 'Chromium did not close in time; killing it');
    }
    await this.cleanUp(instance);
  }

  /**
   * Kills what is left of a browser: its process group, then anything else that still carries its
   * profile (a process that left the group), and removes the profile.
   */
  private async cleanUp(instance: Instance): Promise<void> {
    killProcessGroup(instance.pid);
    await Promise.race([instance.exited, new Promise((r) => setTimeout(r, this.options.closeTimeoutMs).unref())]);
    // Processes of the group may take a moment to die after SIGKILL; only those still there afterwards left the group.
    if (!(await noneLeft(instance.profileDir, STRAY_GRACE_MS))) {
      const strays = killProcessesWith(instance.profileDir);
      this.options.logger.warn({ pid: instance.pid, strays }, 'killed Chromium processes that had left the process group');
    }
    instance.browser.disconnect().catch(() => undefined);
    await rm(instance.profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }

  /** Profiles of an earlier process of this service that died without cleaning up (and their processes). */
  private async sweepStaleProfiles(): Promise<void> {
    if (this.sweptStale) return;
    this.sweptStale = true;
    let names: string[];
    try {
      names = await readdir(this.options.workDir);
    } catch {
      return;
    }
    for (const name of names.filter((n) => n.startsWith('profile-'))) {
      const dir = join(this.options.workDir, name);
      const killed = killProcessesWith(dir);
      this.options.logger.warn({ dir, killed }, 'removing a Chromium profile left by an earlier run');
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    }
  }
}

/** Polls until no process carries `marker`; false when some still do after `ms`. */
async function noneLeft(marker: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (processesWith(marker).length === 0) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Resolves when the browser's process has exited (immediately when there is none). */
function exitOf(browser: Browser): Promise<void> {
  const child = browser.process();
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A cookie as `setCookie` takes it back. */
function cookieData(cookie: Cookie): CookieData {
  return {
    name: cookie.name,
    value: cookie.value,
    domain: cookie.domain,
    path: cookie.path,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    ...(cookie.sameSite ? { sameSite: cookie.sameSite } : {}),
    ...(cookie.expires > 0 ? { expires: cookie.expires } : {}),
  };
}
