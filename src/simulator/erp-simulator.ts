/**
 * A local stand-in of the Archibald ERP's web UI (DESIGN §6, ERP-UI.md): the DevExpress login page and
 * session cookie with idle expiry, the six list views with their toolbars, filter combos and client
 * objects, callbacks, PDFs rendered in the real export layout from a seeded dataset that changes over
 * simulated time, Italian or English by `Accept-Language`, and the real pages' quirks as switchable
 * faults. It serves the demo (`npm start` without `ERP_URL`), the browser source's end-to-end tests and
 * the benchmarks.
 *
 * `buildErpSimulator` returns the fastify app without listening (tests use `inject()`);
 * `startErpSimulator` listens and returns its URL.
 */
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { exportLatencyMs, type ExportLatencyProfile } from './export-latency.js';
import { createRandom } from './random.js';
import { registerAdminRoutes, simulatorAdmin, type SimulatorAdmin } from './simulator-admin.js';
import { registerLoginRoutes, registerListRoutes } from './simulator-routes.js';
import type { SimulatorState } from './simulator-state.js';
import { DEFAULT_MUTATION_RATES, DEFAULT_SIMULATOR_SIZE, SimulatorData, type MutationRates, type SimulatorDatasetSize } from './simulator-dataset.js';
import { Faults, type FaultSettings } from './simulator-faults.js';
import { SIMULATED_LISTS } from './simulator-lists.js';
import { SessionStore } from './simulator-sessions.js';

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
  /** How long a page's loading panel stays up after load (default 150 ms). */
  loadingDelayMs?: number;
  /** How long a callback (filter change, grid filter, export check) keeps the page busy (default: `loadingDelayMs`). */
  callbackDelayMs?: number;
  /**
   * How long each export takes before its PDF is sent (ERP-UI §6), divided by `timeScale` as schedules
   * are; default: at once. The capacity benchmark sets `REALISTIC_EXPORT_LATENCY`.
   */
  exportLatency?: { profile: ExportLatencyProfile; timeScale?: number };
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
    // Chosen per start, as the real editors' ids carry a layout counter: a client must not store them.
    editorIndex: randomInt(0, 10),
    filters: new Map(),
    gridFilters: new Set(),
    loaded: new Set(),
    emptyCells: new Set(),
    banners: new Set(),
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

  if (options.exportLatency) addExportLatency(app, options.exportLatency, options.seed ?? 'erp-simulator');

  if (options.hourMs) {
    const timer = setInterval(() => state.data.advance(1), options.hourMs);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  const loadingMs = options.loadingDelayMs ?? DEFAULT_LOADING_DELAY_MS;
  const timing = { loadingMs, callbackMs: options.callbackDelayMs ?? loadingMs };
  registerLoginRoutes(app, state, timing);
  for (const list of Object.values(SIMULATED_LISTS)) registerListRoutes(app, state, list, timing);
  registerAdminRoutes(app, state);
  return app;
}

/** Holds each export post-back for its drawn latency (the page stays busy meanwhile, as the real one does). */
function addExportLatency(app: FastifyInstance, latency: NonNullable<ErpSimulatorOptions['exportLatency']>, seed: string | number): void {
  const random = createRandom(`${seed}:export-latency`);
  const serviceOfPath = new Map(Object.values(SIMULATED_LISTS).map((list) => [`/${list.path}/`, list.service]));
  app.addHook('preHandler', async (request) => {
    const service = serviceOfPath.get(request.url.split('?')[0]!);
    const body = request.body as Record<string, string> | undefined;
    if (request.method !== 'POST' || service === undefined || body?.__EVENTARGUMENT !== 'Export:PDF') return;
    await sleep(exportLatencyMs(latency.profile, service, latency.timeScale ?? 1, random));
  });
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

