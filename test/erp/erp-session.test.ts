/**
 * The session steps when a step is stopped half-way. The browser is replaced by a stand-in page here
 * because the case is about our promise handling, not about Chromium: a navigation wait started before
 * the click that triggers it must not become an unhandled rejection when the click never finishes and
 * the run is aborted (the real-browser path is covered by browser-source.e2e.test.ts).
 */
import type { Page } from 'puppeteer-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseFilter, logIn, type StepTimeouts } from '../../src/erp/erp-session.js';

const TIMEOUTS: StepTimeouts = { launch: 5_000, navigation: 5_000, login: 5_000, step: 5_000, downloadBegin: 5_000, download: 5_000, close: 5_000 };
const never = (): Promise<never> => new Promise<never>(() => undefined);

/** A page on the login form whose clicks and selects never finish; navigation waits reject on abort, like puppeteer's. */
function stuckPage(): Page {
  const waitForNavigation = (options: { signal?: AbortSignal }): Promise<never> =>
    new Promise<never>((_, reject) => options.signal?.addEventListener('abort', () => reject(new Error('LifecycleWatcher terminated')), { once: true }));
  const fake = {
    url: () => 'http://erp.test/Archibald/Login.aspx',
    waitForFunction: async () => undefined,
    locator: () => ({ setTimeout: () => ({ fill: async () => undefined }) }),
    waitForNavigation,
    $: async () => ({}),
    click: never,
    select: never,
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

  it('logIn rejects with AbortError and leaves no unhandled rejection behind when aborted during the click', async () => {
    const controller = new AbortController();
    const pending = logIn(stuckPage(), { erpUrl: 'http://erp.test/Archibald/', user: 'agent1', password: 'x' }, TIMEOUTS, controller.signal);
    setTimeout(() => controller.abort(), 20);
    const err = await pending.catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('chooseFilter rejects with AbortError and leaves no unhandled rejection behind when aborted during the select', async () => {
    const controller = new AbortController();
    const combo = { selector: '#filter', current: { value: 'month', text: 'Questo mese' }, all: { value: 'all', text: 'Tutti' } };
    const pending = chooseFilter(stuckPage(), combo as never, 'all', TIMEOUTS, controller.signal);
    setTimeout(() => controller.abort(), 20);
    const err = await pending.catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    await settle();
    expect(unhandled).toEqual([]);
  });
});
