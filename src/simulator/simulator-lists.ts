/**
 * The six list views of the simulated ERP as data (DESIGN §1, ERP-EXPORTS §8): their URL, title,
 * export file name and filter combo. The simulator keeps its own copy of these facts instead of importing
 * the browser source's table, so that the two are tested against each other rather than agreeing by
 * construction.
 */
import type { ExportType } from '../exports/registry.js';
import type { ExportRecord } from '../parsers/types.js';

/** What a filter predicate may look at besides the record. */
export interface FilterContext {
  /** The ERP's "today", `YYYY-MM-DD`. */
  today: string;
  /** First day of today's month, `YYYY-MM-DD`. */
  monthStart: string;
}

/** One entry of a list's filter combo. */
export interface SimulatedFilter {
  /** The text the user sees. */
  text: string;
  /**
   * The stable part of the hidden value (`OrdersAll`). The ERP prefixes it with a token that changes
   * after maintenance (ERP-EXPORTS §8), so clients must match by substring; the simulator does the same.
   */
  code: string;
  /** Which records the list (and so the export) shows under this filter. */
  keep: (record: ExportRecord, context: FilterContext) => boolean;
  /** This is the "all" value a full export needs. */
  all?: true;
  /** This is the partial "this month" value an agent may leave selected (the sticky-filter fault). */
  thisMonth?: true;
}

/** One list view. */
export interface SimulatedList {
  service: ExportType;
  /** Path segment under the ERP root, without slashes (`SALESTABLE_ListView_Agent`). */
  path: string;
  title: string;
  /** The attachment's file name, as the ERP names its exports. */
  fileName: string;
  /** The filter combo; empty when the list has none (products). */
  filters: readonly SimulatedFilter[];
}

const text = (record: ExportRecord, field: string): string => (typeof record[field] === 'string' ? (record[field] as string) : '');
const sinceMonthStart = (field: string) => (record: ExportRecord, context: FilterContext): boolean => text(record, field).slice(0, 10) >= context.monthStart;
const everything = (): boolean => true;

/** Every list view by service. */
export const SIMULATED_LISTS: Readonly<Record<ExportType, SimulatedList>> = {
  customers: {
    service: 'customers',
    path: 'CUSTTABLE_ListView_Agent',
    title: 'Clienti',
    fileName: 'Clienti.pdf',
    filters: [
      { text: 'Tutti i clienti', code: 'All_Customers', keep: everything, all: true },
      { text: 'Clienti con ordini', code: 'Customers_WithOrders', keep: (r) => typeof r.orderCount === 'number' && r.orderCount > 0 },
      { text: 'Questo mese', code: 'Customers_ThisMonth', keep: sinceMonthStart('lastOrderDate'), thisMonth: true },
    ],
  },
  products: { service: 'products', path: 'INVENTTABLE_ListView', title: 'Prodotti', fileName: 'Prodotti.pdf', filters: [] },
  prices: {
    service: 'prices',
    path: 'PRICEDISCTABLE_ListView',
    title: 'Tabella prezzi',
    fileName: 'Tabella prezzi.pdf',
    filters: [
      { text: 'Prezzi attivi', code: 'ActivePrices', keep: (r, c) => r.validTo === null || text(r, 'validTo') >= c.today, all: true },
      { text: 'Tutti i prezzi', code: 'EveryPrice', keep: everything },
      { text: 'Questo mese', code: 'PricesThisMonth', keep: sinceMonthStart('validFrom'), thisMonth: true },
    ],
  },
  orders: {
    service: 'orders',
    path: 'SALESTABLE_ListView_Agent',
    title: 'Ordini',
    fileName: 'Ordini.pdf',
    filters: [
      { text: 'Tutti gli ordini', code: 'OrdersAll', keep: everything, all: true },
      { text: 'Ordini aperti', code: 'OrdersOpen', keep: (r) => r.salesStatus === 'Ordine aperto' },
      { text: 'Questo mese', code: 'OrdersThisMonth', keep: sinceMonthStart('createdAt'), thisMonth: true },
    ],
  },
  ddt: {
    service: 'ddt',
    path: 'CUSTPACKINGSLIPJOUR_ListView',
    title: 'Documenti di trasporto',
    fileName: 'Documenti di trasporto.pdf',
    filters: [
      { text: 'Tutti', code: 'PackingSlipsAll', keep: everything, all: true },
      { text: 'Questo mese', code: 'PackingSlipsThisMonth', keep: sinceMonthStart('deliveryDate'), thisMonth: true },
    ],
  },
  invoices: {
    service: 'invoices',
    path: 'CUSTINVOICEJOUR_ListView',
    title: 'Fatture',
    fileName: 'Fatture.pdf',
    filters: [
      { text: 'Tutti', code: 'All_invoices', keep: everything, all: true },
      { text: 'Da saldare', code: 'Open_invoices', keep: (r) => r.closedDate === null },
      { text: 'Questo mese', code: 'ThisMonth_invoices', keep: sinceMonthStart('invoiceDate'), thisMonth: true },
    ],
  },
};

/** The list served at a path segment, or undefined. */
export function listByPath(path: string): SimulatedList | undefined {
  return Object.values(SIMULATED_LISTS).find((list) => list.path.toLowerCase() === path.toLowerCase());
}

/** The filter whose hidden value (`<prefix><code>`) is `value`, or undefined. */
export function filterByValue(list: SimulatedList, prefix: string, value: string): SimulatedFilter | undefined {
  return list.filters.find((f) => prefix + f.code === value);
}
