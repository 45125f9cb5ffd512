/**
 * The state of one simulator instance, shared by its page routes and its admin API, and the per-user
 * memory the ERP keeps server-side: the list filters (ERP-UI §4) and the products grid filter (§5).
 */
import type { ExportType } from '../exports/registry.js';
import type { SimulatorData } from './simulator-dataset.js';
import type { Faults } from './simulator-faults.js';
import { allFilter, dataCombo, filterByCode, type SimulatedFilter, type SimulatedList } from './simulator-lists.js';
import type { SessionStore } from './simulator-sessions.js';

/** Everything one simulator instance holds. */
export interface SimulatorState {
  accounts: ReadonlyMap<string, string>;
  data: SimulatorData;
  faults: Faults;
  sessions: SessionStore;
  /** The `{n}` of the login editors' ids, chosen per start. */
  editorIndex: number;
  /** Remembered data filter (its code) per account and list; absent → the list's "all" value. */
  filters: Map<string, Map<ExportType, string>>;
  /** Accounts whose profile holds a saved products grid filter. */
  gridFilters: Set<string>;
  /** `session|service` pairs already loaded once (the empty-cells quirk shows on a first load only). */
  loaded: Set<string>;
  /** `session|service` pairs whose grid shows empty cells until the filter is switched. */
  emptyCells: Set<string>;
  /** `session|service` pairs whose next page load shows the "Requested objects cannot be loaded" banner. */
  banners: Set<string>;
  /** Exports served per `service@account`. */
  downloads: Map<string, number>;
}

/** The user's remembered data filter of a list, defaulting to the list's "all" value. */
export function currentFilter(state: SimulatorState, account: string, list: SimulatedList): SimulatedFilter | null {
  const combo = dataCombo(list);
  if (!combo) return null;
  const code = state.filters.get(account)?.get(list.service);
  return (code !== undefined ? filterByCode(combo, code) : undefined) ?? allFilter(list);
}

/** Remembers a user's filter of a list, as the ERP does server-side (shared by the user's sessions). */
export function rememberFilter(state: SimulatorState, account: string, service: ExportType, filter: SimulatedFilter): void {
  let perList = state.filters.get(account);
  if (!perList) state.filters.set(account, (perList = new Map()));
  perList.set(service, filter.code);
}

/** The `m` of the combos' `xaf_a{m}` prefix now. */
export function prefixIndex(state: SimulatorState): number {
  return state.faults.on('comboPrefixChanged') ? 2 : 0;
}

/** Every tenth product: what a saved grid filter lets through (the real one let 419 of ~4,523 rows through). */
export const GRID_FILTER_EXPRESSION = "[Gruppo articoli] = 'Frese'";
