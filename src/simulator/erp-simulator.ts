/**
 * A local stand-in of the Archibald ERP's web UI (DESIGN §6): login form and session cookie with idle
 * expiry, the six list views with filter combos and an export menu, PDFs rendered in the real export
 * layout from a seeded dataset that changes over simulated time, and switchable faults. It serves the
 * demo (`npm start` without `ERP_URL`), the browser source's end-to-end tests and the benchmarks.
 *
 * `buildErpSimulator` returns the fastify app without listening (tests use `inject()`);
 * `startErpSimulator` listens and returns its URL.
 */
import { randomInt } from 'node:crypto';
import { Readable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { DEFAULT_VARIANTS } from './layouts.js';
import { registerAdminRoutes, simulatorAdmin, type SimulatorAdmin } from './simulator-admin.js';
import { currentFilter, rememberFilter, type SimulatorState } from './simulator-state.js';
import { DEFAULT_MUTATION_RATES, DEFAULT_SIMULATOR_SIZE, SimulatorData, type MutationRates, type SimulatorDatasetSize } from './simulator-dataset.js';
import { Faults, type FaultSettings } from './simulator-faults.js';
import { SIMULATED_LISTS, filterByValue, type SimulatedList } from './simulator-lists.js';
import { homePage, listViewPage, loginPage, serverErrorPage } from './simulator-pages.js';
import { SESSION_COOKIE, SessionStore, sessionIdOf } from './simulator-sessions.js';

/** An ERP login the simulator accepts. */
export interface SimulatorAccount {
  name: string;
  password: string;
}

/** Two agents and the service account of the default configuration, for the demo and the CLI. */
export const DEFAULT_SIMULATOR_ACCOUNTS: readonly SimulatorAccount[] = [
  { name: 'agent1', password: 'agent1-demo' },
  { name: 'agent2', password: 'agent2-demo' },
  { name: 'default', password: 'default-demo' },
];

/** Options of `buildErpSimulator`. Every field has a default. */
export interface ErpSimulatorOptions {
  /** Accounts that may log in; each has its own customers, orders, DDT and invoices. */
  accounts?: readonly SimulatorAccount[];
  /** Seed of the dataset (same seed → same data). */
  seed?: string | number;
  /** Dataset size per account (customers, orders) and shared (products, prices). */
  size?: Partial<SimulatorDatasetSize>;
  /** Shares of records changed, added and removed per simulated hour. */
  mutationPerHour?: Partial<MutationRates>;
  /** Simulated present at start, `YYYY-MM-DDTHH:mm:ss`. */
  start?: string;
  /** Keeps the dataset in this file across restarts (the demo's `DATA_DIR/simulator-data.json`); default: in memory only. */
  dataFile?: string;
  /**
   * Real milliseconds per simulated hour: the dataset then evolves on its own (the demo). `null`
   * (default): time moves only through `POST /__admin/advance`.
   */
  hourMs?: number | null;
  /** A session unused for this long has expired (default 20 minutes, ASP.NET's default). */
  sessionIdleMs?: number;
  /** How long a list view's loading panel stays up after load (default 150 ms). */
  loadingDelayMs?: number;
  /** Faults in force from the start. */
  faults?: FaultSettings;
  /** Request logger (default none). */
  logger?: FastifyBaseLogger;
  /** Clock for session expiry (tests move it instead of waiting). */
  now?: () => number;
}

/** A listening simulator. */
export interface RunningErpSimulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (the `ERP_URL` for the browser source). */
  url: string;
  /** The admin API as functions, for in-process callers. */
  admin: SimulatorAdmin;
  app: FastifyInstance;
  close(): Promise<void>;
}

const DEFAULT_SESSION_IDLE_MS = 20 * 60_000;
const DEFAULT_LOADING_DELAY_MS = 150;
/** Share of an export sent before the stalled-download fault stops sending. */
const STALL_AT = 0.5;
/** Share of an export kept by the truncated-PDF fault (the fixture renderer's `truncate` cuts here too). */
const TRUNCATE_AT = 0.6;

/** Builds the simulator app (not listening). */
export function buildErpSimulator(options: ErpSimulatorOptions = {}): FastifyInstance {
  const accounts = options.accounts ?? DEFAULT_SIMULATOR_ACCOUNTS;
  const state: SimulatorState = {
    accounts: new Map(accounts.map((a) => [a.name, a.password])),
    data: new SimulatorData({
      seed: options.seed ?? 'erp-simulator',
      accounts: accounts.map((a) => a.name),
      size: { ...DEFAULT_SIMULATOR_SIZE, ...options.size },
      rates: { ...DEFAULT_MUTATION_RATES, ...options.mutationPerHour },
      ...(options.start ? { start: options.start } : {}),
      ...(options.dataFile ? { file: options.dataFile } : {}),
    }),
    faults: new Faults(options.faults),
    sessions: new SessionStore(options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS, options.now ?? Date.now),
    // Chosen per start: a client that stores element ids or hidden values breaks on the next restart.
    tokens: { menuIndex: randomInt(2, 90), filterPrefix: `xaf_xaf_a${randomInt(0, 10)}` },
    filters: new Map(),
    downloads: new Map(),
  };
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // A stalled download never ends its response: close() must not wait for it.
    forceCloseConnections: true,
    // Admin bodies are validated strictly: a misspelt fault must be a 400, not silently dropped, and
    // `1` must stay a count instead of being coerced to `true`.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  }) as unknown as FastifyInstance;

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.decorate('simulator', state);
  app.addHook('onRequest', async (request) => {
    const delay = state.faults.pageDelayMs;
    if (delay > 0 && !request.url.startsWith('/__admin')) await new Promise((r) => setTimeout(r, delay));
  });

  if (options.hourMs) {
    const timer = setInterval(() => state.data.advance(1), options.hourMs);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  registerLoginRoutes(app, state);
  for (const list of Object.values(SIMULATED_LISTS)) registerListRoutes(app, state, list, options.loadingDelayMs ?? DEFAULT_LOADING_DELAY_MS);
  registerAdminRoutes(app, state);
  return app;
}

/** Builds the simulator, listens, and returns its URL and admin API. */
export async function startErpSimulator(options: ErpSimulatorOptions & { port?: number; host?: string } = {}): Promise<RunningErpSimulator> {
  const app = buildErpSimulator(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 0;
  return {
    url: `http://${urlHost(host)}:${port}`,
    admin: simulatorAdmin(simulatorState(app)),
    app,
    close: () => app.close(),
  };
}

/** The host part of a URL for a listening address (a wildcard address is reached via loopback). */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** The state behind a simulator app. */
export function simulatorState(app: FastifyInstance): SimulatorState {
  return (app as unknown as { simulator: SimulatorState }).simulator;
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

function registerLoginRoutes(app: FastifyInstance, state: SimulatorState): void {
  const html = (reply: FastifyReply, body: string, status = 200): FastifyReply => reply.code(status).type('text/html; charset=utf-8').send(body);

  app.get('/', async (request, reply) => reply.redirect(sessionAccount(state, request) ? '/Default.aspx' : '/Login.aspx', 302));

  app.get('/Default.aspx', async (request, reply) => {
    const account = sessionAccount(state, request);
    if (!account) return loginRedirect(reply, '/Default.aspx');
    return html(reply, homePage(account, Object.values(SIMULATED_LISTS)));
  });

  app.get<{ Querystring: { ReturnUrl?: string } }>('/Login.aspx', async (request, reply) => {
    return html(reply, loginPage({ returnUrl: safeReturnUrl(request.query.ReturnUrl), error: null }));
  });

  app.post<{ Querystring: { ReturnUrl?: string }; Body: Record<string, string> | undefined }>('/Login.aspx', async (request, reply) => {
    const returnUrl = safeReturnUrl(request.query.ReturnUrl);
    const user = String(request.body?.UserName ?? '').trim();
    const password = String(request.body?.Password ?? '');
    const expected = state.accounts.get(user);
    let error: string | null = null;
    if (expected === undefined || expected !== password) error = 'Nome utente o password non validi.';
    else if (state.faults.take('refuseLogin')) error = 'Accesso negato: account temporaneamente bloccato.';
    if (error) {
      state.sessions.refused(user);
      return html(reply, loginPage({ returnUrl, error, userName: user }));
    }
    const id = state.sessions.open(user);
    reply.header('set-cookie', `${SESSION_COOKIE}=${id}; path=/; HttpOnly; SameSite=Lax`);
    return reply.redirect(returnUrl ?? '/Default.aspx', 302);
  });

  app.get('/Logout.aspx', async (request, reply) => {
    state.sessions.close(sessionIdOf(request.headers.cookie));
    return reply.redirect('/Login.aspx', 302);
  });
}

function registerListRoutes(app: FastifyInstance, state: SimulatorState, list: SimulatedList, loadingDelayMs: number): void {
  const path = `/${list.path}/`;
  app.get(`/${list.path}`, async (_request, reply) => reply.redirect(path, 301));

  app.get(path, async (request, reply) => {
    const account = sessionAccount(state, request);
    if (!account) return loginRedirect(reply, path);
    if (state.faults.take('http500')) return reply.code(500).type('text/html; charset=utf-8').send(serverErrorPage());
    const filter = currentFilter(state, account, list);
    const records = state.data.visible(list.service, account, filter);
    const filterValue = filter ? state.tokens.filterPrefix + filter.code : null;
    return reply.type('text/html; charset=utf-8').send(listViewPage({ list, account, tokens: state.tokens, filterValue, records, loadingDelayMs }));
  });

  // ASP.NET post-back: `__EVENTTARGET` names the control, `__EVENTARGUMENT` the command or value.
  app.post<{ Body: Record<string, string> | undefined }>(path, async (request, reply) => {
    const account = sessionAccount(state, request);
    if (!account) return loginRedirect(reply, path);
    if (state.faults.take('http500')) return reply.code(500).type('text/html; charset=utf-8').send(serverErrorPage());
    const target = request.body?.__EVENTTARGET ?? '';
    const argument = request.body?.__EVENTARGUMENT ?? '';
    if (target.endsWith('FilterCombo')) {
      const filter = filterByValue(list, state.tokens.filterPrefix, argument);
      if (!filter) return reply.code(400).type('text/plain').send(`unknown filter value ${argument}`);
      rememberFilter(state, account, list.service, filter);
      return reply.redirect(path, 302);
    }
    if (argument === 'Export:PDF') return sendExport(state, list, account, request, reply);
    return reply.redirect(path, 302);
  });
}

async function sendExport(state: SimulatorState, list: SimulatedList, account: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const variant = state.faults.layoutOf(list.service) ?? DEFAULT_VARIANTS[list.service];
  const pdf = await state.data.render({ service: list.service, account, variant, filter: currentFilter(state, account, list) });
  const target = `${list.service}@${account}`;
  state.downloads.set(target, (state.downloads.get(target) ?? 0) + 1);
  reply
    .type('application/pdf')
    .header('content-disposition', `attachment; filename="${list.fileName}"`)
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
