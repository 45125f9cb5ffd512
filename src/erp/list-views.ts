/**
 * The ERP list views the browser source drives, as data (DESIGN §1, ERP-EXPORTS §8): where each export
 * lives and which filter value makes it complete.
 */
import type { ExportType } from '../parsers/export-tables.js';

/** One list view. */
export interface ErpListView {
  /** Path under `ERP_URL`, with its trailing slash (the ERP redirects without it). */
  path: string;
  /**
   * A substring of the hidden value of the filter that shows every record, or null for a list without
   * filter. Substring, because the values' prefixes change after ERP maintenance.
   */
  allFilter: string | null;
}

/** The list view of every export. */
export const ERP_LIST_VIEWS: Readonly<Record<ExportType, ErpListView>> = {
  customers: { path: 'CUSTTABLE_ListView_Agent/', allFilter: 'All_Customers' },
  products: { path: 'INVENTTABLE_ListView/', allFilter: null },
  prices: { path: 'PRICEDISCTABLE_ListView/', allFilter: 'ActivePrices' },
  orders: { path: 'SALESTABLE_ListView_Agent/', allFilter: 'OrdersAll' },
  ddt: { path: 'CUSTPACKINGSLIPJOUR_ListView/', allFilter: 'PackingSlipsAll' },
  invoices: { path: 'CUSTINVOICEJOUR_ListView/', allFilter: 'All_invoices' },
};

/** The main-menu item texts that export the list to PDF, per UI language. Found by text: ids change. */
export const EXPORT_MENU_TEXTS: readonly string[] = ['Esporta in PDF', 'Export to PDF'];

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
