/**
 * The ERP list views the browser source drives: the shape of an export's list view (each export's
 * definition holds its own) and the URLs and menu texts every list shares.
 */
import type { ErpListView } from '../exports/export-definition.js';
import { exportDefinition } from '../exports/registry.js';
import type { ExportName } from '../parsers/export-tables.js';

export type { ErpListView };

/** The list view of a registered export (each export's definition in `src/exports/` holds it). */
export function listViewOf(service: ExportName): ErpListView {
  return exportDefinition(service).listView;
}

/** The main-menu item texts that export the list to PDF, per UI language. Found by text: ids change. */
export const EXPORT_MENU_TEXTS: readonly string[] = ['Esporta in PDF', 'Export to PDF'];

/** The list view's URL under the ERP root (which may itself have a path, e.g. `https://erp/Archibald`). */
export function listViewUrl(erpUrl: string, service: ExportName): string {
  return new URL(listViewOf(service).path, erpUrl.endsWith('/') ? erpUrl : `${erpUrl}/`).href;
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
