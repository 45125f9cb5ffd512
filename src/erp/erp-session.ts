/**
 * The steps of an ERP session on one browser tab, as the real DevExpress pages demand (ERP-UI.md): log
 * in through the DevExpress editors and the "Accedi" menu item, open a list view and wait for the page's
 * busy signals to clear, read and set a filter combo through its client object, find and press the
 * export item (through the overflow when hidden). Every step has a deadline, honours the run's signal,
 * and names itself in its failure. A redirect to `Login.aspx` after any navigation throws
 * `LoginRequired`, which the source answers with one fresh login.
 */
import type { HTTPResponse, Page } from 'puppeteer-core';
import { StepTimeoutError, isAbortError, withDeadline } from './deadline.js';
import { SourceError } from './export-source.js';
import { isLoginPage, loginUrl } from './list-views.js';
import {
  CLEAR_GRID_FILTER, HIDE_STRAY_POPUPS, LOGIN_ERROR_TEXT, PAGE_READY, PRESS_LOG_ON, fillLoginScript, pressByIdScript,
  readComboScript, setComboValueScript, showDropDownScript, type ComboReading,
} from './page-scripts.js';

/** Deadlines of the browser steps, ms. */
export interface StepTimeouts {
  /** Starting Chromium. */
  launch: number;
  /** One page load (a list view, the login page). */
  navigation: number;
  /** From pressing "Accedi" until the page has left `Login.aspx`. */
  login: number;
  /** A small step: open a tab, wait for the page to settle, set a filter, find the export item. */
  step: number;
  /** From the export request until the browser reports the download. */
  downloadBegin: number;
  /** The whole download (the stall watchdog usually fires long before). */
  download: number;
  /** Closing a tab or the browser; longer means hung, and the browser is killed. */
  close: number;
}

/** The wide window the toolbar's overflow is computed for at load (ERP-UI §3): set before navigating. */
export const VIEWPORT = { width: 1440, height: 900 } as const;
/** The UI language the source reads (ERP-UI §1): Italian first, as the ERP's users see it. */
export const ACCEPT_LANGUAGE = 'it-IT,it;q=0.9,en;q=0.5';
/** Polling period of the ready and outcome checks. */
const POLL_MS = 50;
/** A drop-down renders its items on the client at once; one that stays empty this long lists nothing. */
const DROP_DOWN_MS = 2_000;
/** Consecutive ready polls before a page counts as settled: a callback may start right after a load. */
const READY_POLLS = 3;

/** The ERP asked for a login: the session expired (or never existed in this context). */
export class LoginRequired extends Error {
  constructor(readonly url: string) {
    super(`the ERP redirected to its login page (${url})`);
    this.name = 'LoginRequired';
  }
}

/** The ERP refused a login (wrong password, locked account); its own message included. */
export class LoginRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoginRefusedError';
  }
}

/** A step's context: the tab, the deadlines and the run's signal. */
export interface StepContext {
  page: Page;
  timeouts: StepTimeouts;
  signal: AbortSignal | undefined;
}

/** Waits `ms`, or less when `signal` aborts (the caller then sees the abort). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs a step and names it in any failure that does not name itself: a `SourceError` keeps its class,
 * anything unexpected becomes `erp-unreachable` (the browser or the page misbehaved). Deadlines, aborts
 * and `LoginRequired` pass through unchanged.
 */
export async function inStep<T>(step: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof StepTimeoutError || err instanceof LoginRequired || err instanceof LoginRefusedError || isAbortError(err)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (message.startsWith(`${step}:`)) throw err;
    if (err instanceof SourceError) throw new SourceError(err.class, `${step}: ${message}`);
    if (/net::ERR_/.test(message)) throw new SourceError('erp-unreachable', `${step}: the ERP is not reachable: ${message}`);
    throw new SourceError('erp-unreachable', `${step}: ${message}`);
  }
}

/** Throws `LoginRequired` when the tab is on the login page. */
export function checkSession(page: Page): void {
  if (isLoginPage(page.url())) throw new LoginRequired(page.url());
}

/** Fails the step on an HTTP error answer: 500/502/503 mean the ERP is unreachable (ERP-UI §6). */
function checkStatus(response: HTTPResponse | null, what: string): void {
  const status = response?.status() ?? 0;
  if (status >= 400) throw new SourceError('erp-unreachable', `the ERP answered HTTP ${status} ${response?.statusText() ?? ''} to ${what} (${response?.url() ?? ''})`.replace(/ {2,}/g, ' '));
}

/** Evaluates a page script; a navigation that destroys the page's context in between reads as `null`. */
async function evaluate<T>(page: Page, script: string): Promise<T | null> {
  try {
    return (await page.evaluate(script)) as T;
  } catch (err) {
    if (/context was destroyed|Cannot find context|detached|navigat/i.test((err as Error).message)) return null;
    throw err;
  }
}

/**
 * Waits until the page is ready (ERP-UI §1) for a few polls in a row, through navigations the page
 * starts itself; then checks the session.
 */
export async function settle(ctx: StepContext, what: string): Promise<void> {
  await withDeadline(`wait for ${what} to settle`, ctx.timeouts.step, ctx.signal, async (s) => {
    let ready = 0;
    while (ready < READY_POLLS) {
      if (s.aborted) return;
      ready = (await evaluate<boolean>(ctx.page, PAGE_READY)) === true ? ready + 1 : 0;
      if (ready < READY_POLLS) await sleep(POLL_MS, s);
    }
  });
  checkSession(ctx.page);
}

/** Sets the wide viewport and the Italian UI on a tab, before it navigates (ERP-UI §1, §3). */
export async function prepareTab(ctx: StepContext): Promise<void> {
  await inStep('prepare the tab', () =>
    withDeadline('prepare the tab', ctx.timeouts.step, ctx.signal, async () => {
      await ctx.page.setViewport(VIEWPORT);
      await ctx.page.setExtraHTTPHeaders({ 'Accept-Language': ACCEPT_LANGUAGE });
    }),
  );
}

/** Hides stray popups through their client objects (clicking their hidden cancel buttons posts back). */
export async function hideStrayPopups(ctx: StepContext): Promise<string[]> {
  return inStep('close stray popups', () =>
    withDeadline('close stray popups', ctx.timeouts.step, ctx.signal, async () => (await evaluate<string[]>(ctx.page, HIDE_STRAY_POPUPS)) ?? []),
  );
}

/** Opens a page of the ERP and waits for it to settle; throws `LoginRequired` on a redirect to the login page. */
export async function openPage(ctx: StepContext, url: string, what: string): Promise<void> {
  await inStep(`open ${what}`, async () => {
    const response = await withDeadline(`open ${what}`, ctx.timeouts.navigation, ctx.signal, (s) => ctx.page.goto(url, { waitUntil: 'load', timeout: 0, signal: s }));
    checkSession(ctx.page);
    checkStatus(response, what);
    await settle(ctx, what);
    await hideStrayPopups(ctx);
  });
}

/**
 * Logs in (ERP-UI §2): the editors filled with the native setter + `input` + `change`, then Tab; then
 * "Accedi" pressed; then the URL must leave `Login.aspx` — a navigation wait could miss a redirect that
 * ends before it is registered. A refused login stays on `Login.aspx` with `#Logon_ErrorInfo`: a
 * `LoginRefusedError` with the ERP's message.
 */
export async function logIn(ctx: StepContext, credentials: { erpUrl: string; user: string; password: string }): Promise<void> {
  const { page } = ctx;
  if (!isLoginPage(page.url())) {
    await inStep('open the login page', async () => {
      const response = await withDeadline('open the login page', ctx.timeouts.navigation, ctx.signal, (s) => page.goto(loginUrl(credentials.erpUrl), { waitUntil: 'load', timeout: 0, signal: s }));
      checkStatus(response, 'the login page');
    });
  }
  const step = `log in as ${credentials.user}`;
  await inStep(step, async () => {
    await withDeadline(`wait for the login page to settle`, ctx.timeouts.step, ctx.signal, async (s) => {
      while (!s.aborted && (await evaluate<boolean>(page, PAGE_READY)) !== true) await sleep(POLL_MS, s);
    });
    // An accepted login whose session is lost at once redirects back to a fresh login page: that page
    // load ends the wait too, and the next navigation reports the session as expired.
    let reloaded = false;
    const onNavigated = (frame: unknown): void => void (frame === page.mainFrame() && (reloaded = true));
    page.on('framenavigated', onNavigated);
    try {
      await pressLogOn(ctx, credentials, step, () => reloaded);
    } finally {
      page.off('framenavigated', onNavigated);
    }
  });
}

/** Fills the login editors, presses "Accedi" and waits for the URL to leave `Login.aspx` (or a bounce back to it). */
async function pressLogOn(ctx: StepContext, credentials: { user: string; password: string }, step: string, reloaded: () => boolean): Promise<void> {
  const { page } = ctx;
  await withDeadline('fill the login form and press "Accedi"', ctx.timeouts.step, ctx.signal, async () => {
    if ((await page.evaluate(fillLoginScript(credentials.user, credentials.password))) !== true) {
      throw new SourceError('erp-unreachable', `the login page has no DevExpress user name and password editors (${page.url()})`);
    }
    await page.keyboard.press('Tab');
    if ((await page.evaluate(PRESS_LOG_ON)) !== true) throw new SourceError('erp-unreachable', `the login page has no "Accedi" item (li#Logon_PopupActions_Menu_DXI0_)`);
  });
  await withDeadline(step, ctx.timeouts.login, ctx.signal, async (s) => {
    while (!s.aborted && isLoginPage(page.url())) {
      const refusal = await evaluate<string>(page, LOGIN_ERROR_TEXT);
      if (refusal) throw new LoginRefusedError(refusal);
      if (reloaded() && (await evaluate<boolean>(page, PAGE_READY)) === true) return;
      await sleep(POLL_MS, s);
    }
  });
}

/** Reads a filter combo through its client object; null when the page has none at that template index. */
export async function readCombo(ctx: StepContext, itcnt: number, step: string): Promise<ComboReading | null> {
  return inStep(step, () => withDeadline(step, ctx.timeouts.step, ctx.signal, () => evaluate<ComboReading>(ctx.page, readComboScript(itcnt))));
}

/** Sets a combo's value through `SetValue`; the page may navigate (orders). */
export async function setByClientApi(ctx: StepContext, combo: ComboReading, value: string, step: string): Promise<void> {
  await inStep(step, async () => {
    await withDeadline(step, ctx.timeouts.step, ctx.signal, () => evaluate(ctx.page, setComboValueScript(combo.id, value)));
  });
}

/**
 * Sets a combo's value the way DDT and invoices accept: `ShowDropDown()`, then a real press on the list
 * item `…_Cb_DDD_L_LBI{i}T0`. In the overflow the drop-down lists nothing: that is a step failure.
 */
export async function setByListClick(ctx: StepContext, combo: ComboReading, value: string, step: string): Promise<void> {
  await inStep(step, async () => {
    const item = combo.items.find((i) => i.value === value);
    if (!item) throw new SourceError('export-invalid', `the filter offers no value ${value}`);
    const itemId = `${combo.id}_DDD_L_LBI${item.index}T0`;
    await withDeadline(step, ctx.timeouts.step, ctx.signal, async (s) => {
      await evaluate(ctx.page, showDropDownScript(combo.id));
      const shownBy = performance.now() + DROP_DOWN_MS;
      while (!s.aborted && (await evaluate<boolean>(ctx.page, pressByIdScript(itemId))) !== true) {
        if (combo.hidden || performance.now() > shownBy) {
          throw new SourceError('export-invalid', `the filter's drop-down lists no items (a combo in the toolbar's "Show hidden items" overflow does not; is the window narrow?)`);
        }
        await sleep(POLL_MS, s);
      }
    });
  });
}

/** Clears the grid filter saved in the user's profile and waits for the grid's callback. */
export async function clearGridFilter(ctx: StepContext): Promise<'cleared' | 'none'> {
  return inStep('clear the grid filter', async () => {
    const outcome = await withDeadline('clear the grid filter', ctx.timeouts.step, ctx.signal, () => evaluate<string>(ctx.page, CLEAR_GRID_FILTER));
    if (outcome === 'missing' || outcome === null) throw new SourceError('export-invalid', 'no grid object with ClearFilter() on the page: a saved grid filter could limit the export');
    if (outcome === 'cleared') await settle(ctx, 'the grid after ClearFilter()');
    return outcome as 'cleared' | 'none';
  });
}

/** The id of the page's main frame, as CDP download events name it. */
export async function mainFrameId(ctx: StepContext): Promise<string> {
  return withDeadline('identify the tab', ctx.timeouts.step, ctx.signal, async () => {
    const session = await ctx.page.createCDPSession();
    try {
      const { frameTree } = await session.send('Page.getFrameTree');
      return frameTree.frame.id;
    } finally {
      await session.detach().catch(() => undefined);
    }
  });
}
