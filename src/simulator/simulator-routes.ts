/**
 * The simulated ERP's page routes (ERP-UI §1–6): the login page and its callback, the list views, their
 * callbacks (`__CALLBACKID` / `__CALLBACKPARAM`, answered `{size}|/*DX*\/({'result':…})` as text/plain)
 * and the export post-back answered with the PDF as an attachment.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { exportTable } from '../exports/registry.js';
import type { ExportRecord } from '../parsers/types.js';
import { defaultVariant } from './layouts.js';
import { renderExport } from './render-export.js';
import { SIMULATED_LISTS, filterByCode, type SimulatedList, type UiLanguage } from './simulator-lists.js';
import { OBJECTS_NOT_LOADED, comboValue, gridHtml, homePage, listViewPage, loginPage, serverErrorPage } from './simulator-pages.js';
import { SESSION_COOKIE, sessionIdOf } from './simulator-sessions.js';
import { GRID_FILTER_EXPRESSION, currentFilter, prefixIndex, rememberFilter, type SimulatorState } from './simulator-state.js';

/** Page and callback delays. */
export interface PageTiming {
  loadingMs: number;
  callbackMs: number;
}

/** Share of an export sent before the stalled-download fault stops sending. */
const STALL_AT = 0.5;
/** Share of an export kept by the truncated-PDF fault (the fixture renderer's `truncate` cuts here too). */
const TRUNCATE_AT = 0.6;
/** A saved grid filter lets one product in this many through. */
const GRID_FILTER_KEEPS_ONE_IN = 10;

type Body = Record<string, string> | undefined;

/** The UI language: English when the server is set so, else by the browser's first `Accept-Language`. */
export function languageOf(state: SimulatorState, request: FastifyRequest): UiLanguage {
  if (state.faults.on('englishUi')) return 'en';
  return /^\s*it\b/i.test(String(request.headers['accept-language'] ?? '')) ? 'it' : 'en';
}

/** A DevExpress callback answer. */
function callbackReply(reply: FastifyReply, result: unknown, status = 200): FastifyReply {
  const json = JSON.stringify({ result });
  return reply.code(status).type('text/plain; charset=utf-8').send(`${json.length}|/*DX*/(${json})`);
}

/** Where the ERP sends a user without a session (ASP.NET forms authentication). */
function loginRedirect(reply: FastifyReply, returnUrl: string): FastifyReply {
  return reply.redirect(`/Login.aspx?ReturnUrl=${encodeURIComponent(returnUrl)}`, 302);
}

function sessionAccount(state: SimulatorState, request: FastifyRequest): string | null {
  return state.sessions.touch(sessionIdOf(request.headers.cookie));
}

/** Only a path on this server: an open redirect would let a link send a user anywhere after login. */
function safeReturnUrl(value: unknown): string | null {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : null;
}

const html = (reply: FastifyReply, body: string, status = 200): FastifyReply => reply.code(status).type('text/html; charset=utf-8').send(body);

/** The login page, its callback and the home page. */
export function registerLoginRoutes(app: FastifyInstance, state: SimulatorState, timing: PageTiming): void {
  app.get('/', async (request, reply) => reply.redirect(sessionAccount(state, request) ? '/Default.aspx' : '/Login.aspx', 302));

  app.get('/Default.aspx', async (request, reply) => {
    const account = sessionAccount(state, request);
    if (!account) return loginRedirect(reply, '/Default.aspx');
    return html(reply, homePage(account, Object.values(SIMULATED_LISTS), languageOf(state, request)));
  });

  app.get<{ Querystring: { ReturnUrl?: string } }>('/Login.aspx', async (request, reply) =>
    html(reply, loginPage({ returnUrl: safeReturnUrl(request.query.ReturnUrl), lang: languageOf(state, request), editorIndex: state.editorIndex, ...timing })),
  );

  // "Accedi" raises an XAF callback; an accepted login answers with the ReturnUrl the page then opens.
  app.post<{ Querystring: { ReturnUrl?: string }; Body: Body }>('/Login.aspx', async (request, reply) => {
    const fields = new URLSearchParams(request.body?.__CALLBACKPARAM ?? '');
    const user = String(fields.get('UserName') ?? '').trim();
    const password = String(fields.get('Password') ?? '');
    const expected = state.accounts.get(user);
    const italian = languageOf(state, request) === 'it';
    let error: string | null = null;
    if (expected === undefined || expected !== password) error = italian ? 'Nome utente o password non validi.' : 'Invalid user name or password.';
    else if (state.faults.take('refuseLogin')) error = italian ? 'Accesso negato: account temporaneamente bloccato.' : 'Access denied: the account is temporarily locked.';
    if (error) {
      state.sessions.refused(user);
      return callbackReply(reply, { error });
    }
    const id = state.sessions.open(user);
    reply.header('set-cookie', `${SESSION_COOKIE}=${id}; path=/; HttpOnly; SameSite=Lax`);
    return callbackReply(reply, { redirect: safeReturnUrl(request.query.ReturnUrl) ?? '/Default.aspx' });
  });

  app.get('/Logout.aspx', async (request, reply) => {
    state.sessions.close(sessionIdOf(request.headers.cookie));
    return reply.redirect('/Login.aspx', 302);
  });
}

/** A session's grid client object name: `Vertical_v{N}_{id}_LE_v{N}`, different in every session (ERP-UI §5). */
export function gridNameOf(sessionId: string): string {
  const digest = createHash('sha256').update(sessionId).digest();
  const n = (digest[0]! % 9) + 1;
  return `Vertical_v${n}_${digest.readUInt32BE(1) % 100_000}_LE_v${n}`;
}

/** One list view's routes. */
export function registerListRoutes(app: FastifyInstance, state: SimulatorState, list: SimulatedList, timing: PageTiming): void {
  const path = `/${list.path}/`;
  app.get(`/${list.path}`, async (_request, reply) => reply.redirect(path, 301));

  app.get(path, async (request, reply) => {
    const account = sessionAccount(state, request);
    if (!account) return loginRedirect(reply, path);
    if (state.faults.take('http500')) return html(reply, serverErrorPage(), 500);
    const session = sessionIdOf(request.headers.cookie)!;
    const key = `${session}|${list.service}`;
    // The quirk shows on a session's first load of the list only (ERP-UI §4).
    const first = !state.loaded.has(key);
    state.loaded.add(key);
    if (first && list.emptyCellsQuirk && state.faults.take('emptyCells')) state.emptyCells.add(key);
    const banner = state.banners.delete(key) ? OBJECTS_NOT_LOADED : null;
    const filter = currentFilter(state, account, list);
    const lang = languageOf(state, request);
    const selected = new Map(list.combos.map((c) => [c.itcnt, c.dataFilter ? filter?.code ?? '' : c.filters[0]!.code] as const));
    return html(reply, listViewPage({
      list,
      account,
      lang,
      prefixIndex: prefixIndex(state),
      selected,
      records: exportedRecords(state, list, account, session),
      emptyCells: state.emptyCells.has(key),
      gridFilter: list.gridFilter && state.gridFilters.has(account) ? GRID_FILTER_EXPRESSION : '',
      gridName: gridNameOf(session),
      narrow: state.faults.on('narrowLayout'),
      strayPopup: state.faults.take('strayPopup'),
      setValueNavigates: state.faults.on('setValueNavigates'),
      setValueIgnored: state.faults.on('setValueIgnored'),
      banner,
      ...timing,
    }));
  });

  // Callbacks and the ASP.NET post-back (`__EVENTTARGET` names the control, `__EVENTARGUMENT` the command).
  app.post<{ Body: Body }>(path, async (request, reply) => {
    const account = sessionAccount(state, request);
    if (!account) return loginRedirect(reply, path);
    if (state.faults.take('http500')) return html(reply, serverErrorPage(), 500);
    const session = sessionIdOf(request.headers.cookie)!;
    const body = request.body ?? {};
    if (body.__CALLBACKID) return listCallback(state, list, account, session, body.__CALLBACKID, body.__CALLBACKPARAM ?? '', languageOf(state, request), reply);
    if (body.__EVENTARGUMENT === 'Export:PDF') return sendExport(state, list, account, session, languageOf(state, request), request, reply);
    return reply.redirect(path, 302);
  });
}

/** A list's callbacks: a combo's value, the grid's `ClearFilter`, the export check before the post-back. */
function listCallback(state: SimulatorState, list: SimulatedList, account: string, session: string, id: string, param: string, lang: UiLanguage, reply: FastifyReply): FastifyReply {
  const key = `${session}|${list.service}`;
  const grid = (): string => gridHtml(exportedRecords(state, list, account, session), lang, state.emptyCells.has(key));
  const combo = /_ITCNT(\d+)_xaf_a(\d+)_Cb$/.exec(id);
  if (combo) {
    const target = list.combos.find((c) => c.itcnt === Number(combo[1]));
    const prefix = comboValue('', prefixIndex(state));
    const value = param.startsWith('value:') ? param.slice('value:'.length) : '';
    const filter = target && Number(combo[2]) === prefixIndex(state) && value.startsWith(prefix) ? filterByCode(target, value.slice(prefix.length)) : undefined;
    if (!target || !filter) return callbackReply(reply, { error: `unknown value ${value} for ${id}` }, 400);
    if (target.dataFilter) {
      if (currentFilter(state, account, list)?.code !== filter.code) state.emptyCells.delete(key);
      rememberFilter(state, account, list.service, filter);
    }
    return callbackReply(reply, { value: comboValue(filter.code, prefixIndex(state)), grid: grid() });
  }
  if (id === gridNameOf(session) && param === 'ClearFilter') {
    state.gridFilters.delete(account);
    return callbackReply(reply, { grid: grid() });
  }
  if (id === 'Vertical_mainMenu_Menu' && param === 'Export') {
    if (state.faults.take('exportClickIgnored')) return callbackReply(reply, { outcome: 'ignore' });
    if (state.faults.take('objectsBanner')) return callbackReply(reply, { outcome: 'banner', message: OBJECTS_NOT_LOADED });
    if (state.faults.take('objectsNavigation')) {
      state.banners.add(key);
      return callbackReply(reply, { outcome: 'navigate' });
    }
    return callbackReply(reply, { outcome: 'ok' });
  }
  return callbackReply(reply, { error: `unknown callback ${id}` }, 400);
}

/**
 * The records a list's export holds for this user now: the remembered filter's, limited by a saved
 * grid filter, with every cell but the key empty while the grid shows the first-load quirk.
 */
function exportedRecords(state: SimulatorState, list: SimulatedList, account: string, session: string): ExportRecord[] {
  let records = state.data.visible(list.service, account, currentFilter(state, account, list));
  if (list.gridFilter && state.gridFilters.has(account)) records = records.filter((_, i) => i % GRID_FILTER_KEEPS_ONE_IN === 0);
  if (state.emptyCells.has(`${session}|${list.service}`)) {
    const key = new Set(exportTable(list.service).key);
    records = records.map((r) => Object.fromEntries(Object.entries(r).map(([field, value]) => [field, key.has(field) || field === 'extra' ? value : null])) as ExportRecord);
  }
  return records;
}

async function sendExport(state: SimulatorState, list: SimulatedList, account: string, session: string, lang: UiLanguage, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const variant = state.faults.layoutOf(list.service) ?? defaultVariant(list.service);
  const limited = (list.gridFilter && state.gridFilters.has(account)) || state.emptyCells.has(`${session}|${list.service}`);
  const pdf = limited
    ? await renderExport(list.service, exportedRecords(state, list, account, session), { variant })
    : await state.data.render({ service: list.service, account, variant, filter: currentFilter(state, account, list) });
  const target = `${list.service}@${account}`;
  state.downloads.set(target, (state.downloads.get(target) ?? 0) + 1);
  reply
    .type('application/pdf')
    .header('content-disposition', `attachment; filename="${list.caption[lang]}.pdf"`)
    .header('cache-control', 'private');
  if (state.faults.take('truncatePdf')) return reply.send(pdf.subarray(0, Math.floor(pdf.length * TRUNCATE_AT)));
  if (state.faults.take('stallDownload')) {
    // Announce the whole length, send half, then nothing: the client sees a download that stops moving.
    const body = new Readable({ read() {} });
    body.push(pdf.subarray(0, Math.floor(pdf.length * STALL_AT)));
    request.raw.once('close', () => body.destroy());
    reply.raw.once('close', () => body.destroy());
    return reply.header('content-length', String(pdf.length)).send(body);
  }
  return reply.send(pdf);
}
