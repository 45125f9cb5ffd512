/**
 * The simulator's admin API, for tests, benchmarks and the demo: switch faults, read login counts and
 * remembered filters, advance simulated time, and read the ground truth an export must reproduce.
 *
 * | route | does |
 * |---|---|
 * | `GET /__admin/state` | login counts, sessions, remembered filters, saved grid filters, faults, dataset version, downloads |
 * | `GET /__admin/faults` · `POST /__admin/faults` | read / change faults (`FaultRequest`, partial; actions run once) |
 * | `POST /__admin/advance` | `{hours}`: advance simulated time, mutating the dataset |
 * | `GET /__admin/dataset?service=&account=[&filter=all\|current]` | the records the export holds, as the parser must emit them |
 *
 * The routes are unauthenticated: the simulator listens on loopback for a local demo and tests.
 */
import type { FastifyInstance } from 'fastify';
import { EXPORT_TYPES, isExportType, type ExportType } from '../exports/registry.js';
import type { ExportRecord } from '../parsers/types.js';
import { defaultVariant, getLayout, projectRecords } from './layouts.js';
import { FAULT_REQUEST_SCHEMA, type FaultRequest, type FaultState } from './simulator-faults.js';
import { SIMULATED_LISTS, dataCombo, type SimulatedFilter } from './simulator-lists.js';
import { comboValue } from './simulator-pages.js';
import type { LoginCount } from './simulator-sessions.js';
import { currentFilter, prefixIndex, rememberFilter, type SimulatorState } from './simulator-state.js';

/** A remembered filter as reported. */
export interface FilterReport {
  /** The hidden value (`xaf_xaf_a0ListViewSalesTableOrdersAll`). */
  value: string;
  /** The text an Italian user sees (`Tutti gli ordini`). */
  text: string;
}

/** `GET /__admin/state`. */
export interface SimulatorStateReport {
  version: number;
  simulatedNow: string;
  hoursAdvanced: number;
  accounts: string[];
  logins: Record<string, LoginCount>;
  sessions: number;
  /** Per account, per list with a filter: the remembered filter. */
  filters: Record<string, Partial<Record<ExportType, FilterReport>>>;
  faults: FaultState;
  /** Exports served per `service@account`. */
  downloads: Record<string, number>;
  /** Accounts whose profile holds a saved products grid filter. */
  gridFilters: string[];
}

/** `GET /__admin/dataset`. */
export interface DatasetReport {
  service: ExportType;
  account: string;
  version: number;
  /** Layout variant the export is rendered in now. */
  variant: string;
  filter: FilterReport | null;
  /** The export's records, as `parseExportFile` must emit them for that layout. */
  records: ExportRecord[];
}

/** `POST /__admin/faults` answer. */
export interface FaultsReport {
  faults: FaultState;
  /** Sessions ended by `expireSessions`. */
  expiredSessions: number;
  /** Filters set by `stickyFilter`. */
  stickyFilters: number;
  /** Grid filters saved by `savedGridFilter`. */
  savedGridFilters: number;
}

/** The admin API as functions (the routes call these; in-process callers may too). */
export interface SimulatorAdmin {
  state(): SimulatorStateReport;
  /** Applies a fault request; throws `AdminError` for an unknown account or a list without filter. */
  setFaults(request: FaultRequest): FaultsReport;
  advance(hours: number): { version: number; simulatedNow: string; hoursAdvanced: number };
  /** `filter`: `all` (default; what a correct export holds) or `current` (the user's remembered filter). */
  dataset(query: { service: ExportType; account: string; filter?: 'all' | 'current' }): DatasetReport;
}

/** A refused admin request (HTTP 400/404). */
export class AdminError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

const report = (state: SimulatorState, filter: SimulatedFilter | null): FilterReport | null =>
  filter ? { value: comboValue(filter.code, prefixIndex(state)), text: filter.text.it.trim() } : null;

/** The admin functions over one simulator's state. */
export function simulatorAdmin(state: SimulatorState): SimulatorAdmin {
  const knownAccount = (account: string): string => {
    if (!state.accounts.has(account)) throw new AdminError(404, `unknown account ${JSON.stringify(account)} (known: ${[...state.accounts.keys()].join(', ')})`);
    return account;
  };

  return {
    state() {
      const filters: SimulatorStateReport['filters'] = {};
      for (const account of state.accounts.keys()) {
        const perList: Partial<Record<ExportType, FilterReport>> = {};
        for (const list of Object.values(SIMULATED_LISTS)) {
          const filter = report(state, currentFilter(state, account, list));
          if (filter) perList[list.service] = filter;
        }
        filters[account] = perList;
      }
      return {
        version: state.data.version,
        simulatedNow: state.data.now,
        hoursAdvanced: state.data.hoursAdvanced,
        accounts: [...state.accounts.keys()],
        logins: state.sessions.loginCounts(),
        sessions: state.sessions.size,
        filters,
        faults: state.faults.snapshot(),
        downloads: Object.fromEntries(state.downloads),
        gridFilters: [...state.gridFilters],
      };
    },

    setFaults(request) {
      if (request.reset) state.faults.reset();
      try {
        state.faults.apply(request);
      } catch (err) {
        throw new AdminError(400, (err as Error).message);
      }
      const expiredSessions = request.expireSessions ? state.sessions.expireAll() : 0;
      let stickyFilters = 0;
      if (request.stickyFilter) {
        const { account, service } = request.stickyFilter;
        const accounts = account !== undefined ? [knownAccount(account)] : [...state.accounts.keys()];
        const lists = service !== undefined ? [SIMULATED_LISTS[service]] : Object.values(SIMULATED_LISTS);
        for (const list of lists) {
          const partial = dataCombo(list)?.filters.find((f) => f.sticky);
          if (!partial) {
            if (service !== undefined) throw new AdminError(400, `${service} has no filter to leave on a partial value`);
            continue;
          }
          for (const a of accounts) {
            rememberFilter(state, a, list.service, partial);
            stickyFilters++;
          }
        }
      }
      let savedGridFilters = 0;
      if (request.savedGridFilter) {
        const { account } = request.savedGridFilter;
        for (const a of account !== undefined ? [knownAccount(account)] : [...state.accounts.keys()]) {
          state.gridFilters.add(a);
          savedGridFilters++;
        }
      }
      return { faults: state.faults.snapshot(), expiredSessions, stickyFilters, savedGridFilters };
    },

    advance(hours) {
      state.data.advance(hours);
      return { version: state.data.version, simulatedNow: state.data.now, hoursAdvanced: state.data.hoursAdvanced };
    },

    dataset({ service, account, filter = 'all' }) {
      knownAccount(account);
      const list = SIMULATED_LISTS[service];
      const chosen = filter === 'current' ? currentFilter(state, account, list) : dataCombo(list)?.filters.find((f) => f.all) ?? null;
      const variant = state.faults.layoutOf(service) ?? defaultVariant(service);
      const records = projectRecords(getLayout(service, { variant }), state.data.visible(service, account, chosen));
      return { service, account, version: state.data.version, variant, filter: report(state, chosen), records };
    },
  };
}

/** Registers the admin routes on a simulator app. */
export function registerAdminRoutes(app: FastifyInstance, state: SimulatorState): void {
  const admin = simulatorAdmin(state);

  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof AdminError) return reply.code(err.statusCode).send({ error: err.message });
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send({ error: (err as Error).message });
  });

  app.get('/__admin/state', async () => admin.state());
  app.get('/__admin/faults', async () => state.faults.snapshot());
  app.post<{ Body: FaultRequest }>('/__admin/faults', { schema: { body: FAULT_REQUEST_SCHEMA } }, async (request) => admin.setFaults(request.body));
  app.post<{ Body: { hours: number } }>(
    '/__admin/advance',
    { schema: { body: { type: 'object', additionalProperties: false, required: ['hours'], properties: { hours: { type: 'number', exclusiveMinimum: 0, maximum: 24 * 366 } } } } },
    async (request) => admin.advance(request.body.hours),
  );
  app.get<{ Querystring: { service: string; account: string; filter?: 'all' | 'current' } }>(
    '/__admin/dataset',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['service', 'account'],
          properties: { service: { type: 'string', enum: [...EXPORT_TYPES] }, account: { type: 'string' }, filter: { type: 'string', enum: ['all', 'current'] } },
        },
      },
    },
    async (request) => {
      const { service, account, filter } = request.query;
      if (!isExportType(service)) throw new AdminError(400, `unknown service ${service}`);
      return admin.dataset({ service, account, ...(filter ? { filter } : {}) });
    },
  );
}
