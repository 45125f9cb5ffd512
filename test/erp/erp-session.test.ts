/**
 * The session steps when a step is stopped half-way. The browser is replaced by a stand-in page here
 * because the case is about our promise handling, not about Chromium: a navigation wait started before
 * the click that triggers it must not become an unhandled rejection when the click never finishes and
 * the run is aborted (the real-browser path is covered by browser-source.e2e.test.ts).
 */
import type { Page } from 'puppeteer-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logIn, setByListClick, type StepTimeouts } from '../../src/erp/erp-session.js';
import { PRESS_LOG_ON } from '../../src/erp/page-scripts.js';

const TIMEOUTS: StepTimeouts = { launch: 5_000, navigation: 5_000, login: 5_000, step: 5_000, downloadBegin: 5_000, download: 5_000, close: 5_000 };
const never = (): Promise<never> => new Promise<never>(() => undefined);

/**
 * A page on the login form where the page is ready and the editors fill, but pressing "Accedi" and
 * opening a drop-down never finish (a hung renderer).
 */
function stuckPage(): Page {
  const fake = {
    url: () => 'http://erp.test/Archibald/Login.aspx',
    evaluate: (script: string) => (script === PRESS_LOG_ON || script.includes('ShowDropDown') ? never() : Promise.resolve(true)),
    keyboard: { press: async () => undefined },
    mainFrame: () => null,
    on: () => undefined,
    off: () => undefined,
  };
  return fake as unknown as Page;
}

describe('session steps stopped half-way', () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', record);
  });
  afterEach(() => {
    process.off('unhandledRejection', record);
  });

  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

  it('logIn rejects with AbortError and leaves no unhandled rejection behind when aborted while pressing "Accedi"', async () => {
    const controller = new AbortController();
    const pending = logIn({ page: stuckPage(), timeouts: TIMEOUTS, signal: controller.signal }, { erpUrl: 'http://erp.test/Archibald/', user: 'agent1', password: 'x' });
    setTimeout(() => controller.abort(), 20);
    const err = await pending.catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('setByListClick rejects with AbortError and leaves no unhandled rejection behind when aborted while the drop-down opens', async () => {
    const controller = new AbortController();
    const combo = { id: 'Vertical_mainMenu_Menu_ITCNT4_xaf_a0_Cb', value: 'xaf_xaf_a0ThisMonth', text: 'Questo mese', hidden: false, items: [{ index: 0, text: 'Tutti', value: 'xaf_xaf_a0All' }] };
    const pending = setByListClick({ page: stuckPage(), timeouts: TIMEOUTS, signal: controller.signal }, combo, 'xaf_xaf_a0All', 'set the ddt filter to all');
    setTimeout(() => controller.abort(), 20);
    const err = await pending.catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    await settle();
    expect(unhandled).toEqual([]);
  });
});
