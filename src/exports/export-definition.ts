/**
 * One ERP export as data: everything that differs from one sync to another lives in its definition, so
 * adding an export is one module here plus its simulator data. The orchestrator receives the service
 * entries as its catalogue; the parser, the stores and the export sources read the rest.
 */
import type { ServiceSpec } from '../../machines/index.js';
import type { ExportTable } from '../parsers/export-tables.js';
import type { SimulatorHooks } from '../simulator/simulator-hooks.js';
import type { DatabaseSpec } from '../stores/database-spec.js';

/** A service entry without its name (the definition's `name` is the service name). */
export type ServiceEntry = Omit<ServiceSpec, 'service'>;

/** Where an export's rows are stored. */
export interface StoreEntry {
  /** The database file holding its table (DDT and invoices live with the orders they link to). */
  readonly database: DatabaseSpec;
  /** Rows carry `order_erp_id`, linked to their order by order number. */
  readonly linkedToOrders: boolean;
}

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

/** Where an export lives in the ERP (ERP-UI.md §3–6): its list view, its filter, the quirks to expect. */
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


/** The quirks most lists do not have: no saved grid filter, no empty cells to refill, a second press only. */
const PLAIN_LIST: Pick<ErpListView, 'clearGridFilter' | 'refillEmptyCells' | 'exportClicks'> = {
  clearGridFilter: false,
  refillEmptyCells: false,
  exportClicks: 2,
};

/** A list view: the quirks it names, the others as on a plain list ({@link PLAIN_LIST}). */
export function erpListView(view: Omit<ErpListView, keyof typeof PLAIN_LIST> & Partial<ErpListView>): ErpListView {
  return { ...PLAIN_LIST, ...view };
}

export type { SimulatorHooks };

/** One export: its name and, per concern, the data that concern reads. */
export interface ExportDefinition {
  /** The service name, the export type and the table name (`orders`). */
  readonly name: string;
  /** How the orchestrator drives it: scope, priority, default schedule, chain parent. */
  readonly service: ServiceEntry;
  /** How its PDF is read: header texts → typed fields, key, anchor (`table.type` is `name`). */
  readonly table: ExportTable;
  /** Where its rows are stored; the table's columns and key follow from `table`. */
  readonly store: StoreEntry;
  /** Where the browser source finds it in the ERP, and the filter that makes it complete. */
  readonly listView: ErpListView;
  /** Its layouts, footer and dataset hooks for the ERP simulator (the built-in exports' are in `<name>.simulator.ts`). */
  readonly simulator?: SimulatorHooks;
}
