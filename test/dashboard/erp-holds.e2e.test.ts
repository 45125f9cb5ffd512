import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localMinuteOf } from '../../machines/local-time.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { SourceError, type DownloadedExport, type ExportSource } from '../../src/erp/export-source.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { chromiumForTests } from '../support/chromium.js';

/**
 * The dashboard shows the ERP window and an account held for its login budget: the real app over the real
 * runtime in headless Chromium, with an export source (the port) whose logins are used up.
 */

const FIXTURE_EXPORTS = fileURLToPath(new URL('../../fixtures/exports/', import.meta.url));
const TOKEN = 'dashboard-holds-token-0123456789';
const { chromium: CHROMIUM, skipReason } = chromiumForTests('dashboard ERP hold tests');

/** A window of `HH:MM-HH:MM` in Rome starting `from` minutes from now and lasting `length` minutes. */
function windowFromNow(from: number, length: number): string {
  const now = localMinuteOf(Date.now(), 'Europe/Rome');
  const hhmm = (m: number): string => {
    const minute = (((now + m) % 1440) + 1440) % 1440;
    return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
  };
  return `${hhmm(from)}-${hhmm(from + length)}`;
}

/** Every login of every account is refused by the daily budget. */
class BudgetUsedUp implements ExportSource {
  readonly kind = 'budget used up';
  download(): Promise<DownloadedExport> {
    return Promise.reject(new SourceError('login-budget-exhausted', 'login budget of ERP account "default" is used up: 15 logins today'));
  }
  async close(): Promise<void> {}
}

describe.skipIf(CHROMIUM === null)(`dashboard: ERP window and login-budget holds (${CHROMIUM ?? `skipped: ${skipReason}`})`, () => {
  const temp = mkdtempSync(join(tmpdir(), 'dashboard-holds-'));
  const services: Array<{ runtime: Runtime; app: FastifyInstance }> = [];
  let browser: Browser;

  async function serve(name: string, erpHours: string, source?: ExportSource): Promise<{ url: string; runtime: Runtime }> {
    const config = loadConfig({ DATA_DIR: join(temp, name), ERP_EXPORT_DIR: FIXTURE_EXPORTS, API_TOKEN: TOKEN, LOG_LEVEL: 'silent', ERP_HOURS: erpHours });
    const runtime = createRuntime({ config, ...(source ? { source } : {}), schedules: Object.fromEntries(['orders', 'customers', 'products', 'prices'].map((s) => [s, { enabled: false }])) });
    const app = await buildApp({ orchestrator: runtime.orchestrator, config });
    services.push({ runtime, app });
    return { url: await app.listen({ host: '127.0.0.1', port: 0 }), runtime };
  }

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage();
    await page.evaluateOnNewDocument((token) => localStorage.setItem('sync-orchestrator.token', token), TOKEN);
    await page.goto(url);
    await page.waitForSelector('#connection[data-state=live]');
    return page;
  }

  beforeAll(async () => {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM!,
      userDataDir: join(temp, 'chromium-profile'),
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    for (const { app, runtime } of services) {
      await app.close();
      await runtime.close();
    }
    rmSync(temp, { recursive: true, force: true });
  });

  it('shows the window closed with its opening time', async () => {
    const hours = windowFromNow(120, 60);
    const { url } = await serve('closed', hours);
    const page = await open(url);
    const line = await page.waitForSelector('#health [data-check="erp-hours"]');
    const text = await line!.evaluate((el) => el.textContent ?? '');
    expect(text).toContain(`ERP hours ${hours} Europe/Rome`);
    expect(text).toMatch(/closed.*starts held, opens /);
    await page.close();
  });

  it('shows the window open and the account held for its login budget once a run hits it', async () => {
    const { url, runtime } = await serve('held', windowFromNow(-60, 180), new BudgetUsedUp());
    const page = await open(url);
    runtime.orchestrator.request('orders');
    const held = await page.waitForSelector('#health [data-check="account-default"]');
    expect(await held!.evaluate((el) => el.textContent ?? '')).toMatch(/held.*default: login budget used up.*no run starts before /);
    expect(await page.$eval('#health [data-check="erp-hours"]', (el) => el.textContent ?? '')).toMatch(/open.*closes /);
    expect(runtime.orchestrator.status().breaker.state).toBe('closed');
    await page.close();
  });
});
