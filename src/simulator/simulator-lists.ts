/**
 * The six list views of the simulated ERP as data (ERP-UI §1–4, ERP-EXPORTS §8): their URL, captions,
 * toolbar (the DevExpress item indexes of the real pages), filter combo values and what each value
 * shows. The simulator keeps its own copy of these facts instead of importing the browser source's
 * table, so that the two are tested against each other rather than agreeing by construction.
 */
import type { ExportType } from '../exports/registry.js';
import type { ExportRecord } from '../parsers/types.js';

/** The two UI languages the ERP serves, chosen by `Accept-Language`. */
export type UiLanguage = 'it' | 'en';

/** A text in both UI languages. */
export type Texts = Readonly<Record<UiLanguage, string>>;

/** What a filter predicate may look at besides the record. */
export interface FilterContext {
  /** The ERP's "today", `YYYY-MM-DD`. */
  today: string;
  /** First day of today's month, `YYYY-MM-DD`. */
  monthStart: string;
  /** Monday of today's week, `YYYY-MM-DD`. */
  weekStart: string;
  /** Today three months ago, `YYYY-MM-DD`. */
  threeMonthsAgo: string;
}

/** One entry of a list's filter combo. */
export interface SimulatedFilter {
  /** The text the user sees. */
  text: Texts;
  /**
   * The stable part of the hidden value (`ListViewSalesTableOrdersAll`). The ERP prefixes it with
   * `xaf_xaf_a{m}`, and `m` changed across maintenance (ERP-UI §4), so clients must match the suffix.
   */
  code: string;
  /** Which records the list (and so the export) shows under this filter. */
  keep: (record: ExportRecord, context: FilterContext) => boolean;
  /** This is the "all" value a full export needs. */
  all?: true;
  /** The partial value an agent may leave selected (the sticky-filter fault). */
  sticky?: true;
}

/** A plain toolbar item (`li#Vertical_mainMenu_Menu_DXI{n}_`). */
export interface ToolbarButton {
  text: Texts;
  /** Disabled until a row is selected ("Get PDF" of DDT and invoices). */
  disabled?: true;
}

/** A combo box in a template toolbar item (`Vertical_mainMenu_Menu_ITCNT{k}_xaf_a{m}_Cb`). */
export interface ToolbarCombo {
  /** The template item's index `k`. */
  itcnt: number;
  /** The combo's values. */
  filters: readonly SimulatedFilter[];
  /** The list's data filter (false: a view selector that changes nothing the export holds). */
  dataFilter: boolean;
}

/** One list view. */
export interface SimulatedList {
  service: ExportType;
  /** Path segment under the ERP root, without slashes (`SALESTABLE_ListView_Agent`). */
  path: string;
  /** The view caption; the export's attachment is `<caption>.pdf`. */
  caption: Texts;
  /** Index of the export item (`DXI{n}`). */
  exportIndex: number;
  /** Index of the "Show hidden items" overflow item, the toolbar's last. */
  overflowIndex: number;
  /** Toolbar items by index; the export, the combos and the overflow fill the other indexes. */
  buttons: Readonly<Record<number, ToolbarButton>>;
  /** The combos of the toolbar: the data filter first. Empty for products. */
  combos: readonly ToolbarCombo[];
  /** The toolbar's width in px: a narrower window moves its last items into the overflow (ERP-UI §3). */
  toolbarWidth: number;
  /** DDT and invoices show empty cells on first load under the empty-cells fault (ERP-UI §4). */
  emptyCellsQuirk?: true;
  /** How a filter change reaches the server: orders' `SetValue` may navigate, DDT/invoices' may not arrive. */
  setValueQuirk?: 'navigates' | 'ignored';
  /** Products: a grid filter saved in the user's profile limits the export (ERP-UI §5). */
  gridFilter?: true;
}

const text = (record: ExportRecord, field: string): string => (typeof record[field] === 'string' ? (record[field] as string) : '');
const dateOf = (record: ExportRecord, field: string): string => text(record, field).slice(0, 10);
const since = (field: string, from: keyof FilterContext) => (record: ExportRecord, context: FilterContext): boolean => dateOf(record, field) >= context[from];
const on = (field: string) => (record: ExportRecord, context: FilterContext): boolean => dateOf(record, field) === context.today;
const everything = (): boolean => true;
const t = (it: string, en: string): Texts => ({ it, en });

const NEW = { text: t('Nuovo', 'New') };
const REFRESH = { text: t('Aggiorna', 'Refresh') };
const DELETE = { text: t('Elimina', 'Delete') };
const GET_PDF = { text: t('Get PDF', 'Get PDF'), disabled: true } as const;

/** Every list view by service. */
export const SIMULATED_LISTS: Readonly<Record<ExportType, SimulatedList>> = {
  customers: {
    service: 'customers',
    path: 'CUSTTABLE_ListView_Agent',
    caption: t('Clienti', 'Customers'),
    exportIndex: 6,
    overflowIndex: 8,
    buttons: { 0: NEW, 1: REFRESH, 2: DELETE, 3: { text: t('Mappa', 'Map') }, 5: { text: t('Stampa', 'Print') } },
    combos: [
      {
        itcnt: 7,
        dataFilter: true,
        filters: [
          { text: t('Tutti i clienti', 'All Customers'), code: 'All_Customers', keep: everything, all: true },
          { text: t('Exclusiv customers', 'Exclusiv customers'), code: 'Exclusiv_Customers', keep: (r) => text(r, 'type') === 'Organizzazione', sticky: true },
          { text: t('Free customers', 'Free customers'), code: 'Free_Customers', keep: (r) => text(r, 'type') === 'Persona' },
        ],
      },
      {
        itcnt: 4,
        dataFilter: false,
        filters: [
          { text: t('Customers', 'Customers'), code: 'Customers', keep: everything, all: true },
          { text: t('Customers-Roadmap', 'Customers-Roadmap'), code: 'Customers_Roadmap', keep: everything },
        ],
      },
    ],
    toolbarWidth: 1340,
  },
  products: {
    service: 'products',
    path: 'INVENTTABLE_ListView',
    caption: t('Prodotti', 'Products'),
    exportIndex: 3,
    overflowIndex: 4,
    buttons: { 0: NEW, 1: REFRESH, 2: DELETE },
    combos: [],
    toolbarWidth: 700,
    gridFilter: true,
  },
  prices: {
    service: 'prices',
    path: 'PRICEDISCTABLE_ListView',
    caption: t('Tabella prezzi', 'Price table'),
    exportIndex: 3,
    overflowIndex: 5,
    buttons: { 0: NEW, 1: REFRESH, 2: DELETE },
    combos: [
      {
        itcnt: 4,
        dataFilter: true,
        filters: [
          { text: t('Prezzi attivi', 'Active prices'), code: 'ActivePrices', keep: (r, c) => r.validTo === null || text(r, 'validTo') >= c.today, all: true },
          { text: t('Prezzi bloccati', 'Closed prices'), code: 'ClosedPrices', keep: (r, c) => r.validTo !== null && text(r, 'validTo') < c.today, sticky: true },
        ],
      },
    ],
    toolbarWidth: 1000,
  },
  orders: {
    service: 'orders',
    path: 'SALESTABLE_ListView_Agent',
    caption: t('Ordini', 'Orders'),
    exportIndex: 7,
    overflowIndex: 9,
    buttons: { 0: NEW, 1: REFRESH, 2: DELETE, 3: { text: t('Copia', 'Copy') }, 4: { text: t('Invia', 'Send') }, 5: { text: t('Stampa', 'Print') }, 6: { text: t('Storico', 'History') } },
    combos: [
      {
        itcnt: 8,
        dataFilter: true,
        filters: [
          { text: t('Tutti gli ordini ', 'All Orders '), code: 'ListViewSalesTableOrdersAll', keep: everything, all: true },
          { text: t('Oggi', 'Today'), code: 'ListViewSalesTableOrdersToday', keep: on('createdAt') },
          { text: t('Questa settimana', 'This Week'), code: 'ListViewSalesTableOrdersThisWeek', keep: since('createdAt', 'weekStart') },
          { text: t('Questo mese', 'This Month'), code: 'ListViewSalesTableOrdersThisMonth', keep: since('createdAt', 'monthStart'), sticky: true },
          { text: t('Inseriti', 'Entered'), code: 'ListViewSalesTableOrdersEntered', keep: (r) => r.salesStatus === 'Ordine aperto' },
          { text: t('Completati', 'Completed'), code: 'ListViewSalesTableOrdersCompleted', keep: (r) => r.salesStatus === 'Fatturato' },
          { text: t('Approvazione RM', 'Approval RM'), code: 'ListViewSalesTableOrdersApprovalRM', keep: () => false },
          { text: t('Trasferiti', 'Transferred'), code: 'ListViewSalesTableOrdersTransferred', keep: (r) => r.salesStatus === 'Consegnato' },
          { text: t('Preventivi', 'Quote'), code: 'ListViewSalesTableOrdersQuote', keep: () => false },
        ],
      },
    ],
    // At ~1265 px the filter and the export are both hidden (ERP-UI §3).
    toolbarWidth: 1300,
    setValueQuirk: 'navigates',
  },
  ddt: {
    service: 'ddt',
    path: 'CUSTPACKINGSLIPJOUR_ListView',
    caption: t('Documenti di trasporto', 'Packing slips'),
    exportIndex: 3,
    overflowIndex: 5,
    buttons: { 0: GET_PDF, 1: REFRESH, 2: { text: t('Tracciamento', 'Tracking') } },
    combos: [
      {
        itcnt: 4,
        dataFilter: true,
        filters: [
          { text: t('Tutti', 'All'), code: 'ListViewPackingSlipsAll', keep: everything, all: true },
          { text: t('Oggi', 'Today'), code: 'ListViewPackingSlipsToday', keep: on('deliveryDate') },
          { text: t('Questa settimana', 'This week'), code: 'ListViewPackingSlipsThisWeek', keep: since('deliveryDate', 'weekStart') },
          { text: t('Questo mese', 'This month'), code: 'ListViewPackingSlipsThisMonth', keep: since('deliveryDate', 'monthStart'), sticky: true },
          { text: t('Ultimi 3 mesi', 'Last 3 months'), code: 'ListViewPackingSlipsLast3Months', keep: since('deliveryDate', 'threeMonthsAgo') },
        ],
      },
    ],
    toolbarWidth: 1000,
    emptyCellsQuirk: true,
    setValueQuirk: 'ignored',
  },
  invoices: {
    service: 'invoices',
    path: 'CUSTINVOICEJOUR_ListView',
    caption: t('Fatture', 'Invoices'),
    exportIndex: 3,
    overflowIndex: 5,
    buttons: { 0: GET_PDF, 1: REFRESH, 2: { text: t('Scadenzario', 'Due dates') } },
    combos: [
      {
        itcnt: 4,
        dataFilter: true,
        filters: [
          { text: t('Tutti', 'All'), code: 'All_invoices', keep: everything, all: true },
          { text: t('Ultimi 3 mesi', 'Last 3 months'), code: 'Last3Months_invoices', keep: since('invoiceDate', 'threeMonthsAgo'), sticky: true },
          { text: t('Fatture aperte', 'Open invoices'), code: 'Open_invoices', keep: (r) => r.closedDate === null },
          { text: t('Fatture scadute', 'Overdue invoices'), code: 'Overdue_invoices', keep: (r, c) => r.closedDate === null && text(r, 'dueDate') < c.today },
        ],
      },
    ],
    toolbarWidth: 1000,
    emptyCellsQuirk: true,
    setValueQuirk: 'ignored',
  },
};

/** The list served at a path segment, or undefined. */
export function listByPath(path: string): SimulatedList | undefined {
  return Object.values(SIMULATED_LISTS).find((list) => list.path.toLowerCase() === path.toLowerCase());
}

/** The list's data filter combo, or undefined (products). */
export function dataCombo(list: SimulatedList): ToolbarCombo | undefined {
  return list.combos.find((c) => c.dataFilter);
}

/** The data filter's "all" value, or null for a list without filter. */
export function allFilter(list: SimulatedList): SimulatedFilter | null {
  return dataCombo(list)?.filters.find((f) => f.all) ?? null;
}

/** The combo value whose code is `code`, in any combo of the list. */
export function filterByCode(combo: ToolbarCombo, code: string): SimulatedFilter | undefined {
  return combo.filters.find((f) => f.code === code);
}
