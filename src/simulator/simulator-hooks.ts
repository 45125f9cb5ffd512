/**
 * What an export definition gives the simulator (`ExportDefinition.simulator`): the layouts and the
 * footer of its PDF, and the hooks that generate, order and change its records. The simulator's
 * machinery (`layouts.ts`, `dataset.ts`, `generation-context.ts`) only iterates the registry and calls
 * these; every export's own data lives next to its definition (`src/exports/<name>.simulator.ts`).
 */
import type { FieldValue } from '../parsers/export-tables.js';
import type { ExportRecord } from '../parsers/types.js';
import type { Dataset, GenerationContext } from './generation-context.js';
import type { FooterSummary, Layout } from './layout-types.js';

/** How large a dataset to generate. DDT and invoices follow from the orders (~1.6 DDT and ~0.6 invoices each). */
export interface DatasetOptions {
  seed: number | string;
  customers: number;
  products: number;
  prices: number;
  orders: number;
  /**
   * The agent account. Customers, orders, DDT and invoices are per account and seeded by `seed` and
   * `account`; products and prices are shared and seeded by `seed` alone (as in the ERP).
   */
  account?: string;
  /** The dataset's present, `YYYY-MM-DDTHH:mm:ss` (default `DEFAULT_NOW`). */
  now?: string;
}

/** A change to one record; false when it does not apply (the next one is tried). */
export type RecordChange = (ctx: GenerationContext, record: ExportRecord) => boolean;

/** How the simulator makes and changes one export's records. */
export interface DatasetHooks {
  /**
   * The export's records in a new dataset. Exports are generated in registry order, so `dataset` holds
   * those listed before this one (orders read the customers); the context is the account's for a
   * per-account table, else the one shared by every account.
   */
  generate(ctx: GenerationContext, dataset: Dataset, options: DatasetOptions): ExportRecord[];
  /** After every export is generated: facts derived from the others (a customer's order count). */
  complete?(records: ExportRecord[], dataset: Dataset): void;
  /** The ERP's list order (documents newest first, master data by name or code). */
  listOrder(a: ExportRecord, b: ExportRecord): number;
  /** Realistic edits, the way records change between two exports: tried in random order until one applies. */
  changes: readonly RecordChange[];
  /** `count` new records for a dataset being mutated. */
  add(ctx: GenerationContext, dataset: Dataset, count: number): ExportRecord[];
  /** The secondary codes a record takes besides its key and ERP id (account numbers, article codes). */
  register?(ctx: GenerationContext, record: ExportRecord): void;
  /** The newest creation time among the records: a mutated copy's present moves past it. */
  newest?(records: readonly ExportRecord[]): string;
}

/** What the ERP simulator needs to show an export. */
export interface SimulatorHooks {
  /** Layout variants of the export's PDF. */
  readonly layouts: readonly Layout[];
  /** The variant the export has today; the first layout when not named. */
  readonly defaultVariant?: string;
  /** The summary footer its PDF ends with (a `Count=` under the key, say); none by default. */
  readonly footer?: readonly FooterSummary[];
  /**
   * Fields a parser derives from another column when their own column is absent (an invoice's
   * `orderNumber` from `purchaseOrder`): the ground truth of a layout that hides them.
   */
  readonly derivedWhenHidden?: Readonly<Record<string, (record: ExportRecord) => FieldValue>>;
  /** How its records are generated and changed; an export without them has no simulated dataset. */
  readonly dataset?: DatasetHooks;
}
