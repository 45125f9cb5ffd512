/**
 * The ERP list views the browser source drives (ERP-UI.md §3–6). Each export's definition in
 * `src/exports/` holds its row — path, captions, toolbar index hints, the filter combo and how it must be
 * set, the quirks to expect — and the steps in `list-steps.ts` read that row: they do not branch on the
 * service. Here: what every list shares.
 */
import type { ErpListFilter, ErpListView, FilterSetting } from '../exports/export-definition.js';
import { exportDefinition } from '../exports/registry.js';
import type { ExportName } from '../parsers/export-tables.js';

export type { ErpListFilter, ErpListView, FilterSetting };

/** The list view of a registered export (each export's definition in `src/exports/` holds its row). */
export function listViewOf(service: ExportName): ErpListView {
  return exportDefinition(service).listView;
}


/** The export item: title, or contained text in Italian or English (ERP-UI §3). Never an exact label. */
export const EXPORT_ITEM = { title: 'Esportare in PDF File', texts: ['Esportare in', 'Export to'] } as const;

/** The page text of the data-store error that a retry clears (ERP-UI §6). */
export const OBJECTS_NOT_LOADED_TEXT = 'Requested objects cannot be loaded';

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

/** True when an attachment's name is one of the list's captions (`Ordini.pdf`, `Orders.pdf`). */
export function isExportOf(view: ErpListView, fileName: string): boolean {
  return view.captions.some((caption) => fileName.toLowerCase() === `${caption}.pdf`.toLowerCase());
}
