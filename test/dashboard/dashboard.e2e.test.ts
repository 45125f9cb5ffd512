import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { generateDataset } from '../../src/simulator/dataset.js';
import { renderExportToFile } from '../../src/simulator/render-export.js';
import { chromiumForTests } from '../support/chromium.js';

/**
 * The dashboard end to end: the real app over the REAL runtime (directory export source, temp
 * DATA_DIR) in headless Chromium, on a desktop (1440 px) and on a phone (390 px). The orders export is a
 * generated one of 2,000 orders (about 540 pages) so that its run lasts a few seconds and its progress
 * can be watched; the other five are the committed fixtures. Screenshots go to `screenshots/`
 * (gitignored; the README's come from there).
 *
 * Chromium has no network but this service: requests elsewhere are aborted and recorded (and no host name
 * resolves), and the suite ends by checking that the page asked for nothing else — the inspector included.
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOTS = join(REPO, 'screenshots');
const FIXTURE_EXPORTS = join(REPO, 'fixtures', 'exports');
const TOKEN = 'dashboard-e2e-token-0123456789';
const MINUTE = 60_000;
const ORDERS = 2_000;

const { chromium: CHROMIUM, skipReason } = chromiumForTests('dashboard e2e tests');

/** The 2,000-order export, rendered once per machine (about 3 s) and reused from the temp folder. */
async function largeOrdersExport(): Promise<string> {
  const cache = join(tmpdir(), 'sync-orchestrator-e2e');
  const file = join(cache, `orders-${ORDERS}-e2e-v1.pdf`);
  if (!existsSync(file)) {
    mkdirSync(cache, { recursive: true });
    const dataset = generateDataset({ seed: 'dashboard-e2e', customers: 120, products: 10, prices: 10, orders: ORDERS });
    const partial = `${file}.${process.pid}.part`;
    await renderExportToFile(partial, 'orders', dataset.orders.slice(0, ORDERS));
    copyFileSync(partial, file);
    rmSync(partial, { force: true });
  }
  return file;
}

/** The two screens the dashboard is checked on. */
const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1440, height: 1100 } },
  { name: 'phone', viewport: { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 1 } },
] as const;

describe.skipIf(CHROMIUM === null).each(VIEWPORTS)(`dashboard in headless Chromium on a $name (${CHROMIUM ?? `skipped: ${skipReason}`})`, ({ name, viewport }) => {
  const temp = mkdtempSync(join(tmpdir(), 'dashboard-e2e-'));
  const pageErrors: string[] = [];
  /** Requests the page made to anything but this service (each was aborted). */
  const elsewhere: string[] = [];
  let runtime: Runtime;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    const exportDir = join(temp, 'exports');
    mkdirSync(exportDir);
    for (const name of readdirSync(FIXTURE_EXPORTS).filter((n) => n.endsWith('.pdf') && n !== 'orders.pdf')) copyFileSync(join(FIXTURE_EXPORTS, name), join(exportDir, name));
    copyFileSync(await largeOrdersExport(), join(exportDir, 'orders.pdf'));

    const config = loadConfig({ DATA_DIR: join(temp, 'data'), ERP_EXPORT_DIR: exportDir, API_TOKEN: TOKEN, LOG_LEVEL: 'silent' });
    // The catalogue's stagger, with orders moved from +0 to +10 min so that nothing starts on its own
    // during the test: the only run is the one the test clicks.
    runtime = createRuntime({ config, schedules: { orders: { offsetMs: 10 * MINUTE } } });
    app = await buildApp({ orchestrator: runtime.orchestrator, config });
    url = await app.listen({ host: '127.0.0.1', port: 0 });

    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await puppeteer.launch({
      executablePath: CHROMIUM!,
      userDataDir: join(temp, 'chromium-profile'),
      args: [
        '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        // No network but loopback: a host name that is not 127.0.0.1 does not resolve.
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    });
    page = await browser.newPage();
    await page.setViewport(viewport);
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (request.url().startsWith(`${url}/`) || request.url().startsWith('data:')) return void request.continue();
      elsewhere.push(request.url());
      void request.abort('internetdisconnected');
    });
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    cdp.on('Network.webSocketCreated', ({ url: socket }) => {
      if (!socket.startsWith(url.replace(/^http/, 'ws'))) elsewhere.push(socket);
    });
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      // Chromium logs every 4xx answer as a console error; the one 400 this test provokes on purpose is
      // asserted through the page instead.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await runtime?.close();
    rmSync(temp, { recursive: true, force: true });
  });

  const shot = (file: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}-${file}`), fullPage: true });
  const text = (selector: string) => page.$eval(selector, (el) => el.textContent ?? '');
  const activeState = (region: string) => page.$$eval(`#statechart [data-region="${region}"] .node.active`, (nodes) => nodes.map((n) => (n as HTMLElement).dataset.state));

  it('asks for the token once, then connects to the stream', async () => {
    await page.goto(url);
    await page.waitForSelector('#token-dialog[open]');
    await page.type('#token-dialog input[name=token]', TOKEN);
    await clickLive(page, '#token-dialog button[type=submit]');
    await page.waitForSelector('#connection[data-state=live]');
    expect(await page.evaluate(() => localStorage.getItem('sync-orchestrator.token'))).toBe(TOKEN);

    await page.reload();
    await page.waitForSelector('#connection[data-state=live]');
    expect(await page.$('#token-dialog[open]')).toBeNull();
  });

  it('renders the live statechart, every target and the staggered schedule timeline', async () => {
    await page.waitForSelector('#statechart [data-region=dispatch] .node.active');
    expect(await activeState('dispatch')).toEqual(['idle']);
    expect(await activeState('clock')).toEqual(['waiting']);
    expect(await activeState('erp')).toEqual(['closed']);
    const rows = await page.$$eval('#targets tbody tr', (trs) => trs.map((tr) => [(tr as HTMLElement).dataset.target, (tr as HTMLElement).dataset.state]));
    expect(rows).toEqual(
      expect.arrayContaining(['orders', 'customers', 'products', 'prices', 'ddt', 'invoices'].map((service) => [`${service}@default`, 'idle'])),
    );
    // Next due times at +10 (orders), +15 (customers), +30 (products) and +45 min (prices): the stagger.
    const next = await page.$$eval('#timeline .lane', (lanes) =>
      lanes
        .map((lane) => [(lane as HTMLElement).dataset.target, parseFloat((lane.querySelector('.marker.next') as HTMLElement | null)?.style.left ?? 'NaN')] as const)
        .filter(([, left]) => !Number.isNaN(left))
        .sort((a, b) => a[1] - b[1])
        .map(([target]) => target),
    );
    expect(next).toEqual(['orders@default', 'customers@default', 'products@default', 'prices@default']);
    await page.waitForSelector('#health .check');
    await shot('dashboard-idle.png');
  });

  it('shows a clicked "Sync now" running live: target state, root state, phase and a moving progress bar', async () => {
    await clickLive(page, 'tr[data-target="orders@default"] button[data-action=sync]');
    await page.waitForFunction(() => document.querySelector('tr[data-target="orders@default"]')?.getAttribute('data-state')?.startsWith('running.'));
    await page.waitForSelector('#statechart [data-region=dispatch] .node.active[data-state=running]');

    const bar = '#running .run[data-target="orders@default"] .progress-bar';
    const percent = () => page.$eval(bar, (el) => Number(el.getAttribute('aria-valuenow')));
    await page.waitForFunction((selector) => Number(document.querySelector(selector)?.getAttribute('aria-valuenow')) >= 20, { timeout: 30_000 }, bar);
    const first = await percent();
    expect(first).toBeLessThan(100);
    expect(await text('#running .run[data-target="orders@default"] .badge-phase')).toMatch(/^(parsing|applying)$/);
    await shot('dashboard-running.png');
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-dashboard-screen.png`) });
    await page.waitForFunction((selector, seen) => Number(document.querySelector(selector)?.getAttribute('aria-valuenow') ?? 100) !== seen, { timeout: 30_000 }, bar, first);
  });

  it('shows the finished run in the ledger with its row counts and phase durations, and the chained runs', async () => {
    const orders = '#runs tbody tr:has(.badge-completed)';
    await page.waitForFunction(
      () => Array.from(document.querySelectorAll('#runs tbody tr')).some((tr) => tr.textContent?.includes('orders@default') && tr.querySelector('.badge-completed')),
      { timeout: 60_000 },
    );
    await page.waitForSelector('#statechart [data-region=dispatch] .node.active[data-state=idle]', { timeout: 60_000 });
    const row = await page.$$eval(orders, (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim())).find((cells) => cells[0] === 'orders@default'));
    expect(row?.slice(0, 3)).toEqual(['orders@default', 'manual', 'completed']);
    expect(row?.[5]).toBe(ORDERS.toLocaleString('en-US'));
    expect(row?.[9]).toMatch(/d .* · p .* · a .* · f /);
    // The chained runs of ddt and invoices (orders inserted rows), and nothing left running on the page.
    await page.waitForFunction(
      () =>
        ['ddt@default', 'invoices@default'].every((t) => Array.from(document.querySelectorAll('#runs tbody tr')).some((tr) => tr.textContent?.includes(t) && tr.querySelector('.badge-completed'))) &&
        document.querySelector('#running-count')?.textContent === '0',
      { timeout: 60_000 },
    );
    expect(await text('#events')).toContain('sync.completed');
    await shot('dashboard-completed.png');
  });

  it("shows the API's message inline when a schedule change is invalid, and applies a valid one", async () => {
    await page.select('#schedule-form select[name=service]', 'orders');
    await page.type('#schedule-form input[name=intervalMinutes]', '2');
    await clickLive(page, '#schedule-form button[type=submit]');
    await page.waitForSelector('#schedule-error:not([hidden])');
    expect(await text('#schedule-error')).toContain('body/intervalMinutes must be >= 5');

    await page.$eval('#schedule-form input[name=intervalMinutes]', (input) => ((input as HTMLInputElement).value = '90'));
    await clickLive(page, '#schedule-form button[type=submit]');
    await page.waitForSelector('#schedule-ok:not([hidden])');
    await page.waitForFunction(() => document.querySelector('#schedules tr[data-service=orders]')?.textContent?.includes('90 min'));
    expect(await page.$eval('#schedule-error', (el) => (el as HTMLElement).hidden)).toBe(true);
  });

  it('takes and releases a priority lease, and pauses and resumes every sync', async () => {
    await page.type('#lease-form input[name=reason]', 'new order for Rossi');
    await clickLive(page, '#lease-form button[type=submit]');
    await page.waitForSelector('#leases .hold[data-status=active]');
    expect(await text('#leases')).toContain('new order for Rossi');
    await clickLive(page, '#leases .hold button[data-action=release]');
    await page.waitForFunction(() => document.querySelector('#leases .hold') === null);

    await page.type('#pause-form input[name=reason]', 'ERP maintenance');
    await clickLive(page, '#pause-form button[type=submit]');
    await page.waitForSelector('#pause .hold-pause');
    expect(await text('#pause')).toContain('ERP maintenance');
    await clickLive(page, '#resume');
    await page.waitForFunction(() => document.querySelector('#pause .hold-pause') === null);
  });

  it('fits the screen: no horizontal scroll, and every control can be scrolled to and hit', async () => {
    // Against the screen's width, not `innerWidth`: a mobile browser zooms a page that is too wide out to
    // fit it, and `innerWidth` then grows with the page.
    const screenWidth = viewport.width;
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(screenWidth);
    const unreachable = await page.evaluate((screenWidth: number) => {
      const controls = Array.from(document.querySelectorAll<HTMLElement>('button, input, select, summary, a[href]')).filter((el) => el.getClientRects().length > 0);
      const missed: string[] = [];
      for (const el of controls) {
        el.scrollIntoView({ block: 'center', inline: 'center' });
        const box = el.getBoundingClientRect();
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        const onScreen = box.width > 0 && box.left >= 0 && box.right <= screenWidth;
        if (!onScreen || hit === null || !(el === hit || el.contains(hit))) missed.push(`${el.tagName.toLowerCase()}#${el.id}[${el.getAttribute('name') ?? el.textContent?.trim().slice(0, 20)}]`);
      }
      window.scrollTo(0, 0);
      return { count: controls.length, missed };
    }, screenWidth);
    expect(unreachable.missed).toEqual([]);
    // The top bar's two buttons, the forms, a "Sync now" per target and the inspector's controls.
    expect(unreachable.count).toBeGreaterThan(20);
  });

  it("inspects the root and a target offline: their states with the active ones highlighted, and the steps of the sync with what decided them", async () => {
    const activeIn = () => page.$$eval('#inspector-chart .istate-atomic.active', (nodes) => nodes.map((n) => (n as HTMLElement).dataset.path));
    const rows = () =>
      page.$$eval('#inspector-log tbody tr[data-seq]', (trs) => trs.map((tr) => ({ event: (tr as HTMLElement).dataset.event, text: tr.textContent ?? '' })));
    await page.waitForSelector('#inspector-chart [data-path="dispatch.paused.draining"]');
    expect(await activeIn()).toEqual(['dispatch.idle', 'clock.waiting', 'erp.closed']);
    // The root's steps of the clicked sync, logged live while the page watched.
    const root = await rows();
    expect(root.find((r) => r.event === 'sync.request')?.text).toMatch(/dispatch\.idle → dispatch\.running.*canStartWork/);
    expect(root.find((r) => r.event === 'target.completed' && r.text.includes('orders@default'))?.text).toMatch(/changedChainParent.*chained/);

    await page.select('#inspector-actor', 'target:orders@default');
    await page.waitForSelector('#inspector-chart [data-path="running.applying"]');
    expect(await activeIn()).toEqual(['idle']);
    const orders = await rows();
    expect(orders.map((r) => r.event)).toEqual(['run.completed', 'run.progress', 'run.progress', 'run.progress', 'target.start']);
    expect(orders[3]?.text).toMatch(/running\.downloading → running\.parsing.*reportsPhase\(parsing\)/);

    // A step clicked shows the machine as it was then; "Back to live" returns to now.
    await clickLive(page, '#inspector-log tbody tr[data-event="target.start"]');
    await page.waitForSelector('#inspector-meta[data-mode=paused]');
    expect(await activeIn()).toEqual(['running.downloading']);
    await clickLive(page, '#inspector-pause');
    await page.waitForSelector('#inspector-meta[data-mode=live]');
    expect(await activeIn()).toEqual(['idle']);
    await page.$eval('#inspector-card', (card) => card.scrollIntoView());
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-inspector.png`), clip: await cardBox(page, '#inspector-card') });
  });

  it("replays a machine's steps from the stream's history into a page that was not watching", async () => {
    await page.reload();
    await page.waitForSelector('#connection[data-state=live]');
    await page.waitForSelector('#inspector-actor option[value="target:orders@default"]');
    await page.select('#inspector-actor', 'target:orders@default');
    expect(await page.$$('#inspector-log tbody tr[data-seq]')).toHaveLength(0);
    await clickLive(page, '#inspector-replay');
    await page.waitForFunction(() => document.querySelectorAll('#inspector-log tbody tr[data-seq]').length === 5, { timeout: 10_000 });
    // It steps through them oldest first and stops, paused, at the last.
    await page.waitForFunction(() => document.querySelector('#inspector-note')?.textContent?.startsWith('replayed 5 step(s)'), { timeout: 10_000 });
    expect(await page.$eval('#inspector-log tr.selected', (tr) => (tr as HTMLElement).dataset.event)).toBe('run.completed');
    await clickLive(page, '#inspector-pause');
  });

  // After the inspector's tests, which read the log of the one clicked orders sync.
  it('"Force all" runs the chained services too although orders reports no changes', async () => {
    const completedDdt = () =>
      page.$$eval('#runs tbody tr', (trs) => trs.filter((tr) => tr.textContent?.includes('ddt@default') && tr.querySelector('.badge-completed')).length);
    const before = await completedDdt();
    expect(before).toBeGreaterThanOrEqual(1);
    await clickLive(page, '#sync-all-force');
    await page.waitForFunction(
      (seen) => Array.from(document.querySelectorAll('#runs tbody tr')).filter((tr) => tr.textContent?.includes('ddt@default') && tr.querySelector('.badge-completed')).length > seen,
      { timeout: 90_000 },
      before,
    );
    await page.waitForSelector('#statechart [data-region=dispatch] .node.active[data-state=idle]', { timeout: 90_000 });
  });

  it('renders the API docs at /docs under their own CSP', async () => {
    await page.goto(`${url}/docs`);
    await page.waitForFunction(() => document.querySelectorAll('.swagger-ui .opblock').length >= 15, { timeout: 30_000 });
    expect(await page.$$eval('.swagger-ui .opblock-summary-path', (paths) => paths.map((p) => p.textContent?.replace(/\u200b/g, '')))).toContain('/api/sync/stream');
  });

  it('asked for nothing but this service', () => {
    expect(elsewhere).toEqual([]);
  });

  it('raised no error in the page', () => {
    expect(pageErrors.join('\n')).toBe('');
  });
});

/** The page-coordinates box of a card, for a screenshot of it alone. */
async function cardBox(page: Page, selector: string): Promise<{ x: number; y: number; width: number; height: number }> {
  return page.$eval(selector, (el) => {
    const box = el.getBoundingClientRect();
    return { x: box.left + window.scrollX, y: box.top + window.scrollY, width: box.width, height: box.height };
  });
}

/**
 * Clicks what matches `selector` now, inside the page: the dashboard re-renders its lists on every
 * event, so an element handle taken a moment earlier (as `page.click` does) may already be detached.
 */
async function clickLive(page: Page, selector: string): Promise<void> {
  await page.waitForFunction(
    (s: string) => {
      const el = document.querySelector<HTMLElement>(s);
      if (!el) return false;
      el.click();
      return true;
    },
    {},
    selector,
  );
}
