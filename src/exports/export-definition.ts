/**
 * One ERP export as data: everything that differs from one sync to another lives in its definition, so
 * adding an export is one module here plus its simulator data. The orchestrator receives the service
 * entries as its catalogue; the parser, the stores and the export sources read the rest.
 */
import type { ServiceSpec } from '../../machines/index.js';
import type { ExportTable } from '../parsers/export-tables.js';
import type { FooterSummary, Layout } from '../simulator/layout-types.js';
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

/** Where an export lives in the ERP: its list view and the filter that makes it complete. */
export interface ErpListView {
  /** Path under `ERP_URL`, with its trailing slash (the ERP redirects without it). */
  path: string;
  /**
   * A substring of the hidden value of the filter that shows every record, or null for a list without
   * filter. Substring, because the values' prefixes change after ERP maintenance.
   */
  allFilter: string | null;
}

/** What the ERP simulator needs to show an export it has no built-in layouts for. */
export interface SimulatorHooks {
  /** Layout variants of the export's PDF; the first is the default. */
  readonly layouts: readonly Layout[];
  /** The summary footer its PDF ends with (a `Count=` under the key, say); none by default. */
  readonly footer?: readonly FooterSummary[];
}

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
  /** Layouts for the simulator (the built-in exports' layouts live in `src/simulator/layouts.ts`). */
  readonly simulator?: SimulatorHooks;
}
