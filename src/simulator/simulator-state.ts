/**
 * The state of one simulator instance, shared by its page routes and its admin API, and the per-user
 * filter memory the ERP keeps server-side (ERP-EXPORTS §8).
 */
import type { ExportType } from '../exports/registry.js';
import type { SimulatorData } from './simulator-dataset.js';
import type { Faults } from './simulator-faults.js';
import { filterByValue, type SimulatedFilter, type SimulatedList } from './simulator-lists.js';
import type { PageTokens } from './simulator-pages.js';
import type { SessionStore } from './simulator-sessions.js';

/** Everything one simulator instance holds. */
export interface SimulatorState {
  accounts: ReadonlyMap<string, string>;
  data: SimulatorData;
  faults: Faults;
  sessions: SessionStore;
  tokens: PageTokens;
  /** Remembered filter (hidden value) per account and list; absent → the list's "all" value. */
  filters: Map<string, Map<ExportType, string>>;
  /** Exports served per `service@account`. */
  downloads: Map<string, number>;
}

/** The user's remembered filter of a list, defaulting to the list's "all" value. */
export function currentFilter(state: SimulatorState, account: string, list: SimulatedList): SimulatedFilter | null {
  if (list.filters.length === 0) return null;
  const value = state.filters.get(account)?.get(list.service);
  return (value !== undefined ? filterByValue(list, state.tokens.filterPrefix, value) : undefined) ?? list.filters.find((f) => f.all) ?? null;
}

/** Remembers a user's filter of a list, as the ERP does server-side. */
export function rememberFilter(state: SimulatorState, account: string, service: ExportType, filter: SimulatedFilter): void {
  let perList = state.filters.get(account);
  if (!perList) state.filters.set(account, (perList = new Map()));
  perList.set(service, state.tokens.filterPrefix + filter.code);
}
