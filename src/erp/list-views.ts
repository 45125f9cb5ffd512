/**
 * The ERP list views the browser source drives, as data (ERP-UI.md §3–6, ERP-EXPORTS §8): one row per
 * export with everything in which the lists differ — path, captions, toolbar index hints, the filter
 * combo and how it must be set, and the quirks to expect. The steps in `erp-session.ts` read this table;
 * they do not branch on the service.
 */
import type { ExportType } from '../parsers/export-tables.js';

/** How a filter combo's value reaches the ERP (ERP-UI §4). */
export type FilterSetting =
  /** `SetValue(value)` on the client object; the page may navigate (orders). */
  | 'client-api'
  /** `ShowDropDown()`, then a real click on the list item (DDT and invoices ignore `SetValue`). */
  | 'list-click';

/** A list's data filter. */
export interface ErpListFilter {
  /** The template item index `k` of `Vertical_mainMenu_Menu_ITCNT{k}_xaf_a{m}_Cb`. */
  itcnt: number;
  /**
   * The value suffix of the filter that shows every record. Matched as a suffix after `xaf_xaf_a{m}`:
   * `m` changed across ERP maintenance (a0, a1, a2).
   */
  allSuffix: string;
  /** How to set it. */
  setting: FilterSetting;
}

/** One list view. */
export interface ErpListView {
  /** Path under `ERP_URL`, with its trailing slash (the ERP redirects without it). */
  path: string;
  /** The view's caption per UI language: the export arrives as `<caption>.pdf`. */
  captions: readonly string[];
  /** Index of the export item (`Vertical_mainMenu_Menu_DXI{n}_`): a hint, checked by title and text. */
  exportIndexHint: number;
  /** Index of the "Show hidden items" overflow item (a hint: it is found by its class too). */
  overflowIndexHint: number;
  /** The data filter, or null for a list without one (products). */
  filter: ErpListFilter | null;
  /** The grid filter saved in the user's profile must be cleared (it once limited products to 419 of ~4,523 rows). */
  clearGridFilter: boolean;
  /** The grid may show rows with empty cells on first load; switching the filter away and back fills them. */
  refillEmptyCells: boolean;
  /** Export clicks to try before giving up: DDT's first click sometimes does nothing (ERP-UI §6). */
  exportClicks: number;
}

/** The list view of every export. */
export const ERP_LIST_VIEWS: Readonly<Record<ExportType, ErpListView>> = {
  customers: {
    path: 'CUSTTABLE_ListView_Agent/',
    captions: ['Clienti', 'Customers'],
    exportIndexHint: 6,
    overflowIndexHint: 8,
    filter: { itcnt: 7, allSuffix: 'All_Customers', setting: 'client-api' },
    clearGridFilter: false,
    refillEmptyCells: false,
    exportClicks: 2,
  },
  products: {
    path: 'INVENTTABLE_ListView/',
    captions: ['Prodotti', 'Products'],
    exportIndexHint: 3,
    overflowIndexHint: 4,
    filter: null,
    clearGridFilter: true,
    refillEmptyCells: false,
    exportClicks: 2,
  },
  prices: {
    path: 'PRICEDISCTABLE_ListView/',
    captions: ['Tabella prezzi', 'Price table'],
    exportIndexHint: 3,
    overflowIndexHint: 5,
    filter: { itcnt: 4, allSuffix: 'ActivePrices', setting: 'client-api' },
    clearGridFilter: false,
    refillEmptyCells: false,
    exportClicks: 2,
  },
  orders: {
    path: 'SALESTABLE_ListView_Agent/',
    captions: ['Ordini', 'Orders'],
    exportIndexHint: 7,
    overflowIndexHint: 9,
    filter: { itcnt: 8, allSuffix: 'ListViewSalesTableOrdersAll', setting: 'client-api' },
    clearGridFilter: false,
    refillEmptyCells: false,
    exportClicks: 2,
  },
  ddt: {
    path: 'CUSTPACKINGSLIPJOUR_ListView/',
    captions: ['Documenti di trasporto', 'Packing slips'],
    exportIndexHint: 3,
    overflowIndexHint: 5,
    filter: { itcnt: 4, allSuffix: 'ListViewPackingSlipsAll', setting: 'list-click' },
    clearGridFilter: false,
    refillEmptyCells: true,
    exportClicks: 4,
  },
  invoices: {
    path: 'CUSTINVOICEJOUR_ListView/',
    captions: ['Fatture', 'Invoices'],
    exportIndexHint: 3,
    overflowIndexHint: 5,
    filter: { itcnt: 4, allSuffix: 'All_invoices', setting: 'list-click' },
    clearGridFilter: false,
    refillEmptyCells: true,
    exportClicks: 2,
  },
};

/** The export item: title, or contained text in Italian or English (ERP-UI §3). Never an exact label. */
export const EXPORT_ITEM = { title: 'Esportare in PDF File', texts: ['Esportare in', 'Export to'] } as const;

/** The page text of the data-store error that a retry clears (ERP-UI §6). */
export const OBJECTS_NOT_LOADED_TEXT = 'Requested objects cannot be loaded';

/** The list view's URL under the ERP root (which may itself have a path, e.g. `https://erp/Archibald`). */
export function listViewUrl(erpUrl: string, service: ExportType): string {
  return new URL(ERP_LIST_VIEWS[service].path, erpUrl.endsWith('/') ? erpUrl : `${erpUrl}/`).href;
}

/** The login page's URL. */
export function loginUrl(erpUrl: string): string {
  return new URL('Login.aspx', erpUrl.endsWith('/') ? erpUrl : `${erpUrl}/`).href;
}

/** True when a URL is the ERP's login page: where the ERP sends a request whose session has expired. */
export function isLoginPage(url: string): boolean {
  try {
    return /\/login\.aspx$/i.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

/** True when an attachment's name is one of the list's captions (`Ordini.pdf`, `Orders.pdf`). */
export function isExportOf(view: ErpListView, fileName: string): boolean {
  return view.captions.some((caption) => fileName.toLowerCase() === `${caption}.pdf`.toLowerCase());
}
