/**
 * The steps of an ERP session on one browser tab: log in, open a list view and wait for its loading
 * panel, read and set the list's filter, click the export menu item. Every step has a deadline and
 * honours the run's signal. The steps find what they need by role and text, never by the ERP's element
 * ids, which change between ERP restarts (DESIGN §6).
 */
import type { HTTPResponse, Page } from 'puppeteer-core';
import { awaitedLater, withDeadline } from './deadline.js';
import { SourceError } from './export-source.js';
import { EXPORT_MENU_TEXTS, isLoginPage, loginUrl } from './list-views.js';
import { LOADING_DONE, LOGIN_ERROR_TEXT, MARK_LOGIN_FORM, findFilterScript, markMenuItemScript } from './page-scripts.js';

/** Deadlines of the browser steps, ms. */
export interface StepTimeouts {
  /** Starting Chromium. */
  launch: number;
  /** One page load (a list view, a filter post-back, the login form). */
  navigation: number;
  /** Submitting the login form until the next page has loaded. */
  login: number;
  /** A small step: open a tab, wait for the loading panel, find the export item, click it. */
  step: number;
  /** From the export click until the browser reports the download. */
  downloadBegin: number;
  /** The whole download (the stall watchdog usually fires long before). */
  download: number;
  /** Closing a tab or the browser; longer means hung, and the browser is killed. */
  close: number;
}

/** How a navigation ended when the ERP may ask for a login instead. */
export type Arrival = 'ready' | 'login-required';

/** A list's filter combo as found on the page. */
export interface FilterCombo {
  /** Selector of the marked combo. */
  selector: string;
  /** Hidden value and text selected now. */
  current: { value: string; text: string };
  /** The "all" option. */
  all: { value: string; text: string };
}

/** The ERP refused a login (wrong password, locked account); its own message included. */
export class LoginRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoginRefusedError';
  }
}

/** Fails the run on an HTTP error answer; the ERP's 5xx are transient more often than not. */
function checkStatus(response: HTTPResponse | null, what: string): void {
  const status = response?.status() ?? 0;
  if (status >= 400) throw new SourceError('erp-unreachable', `the ERP answered HTTP ${status} ${response?.statusText() ?? ''} to ${what} (${response?.url() ?? ''})`.replace(/ {2,}/g, ' '));
}

/** Waits until the page has loaded and no loading panel covers it. */
export async function waitUntilReady(page: Page, what: string, timeouts: StepTimeouts, signal?: AbortSignal): Promise<void> {
  await withDeadline(`wait for ${what} to finish loading`, timeouts.step, signal, (s) =>
    page.waitForFunction(LOADING_DONE, { timeout: 0, polling: 50, signal: s }),
  );
}

/** Opens a URL of the ERP; `login-required` when the ERP redirected to its login page. */
export async function openPage(page: Page, url: string, what: string, timeouts: StepTimeouts, signal?: AbortSignal): Promise<Arrival> {
  const response = await withDeadline(`open ${what}`, timeouts.navigation, signal, (s) => page.goto(url, { waitUntil: 'load', timeout: 0, signal: s }));
  if (isLoginPage(page.url())) return 'login-required';
  checkStatus(response, what);
  await waitUntilReady(page, what, timeouts, signal);
  return 'ready';
}

/**
 * Logs in on the ERP's login form (navigating to it unless the page is already there). Rejects with a
 * `LoginRefusedError` carrying the ERP's message when the form comes back.
 */
export async function logIn(page: Page, credentials: { erpUrl: string; user: string; password: string }, timeouts: StepTimeouts, signal?: AbortSignal): Promise<void> {
  if (!isLoginPage(page.url())) {
    const response = await withDeadline('open the login page', timeouts.navigation, signal, (s) => page.goto(loginUrl(credentials.erpUrl), { waitUntil: 'load', timeout: 0, signal: s }));
    checkStatus(response, 'the login page');
  }
  await withDeadline('find the user name and password fields of the login form', timeouts.step, signal, (s) =>
    page.waitForFunction(MARK_LOGIN_FORM, { timeout: 0, polling: 50, signal: s }),
  );
  const response = await withDeadline(`log in as ${credentials.user}`, timeouts.login, signal, async (s) => {
    await page.locator('[data-sync-login="user"]').setTimeout(timeouts.step).fill(credentials.user, { signal: s });
    await page.locator('[data-sync-login="password"]').setTimeout(timeouts.step).fill(credentials.password, { signal: s });
    const navigation = awaitedLater(page.waitForNavigation({ waitUntil: 'load', timeout: 0, signal: s }));
    const hasButton = (await page.$('[data-sync-login="submit"]')) !== null;
    if (hasButton) await page.click('[data-sync-login="submit"]');
    else await page.focus('[data-sync-login="password"]').then(() => page.keyboard.press('Enter'));
    return navigation;
  });
  // Accepted logins answer with a redirect; a refused one returns the form itself. A redirect that
  // lands on the login page again is a session lost at once, which the caller reports as expired.
  const accepted = (response?.request().redirectChain().length ?? 0) > 0;
  if (isLoginPage(page.url()) && !accepted) {
    const message = await page
      .evaluate(LOGIN_ERROR_TEXT)
      .then((text) => String(text ?? ''))
      .catch(() => '');
    throw new LoginRefusedError(message || 'the login form came back without a message');
  }
  if (!isLoginPage(page.url())) checkStatus(response, 'the login');
}

/**
 * The list's filter combo: the `<select>` that offers a value containing `allSubstring`. Null when the
 * page has none (the caller decides: a list that should have a filter and has none cannot be exported
 * completely).
 */
export async function findFilter(page: Page, allSubstring: string, timeouts: StepTimeouts, signal?: AbortSignal): Promise<FilterCombo | null> {
  return withDeadline('read the list filter', timeouts.step, signal, () =>
    page.evaluate(findFilterScript(allSubstring)).then((combo) => combo as FilterCombo | null),
  );
}

/** Selects a filter value; the ERP posts back and reloads the list. */
export async function chooseFilter(page: Page, combo: FilterCombo, value: string, timeouts: StepTimeouts, signal?: AbortSignal): Promise<Arrival> {
  const response = await withDeadline('set the list filter', timeouts.navigation, signal, async (s) => {
    const navigation = awaitedLater(page.waitForNavigation({ waitUntil: 'load', timeout: 0, signal: s }));
    await page.select(combo.selector, value);
    return navigation;
  });
  if (isLoginPage(page.url())) return 'login-required';
  checkStatus(response, 'the filter change');
  await waitUntilReady(page, 'the filtered list', timeouts, signal);
  return 'ready';
}

/**
 * Clicks the main menu's export item, found by its text (`Esporta in PDF` / `Export to PDF`). Throws
 * `export-invalid` when the menu has no such item: retrying would not make one appear.
 */
export async function clickExport(page: Page, timeouts: StepTimeouts, signal?: AbortSignal): Promise<void> {
  await withDeadline('click the export menu item', timeouts.step, signal, async () => {
    const found = (await page.evaluate(markMenuItemScript(EXPORT_MENU_TEXTS))) === true;
    if (!found) throw new SourceError('export-invalid', `the list's menu has no ${EXPORT_MENU_TEXTS.map((t) => `"${t}"`).join(' or ')} item`);
    await page.click('[data-sync-export="1"]');
  });
}

/** The id of the page's main frame, as CDP download events name it. */
export async function mainFrameId(page: Page, timeouts: StepTimeouts, signal?: AbortSignal): Promise<string> {
  return withDeadline('identify the tab', timeouts.step, signal, async () => {
    const session = await page.createCDPSession();
    try {
      const { frameTree } = await session.send('Page.getFrameTree');
      return frameTree.frame.id;
    } finally {
      await session.detach().catch(() => undefined);
    }
  });
}
