import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { EXPORT_TYPES } from '../../src/exports/registry.js';
import { REALISTIC_EXPORT_LATENCY } from '../../src/simulator/export-latency.js';
import { buildErpSimulator, startErpSimulator, type ErpSimulatorOptions } from '../../src/simulator/erp-simulator.js';
import type { DatasetReport, FaultsReport, SimulatorStateReport } from '../../src/simulator/simulator-admin.js';
import { SIMULATED_LISTS } from '../../src/simulator/simulator-lists.js';

const ACCOUNTS = [
  { name: 'agent1', password: 'pw1' },
  { name: 'agent2', password: 'pw2' },
];
const SMALL = { customers: 20, orders: 40, products: 30, prices: 40 };

let apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.map((a) => a.close()));
  apps = [];
});

function simulator(options: ErpSimulatorOptions = {}): FastifyInstance {
  const app = buildErpSimulator({ accounts: ACCOUNTS, size: SMALL, loadingDelayMs: 0, ...options });
  apps.push(app);
  return app;
}

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

const ITALIAN = { 'accept-language': 'it-IT,it;q=0.9' };

/** "Accedi" raises the XAF callback with the editors' values. */
async function login(app: FastifyInstance, name = 'agent1', password = 'pw1', returnUrl = '/SALESTABLE_ListView_Agent/'): Promise<LightMyRequestResponse> {
  const param = new URLSearchParams({ UserName: name, Password: password }).toString();
  return app.inject({ method: 'POST', url: `/Login.aspx?ReturnUrl=${encodeURIComponent(returnUrl)}`, ...form({ __CALLBACKID: 'Logon', __CALLBACKPARAM: param }), headers: { ...form({}).headers, ...ITALIAN } });
}

/** The `result` of a DevExpress callback answer `{size}|/*DX*\/({…})`. */
function callbackResult(res: LightMyRequestResponse): Record<string, unknown> {
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  const at = res.body.indexOf('/*DX*/(');
  expect(at, res.body).toBeGreaterThan(0);
  expect(Number(res.body.slice(0, res.body.indexOf('|')))).toBe(res.body.length - at - 8);
  return JSON.parse(res.body.slice(at + 7, -1)).result as Record<string, unknown>;
}

/** Logs in and returns the session cookie header. */
async function session(app: FastifyInstance, name = 'agent1', password = 'pw1'): Promise<string> {
  const res = await login(app, name, password);
  expect(callbackResult(res).redirect).toBeDefined();
  const cookie = String(res.headers['set-cookie']).split(';')[0]!;
  expect(cookie).toMatch(/^ASP\.NET_SessionId=/);
  return cookie;
}

const state = async (app: FastifyInstance): Promise<SimulatorStateReport> => (await app.inject('/__admin/state')).json();
const faults = async (app: FastifyInstance, body: object): Promise<LightMyRequestResponse> => app.inject({ method: 'POST', url: '/__admin/faults', payload: body });
const dataset = async (app: FastifyInstance, service: string, account: string, filter = 'all'): Promise<DatasetReport> =>
  (await app.inject(`/__admin/dataset?service=${service}&account=${account}&filter=${filter}`)).json();

async function exportPdf(app: FastifyInstance, cookie: string, path = '/SALESTABLE_ListView_Agent/', language = ITALIAN): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: path, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...language }, payload: '__EVENTTARGET=Vertical%24mainMenu%24Menu&__EVENTARGUMENT=Export%3APDF' });
}

/** A list callback, as the page's client objects raise them. */
async function listCallback(app: FastifyInstance, cookie: string, path: string, id: string, param: string): Promise<LightMyRequestResponse> {
  const payload = new URLSearchParams({ __CALLBACKID: id, __CALLBACKPARAM: param }).toString();
  return app.inject({ method: 'POST', url: path, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...ITALIAN }, payload });
}

/** The orders filter combo's callback setting a value. */
const setOrdersFilter = (app: FastifyInstance, cookie: string, code: string, m = 0): Promise<LightMyRequestResponse> =>
  listCallback(app, cookie, '/SALESTABLE_ListView_Agent/', `Vertical_mainMenu_Menu_ITCNT8_xaf_a${m}_Cb`, `value:xaf_xaf_a${m}${code}`);

const page = (app: FastifyInstance, cookie: string, path: string, language: Record<string, string> = ITALIAN): Promise<LightMyRequestResponse> =>
  app.inject({ url: path, headers: { cookie, ...language } });

describe('login and sessions', () => {
  it('serves the DevExpress login page: text boxes read on change, "Accedi" as a menu item, no submit button', async () => {
    const res = await simulator().inject({ url: '/Login.aspx', headers: ITALIAN });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<input id="Logon_v0_\d_MainLayoutEdit_xaf_l12_xaf_l30_xaf_dviUserName_Edit_I"[^>]*class="dxeEditArea_XafTheme[^"]*" type="text"/);
    expect(res.body).toMatch(/<input id="Logon_v0_\d_MainLayoutEdit_xaf_l12_xaf_l30_xaf_dviPassword_Edit_I"[^>]*type="password"/);
    expect(res.body).toContain('<li id="Logon_PopupActions_Menu_DXI0_" class="dxm-item" title="Accedi"><a id="Logon_PopupActions_Menu_DXI0_T" class="dxm-content dxm-hasText" href="javascript:;">');
    expect(res.body).not.toMatch(/type="submit"|<button/);
  });

  it('sends a visitor without session to Login.aspx with a ReturnUrl', async () => {
    const res = await simulator().inject('/SALESTABLE_ListView_Agent/');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/Login.aspx?ReturnUrl=%2FSALESTABLE_ListView_Agent%2F');
  });

  it('logs in with the right password, sets a session cookie and answers the callback with the ReturnUrl', async () => {
    const app = simulator();
    const res = await login(app);
    expect(res.statusCode).toBe(200);
    expect(callbackResult(res)).toEqual({ redirect: '/SALESTABLE_ListView_Agent/' });
    expect(String(res.headers['set-cookie'])).toMatch(/ASP\.NET_SessionId=[\w-]+; path=\/; HttpOnly/);
    expect((await state(app)).logins).toEqual({ agent1: { succeeded: 1, refused: 0 } });
  });

  it('refuses a wrong password, shows why and counts the refusal', async () => {
    const app = simulator();
    const res = await login(app, 'agent1', 'wrong');
    expect(res.statusCode).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(callbackResult(res)).toEqual({ error: 'Nome utente o password non validi.' });
    expect((await state(app)).logins.agent1).toEqual({ succeeded: 0, refused: 1 });
  });

  it('expires a session after the idle time: the next navigation goes back to Login.aspx', async () => {
    let now = 1_000_000;
    const app = simulator({ sessionIdleMs: 60_000, now: () => now });
    const cookie = await session(app);
    now += 59_000;
    expect((await app.inject({ url: '/SALESTABLE_ListView_Agent/', headers: { cookie } })).statusCode).toBe(200);
    now += 61_000;
    const res = await app.inject({ url: '/CUSTTABLE_ListView_Agent/', headers: { cookie } });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/Login.aspx?ReturnUrl=%2FCUSTTABLE_ListView_Agent%2F');
  });

  it('never redirects after login to another site', async () => {
    const res = await login(simulator(), 'agent1', 'pw1', '//evil.example/');
    expect(callbackResult(res).redirect).toBe('/Default.aspx');
  });
});

describe('list views', () => {
  it.each(Object.values(SIMULATED_LISTS).map((l) => [l.service, l.path, l.exportIndex] as const))('serves %s at /%s/ with the export item at DXI%i, the loading panel and dxfw-wait', async (_service, path, index) => {
    const app = simulator();
    const cookie = await session(app);
    const res = await page(app, cookie, `/${path}/`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<li id="Vertical_mainMenu_Menu_DXI${index}_" class="dxm-item dropDownExport dxm-noSubMenu" title="Esportare in PDF File">`);
    expect(res.body).toContain('<table id="Vertical_LPV" class="dxlpLoadingPanel_XafTheme');
    expect(res.body).toMatch(/<body class="[^"]*dxfw-wait/);
    expect(res.body).not.toContain('<select');
  });

  it('offers the filter values of ERP-UI §4 as xaf_xaf_a{m}<Name>, and none on products', async () => {
    const app = simulator();
    const cookie = await session(app);
    const expected = { customers: 'All_Customers', orders: 'ListViewSalesTableOrdersAll', ddt: 'ListViewPackingSlipsAll', invoices: 'All_invoices', prices: 'ActivePrices' } as const;
    for (const [service, code] of Object.entries(expected)) {
      const body = (await page(app, cookie, `/${SIMULATED_LISTS[service as keyof typeof expected].path}/`)).body;
      expect(body, service).toContain(`value="xaf_xaf_a0${code}"`);
    }
    expect((await page(app, cookie, '/INVENTTABLE_ListView/')).body).not.toContain('_Cb_VI');
  });

  it('speaks English to a browser that does not ask for Italian, and to everyone under englishUi', async () => {
    const app = simulator();
    const cookie = await session(app);
    const english = (await page(app, cookie, '/SALESTABLE_ListView_Agent/', {})).body;
    expect(english).toContain('title="Export to PDF File"');
    expect(english).toContain('value="All Orders "');
    await faults(app, { englishUi: true });
    expect((await page(app, cookie, '/SALESTABLE_ListView_Agent/')).body).toContain('title="Export to PDF File"');
    expect((await exportPdf(app, cookie)).headers['content-disposition']).toBe('attachment; filename="Orders.pdf"');
  });

  it('remembers a filter per user on the server, shared by the user\'s sessions', async () => {
    const app = simulator();
    const one = await session(app, 'agent1', 'pw1');
    const two = await session(app, 'agent2', 'pw2');
    const res = await setOrdersFilter(app, one, 'ListViewSalesTableOrdersThisMonth');
    expect(res.statusCode).toBe(200);
    expect(callbackResult(res).value).toBe('xaf_xaf_a0ListViewSalesTableOrdersThisMonth');
    const filters = (await state(app)).filters;
    expect(filters.agent1?.orders?.text).toBe('Questo mese');
    expect(filters.agent2?.orders?.text).toBe('Tutti gli ordini');
    const again = await session(app, 'agent1', 'pw1');
    expect((await page(app, again, '/SALESTABLE_ListView_Agent/')).body).toMatch(/value="Questo mese"[\s\S]*value="xaf_xaf_a0ListViewSalesTableOrdersThisMonth"/);
    expect((await page(app, two, '/SALESTABLE_ListView_Agent/')).body).toContain('value="xaf_xaf_a0ListViewSalesTableOrdersAll"');
  });

  it('refuses a value with an old prefix after maintenance changed xaf_a0 to xaf_a2', async () => {
    const app = simulator();
    const cookie = await session(app);
    await faults(app, { comboPrefixChanged: true });
    expect((await setOrdersFilter(app, cookie, 'ListViewSalesTableOrdersThisMonth', 0)).statusCode).toBe(400);
    expect((await setOrdersFilter(app, cookie, 'ListViewSalesTableOrdersThisMonth', 2)).statusCode).toBe(200);
    expect((await page(app, cookie, '/SALESTABLE_ListView_Agent/')).body).toContain('id="Vertical_mainMenu_Menu_ITCNT8_xaf_a2_Cb"');
  });

  it('limits the products export by a saved grid filter until the grid object\'s ClearFilter() callback', async () => {
    const app = simulator();
    const cookie = await session(app);
    const full = (await exportPdf(app, cookie, '/INVENTTABLE_ListView/')).rawPayload.length;
    expect(((await faults(app, { savedGridFilter: { account: 'agent1' } })).json() as FaultsReport).savedGridFilters).toBe(1);
    const body = (await page(app, cookie, '/INVENTTABLE_ListView/')).body;
    const grid = /"gridName":"(Vertical_v\d_\d+_LE_v\d)"/.exec(body)?.[1];
    expect(grid).toBeDefined();
    expect((await exportPdf(app, cookie, '/INVENTTABLE_ListView/')).rawPayload.length).toBeLessThan(full);
    expect((await listCallback(app, cookie, '/INVENTTABLE_ListView/', grid!, 'ClearFilter')).statusCode).toBe(200);
    expect((await exportPdf(app, cookie, '/INVENTTABLE_ListView/')).rawPayload.length).toBe(full);
  });
});

describe('exports', () => {
  it('serves the export as a whole PDF attachment named like the ERP names it', async () => {
    const app = simulator();
    const res = await exportPdf(app, await session(app));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('attachment; filename="Ordini.pdf"');
    expect((await exportPdf(app, await session(app), '/CUSTPACKINGSLIPJOUR_ListView/')).headers['content-disposition']).toBe('attachment; filename="Documenti di trasporto.pdf"');
    expect(res.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(res.rawPayload.subarray(-64).toString('latin1')).toContain('%%EOF');
  });

  it('keeps per-agent data apart and shares products and prices', async () => {
    const app = simulator();
    for (const service of EXPORT_TYPES) {
      const one = await dataset(app, service, 'agent1');
      const two = await dataset(app, service, 'agent2');
      expect(one.records.length, service).toBeGreaterThan(0);
      if (service === 'products' || service === 'prices') expect(two.records, service).toEqual(one.records);
      else expect(two.records, service).not.toEqual(one.records);
    }
  });

  it('limits the export to this month when the user left "Questo mese" selected (sticky filter)', async () => {
    const app = simulator();
    const cookie = await session(app);
    const full = await exportPdf(app, cookie);
    const sticky: FaultsReport = (await faults(app, { stickyFilter: { account: 'agent1', service: 'orders' } })).json();
    expect(sticky.stickyFilters).toBe(1);
    const partial = await exportPdf(app, cookie);
    expect(partial.rawPayload.length).toBeLessThan(full.rawPayload.length);
    const all = await dataset(app, 'orders', 'agent1');
    const current = await dataset(app, 'orders', 'agent1', 'current');
    expect(current.filter?.text).toBe('Questo mese');
    expect(current.records.length).toBeGreaterThan(0);
    // Small enough that the completeness guard (70 % of active rows) must catch it.
    expect(current.records.length).toBeLessThan(all.records.length * 0.7);
  });

  it('holds an export for its profile latency divided by the time scale', async () => {
    // 30 s of ERP time at a time scale of 20: 1.5 s. The export timed is the second one, served from the
    // render cache, so that the time measured is the latency and not the PDF's first rendering.
    const profile = { ...REALISTIC_EXPORT_LATENCY, orders: { minSeconds: 30, maxSeconds: 30 } };
    const app = simulator({ exportLatency: { profile, timeScale: 20 } });
    const cookie = await session(app);
    expect((await exportPdf(app, cookie)).statusCode).toBe(200);
    const started = performance.now();
    expect((await exportPdf(app, cookie)).statusCode).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_450);
  });
});

describe('faults', () => {
  it('answers HTTP 500 on list views for the next N requests', async () => {
    const app = simulator();
    const cookie = await session(app);
    await faults(app, { http500: 1 });
    expect((await app.inject({ url: '/SALESTABLE_ListView_Agent/', headers: { cookie } })).statusCode).toBe(500);
    expect((await app.inject({ url: '/SALESTABLE_ListView_Agent/', headers: { cookie } })).statusCode).toBe(200);
  });

  it('refuses logins with the right password while refuseLogin is on', async () => {
    const app = simulator();
    await faults(app, { refuseLogin: true });
    expect(callbackResult(await login(app)).error).toContain('Accesso negato');
    expect(callbackResult(await login(app)).error).toContain('Accesso negato');
    await faults(app, { refuseLogin: false });
    expect(callbackResult(await login(app)).redirect).toBeDefined();
    expect((await state(app)).logins.agent1).toEqual({ succeeded: 1, refused: 2 });
  });

  it('ends every session on expireSessions', async () => {
    const app = simulator();
    const cookie = await session(app);
    const res: FaultsReport = (await faults(app, { expireSessions: true })).json();
    expect(res.expiredSessions).toBe(1);
    expect((await app.inject({ url: '/SALESTABLE_ListView_Agent/', headers: { cookie } })).statusCode).toBe(302);
    // The export post-back of an expired session goes to the login page too, not to a download.
    const post = await exportPdf(app, cookie);
    expect(post.statusCode).toBe(302);
    expect(post.headers.location).toMatch(/^\/Login\.aspx\?ReturnUrl=/);
  });

  it('truncates the next export: no %%EOF', async () => {
    const app = simulator();
    const cookie = await session(app);
    await faults(app, { truncatePdf: 1 });
    const cut = await exportPdf(app, cookie);
    const whole = await exportPdf(app, cookie);
    expect(cut.rawPayload.length).toBe(Math.floor(whole.rawPayload.length * 0.6));
    expect(cut.rawPayload.subarray(-1024).toString('latin1')).not.toContain('%%EOF');
  });

  it('renders a changed column layout and reports it in the ground truth', async () => {
    const app = simulator();
    await faults(app, { layout: { customers: '8p' } });
    expect((await dataset(app, 'customers', 'agent1')).variant).toBe('8p');
    await faults(app, { layout: { customers: null } });
    expect((await dataset(app, 'customers', 'agent1')).variant).toBe('9p');
  });

  it('slows pages down by slowPagesMs', async () => {
    const app = simulator();
    await faults(app, { slowPagesMs: 150 });
    const started = Date.now();
    await app.inject('/Login.aspx');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('refuses an unknown fault name and an unknown layout', async () => {
    const app = simulator();
    expect((await faults(app, { stallDownlod: true })).statusCode).toBe(400);
    expect((await faults(app, { layout: { customers: '4p' } })).statusCode).toBe(400);
    expect((await faults(app, { stickyFilter: { service: 'products' } })).statusCode).toBe(400);
  });

  it('resets every fault', async () => {
    const app = simulator({ faults: { http500: true, slowPagesMs: 5, layout: { products: '5p' }, narrowLayout: true, emptyCells: 2 } });
    const res: FaultsReport = (await faults(app, { reset: true })).json();
    expect(res.faults).toEqual({
      slowPagesMs: 0, http500: false, refuseLogin: false, stallDownload: false, truncatePdf: false,
      exportClickIgnored: false, objectsBanner: false, objectsNavigation: false, emptyCells: false, strayPopup: false,
      setValueNavigates: false, setValueIgnored: false, narrowLayout: false, comboPrefixChanged: false, englishUi: false, layout: {},
    });
  });

  it('stalls a download midway over real HTTP: half the bytes, then nothing', async () => {
    const sim = await startErpSimulator({ accounts: ACCOUNTS, size: SMALL, faults: { stallDownload: 1 } });
    try {
      const cookie = await session(sim.app);
      const received = await new Promise<{ length: number; total: number; ended: boolean }>((resolve, reject) => {
        const req = httpRequest(`${sim.url}/SALESTABLE_ListView_Agent/`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
          let length = 0;
          let ended = false;
          res.on('data', (chunk: Buffer) => (length += chunk.length));
          res.on('end', () => (ended = true));
          setTimeout(() => {
            resolve({ length, total: Number(res.headers['content-length']), ended });
            req.destroy();
          }, 400);
        });
        req.on('error', (err) => (err.message.includes('aborted') || err.message.includes('socket hang up') ? undefined : reject(err)));
        req.end('__EVENTTARGET=Vertical%24mainMenu%24Menu&__EVENTARGUMENT=Export%3APDF');
      });
      expect(received.ended).toBe(false);
      expect(received.length).toBe(Math.floor(received.total * 0.5));
    } finally {
      await sim.close();
    }
  });
});

describe('simulated time', () => {
  it('changes, adds and removes records as hours pass; orders move on', async () => {
    const app = simulator({ mutationPerHour: { changeShare: 0.05, addShare: 0.05, removeShare: 0.02 } });
    const before = await dataset(app, 'orders', 'agent1');
    const res = await app.inject({ method: 'POST', url: '/__admin/advance', payload: { hours: 2 } });
    expect(res.json()).toMatchObject({ version: 2, hoursAdvanced: 2 });
    const after = await dataset(app, 'orders', 'agent1');
    const key = (r: Record<string, unknown>) => String(r.erpId);
    const beforeKeys = new Set(before.records.map(key));
    const afterKeys = new Set(after.records.map(key));
    expect([...afterKeys].some((k) => !beforeKeys.has(k))).toBe(true);
    expect([...beforeKeys].some((k) => !afterKeys.has(k))).toBe(true);
    const changed = after.records.filter((r) => {
      const old = before.records.find((b) => key(b) === key(r));
      return old && JSON.stringify(old) !== JSON.stringify(r);
    });
    expect(changed.length).toBeGreaterThan(0);
    expect((await state(app)).simulatedNow).toBe('2026-01-20T20:30:00');
  });

  it('serves the new data in the next export', async () => {
    const app = simulator();
    const cookie = await session(app);
    const first = await exportPdf(app, cookie, '/CUSTINVOICEJOUR_ListView/');
    await app.inject({ method: 'POST', url: '/__admin/advance', payload: { hours: 5 } });
    const second = await exportPdf(app, cookie, '/CUSTINVOICEJOUR_ListView/');
    expect(second.rawPayload.equals(first.rawPayload)).toBe(false);
  });
});
