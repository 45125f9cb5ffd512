/**
 * What the simulated ERP knows, and how it changes over simulated time: one shared dataset (products,
 * prices) and one dataset per account (customers, orders, DDT, invoices), all seeded, evolved by
 * `mutateDataset` as simulated hours pass. Rendered exports are cached per dataset version, so that a
 * test firing thirty exports renders each PDF once.
 */
import { type ExportType, exportTable } from '../exports/registry.js';
import type { ExportRecord } from '../parsers/types.js';
import { addDays, isoDateTime, maxIso, toLocalMs } from './calendar.js';
import { DEFAULT_NOW, generateDataset, mutateDataset, newestRecord, type Dataset } from './dataset.js';
import { renderExport } from './render-export.js';
import { readSimulatorData, writeSimulatorData } from './simulator-data-file.js';
import type { FilterContext, SimulatedFilter } from './simulator-lists.js';

/** Records per dataset; DDT and invoices follow from the orders. */
export interface SimulatorDatasetSize {
  /** Customers per account. */
  customers: number;
  /** Orders per account. */
  orders: number;
  /** Products, shared by all accounts. */
  products: number;
  /** Price rows, shared by all accounts. */
  prices: number;
}

/** Shares of each export's records changed, added and removed per simulated hour. */
export interface MutationRates {
  changeShare: number;
  addShare: number;
  removeShare: number;
}

/**
 * Small enough that a browser run, its parse and a test of thirty runs stay quick on two cores, large
 * enough that every export spans several cycles and a "this month" filter leaves a visible gap.
 */
export const DEFAULT_SIMULATOR_SIZE: SimulatorDatasetSize = { customers: 60, orders: 120, products: 120, prices: 150 };

/**
 * A few percent per hour: a sync every 30–60 minutes sees a realistic handful of changes. As many
 * records are removed as added, so the data keeps its size however long the simulator runs: the shares
 * apply to the current counts, and a surplus of additions compounds (+0.8 % an hour, once the default,
 * grew a demo's lists 2.2-fold in 100 simulated hours — 17 minutes at `TIME_SCALE` 600 — and without bound
 * after that, with every export, parse and store growing alike).
 */
export const DEFAULT_MUTATION_RATES: MutationRates = { changeShare: 0.02, addShare: 0.01, removeShare: 0.01 };

/** Options of `SimulatorData`. */
export interface SimulatorDataOptions {
  seed: string | number;
  accounts: readonly string[];
  size: SimulatorDatasetSize;
  rates: MutationRates;
  /** Simulated present at version 1, `YYYY-MM-DDTHH:mm:ss` (default `DEFAULT_NOW`). */
  start?: string;
  /** Keeps the data in this file: read back at construction when present, written after every change. */
  file?: string;
}

/** How an export is to be rendered. */
export interface RenderRequest {
  service: ExportType;
  account: string;
  variant: string;
  filter: SimulatedFilter | null;
}

const SHARED = '__shared__';
const HOUR_MS = 3_600_000;
/** Rendered PDFs kept: every list of a few accounts under two filters and a changed layout. */
const RENDER_CACHE_SIZE = 48;

/** The simulated ERP's data. */
export class SimulatorData {
  private readonly datasets = new Map<string, Dataset>();
  private readonly cache = new Map<string, Promise<Buffer>>();
  private readonly start: string;
  private hours = 0;
  /** Bumped on every change; part of every cache key. */
  version = 1;

  constructor(private readonly options: SimulatorDataOptions) {
    this.start = options.start ?? DEFAULT_NOW;
    const { size, seed } = options;
    const saved = options.file === undefined ? null : readSimulatorData(options.file, { seed, start: this.start, size: { ...size } });
    if (saved !== null) {
      this.hours = saved.hours;
      this.version = saved.version;
      for (const [key, dataset] of Object.entries(saved.datasets)) this.datasets.set(key, dataset);
    }
    // Products and prices are seeded by `seed` alone, so the shared dataset is the same for every account.
    if (!this.datasets.has(SHARED)) this.datasets.set(SHARED, generateDataset({ seed, account: SHARED, customers: 0, orders: 0, products: size.products, prices: size.prices, now: this.start }));
    for (const account of options.accounts) {
      // An account added since the file was written starts with its seeded data.
      if (!this.datasets.has(account)) this.datasets.set(account, generateDataset({ seed, account, customers: size.customers, orders: size.orders, products: 0, prices: 0, now: this.start }));
    }
    if (saved === null) this.save();
  }

  /** The accounts that have data. */
  get accounts(): string[] {
    return [...this.datasets.keys()].filter((k) => k !== SHARED);
  }

  /** Simulated hours since the start. */
  get hoursAdvanced(): number {
    return this.hours;
  }

  /** The simulated clock, `YYYY-MM-DDTHH:mm:ss`. */
  get now(): string {
    return isoDateTime(toLocalMs(this.start) + this.hours * HOUR_MS);
  }

  /**
   * The ERP's "today": the simulated clock's date, or the newest record's (`newestRecord`: the newest
   * order's) when the dataset has moved past it (`mutateDataset` dates new documents a day or more after it).
   */
  filterContext(): FilterContext {
    let today = this.now.slice(0, 10);
    for (const account of this.accounts) {
      const dataset = this.datasets.get(account);
      if (dataset) today = maxIso(today, newestRecord(dataset).slice(0, 10));
    }
    const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
    const threeMonthsAgo = `${String(Number(today.slice(0, 4)) - (Number(today.slice(5, 7)) <= 3 ? 1 : 0))}-${String(((Number(today.slice(5, 7)) + 8) % 12) + 1).padStart(2, '0')}${today.slice(7)}`;
    return { today, monthStart: `${today.slice(0, 8)}01`, weekStart: addDays(today, -weekday), threeMonthsAgo };
  }

  /** Every record of an export an account can see, in list order, before any filter. */
  records(service: ExportType, account: string): readonly ExportRecord[] {
    const dataset = this.datasets.get(exportTable(service).perAccount ? account : SHARED);
    if (!dataset) throw new Error(`unknown account ${account}`);
    return dataset[service];
  }

  /** The records an export shows under a filter. */
  visible(service: ExportType, account: string, filter: SimulatedFilter | null): ExportRecord[] {
    const records = this.records(service, account);
    if (!filter) return [...records];
    const context = this.filterContext();
    return records.filter((r) => filter.keep(r, context));
  }

  /**
   * Advances the simulated clock: per export, `rates × hours` of the records change, appear and
   * disappear (capped at all of them); open orders move on to delivered and invoiced, gaining DDT and
   * invoices. Returns the new version.
   */
  advance(hours: number): number {
    if (!(hours > 0)) return this.version;
    const share = (rate: number): number => Math.min(1, rate * hours);
    for (const [key, dataset] of this.datasets) {
      const mutated = mutateDataset(dataset, {
        seed: `${this.options.seed}/${key}/${this.version}`,
        changeShare: share(this.options.rates.changeShare),
        addShare: share(this.options.rates.addShare),
        removeShare: share(this.options.rates.removeShare),
      });
      this.datasets.set(key, mutated);
    }
    this.hours += hours;
    this.version++;
    this.cache.clear();
    this.save();
    return this.version;
  }

  /** Writes the data to `options.file`, when there is one. */
  private save(): void {
    const { file, seed, size } = this.options;
    if (file === undefined) return;
    writeSimulatorData(file, { seed, start: this.start, size: { ...size }, hours: this.hours, version: this.version, datasets: Object.fromEntries(this.datasets) });
  }

  /** The export as the ERP renders it (cached per version, layout, account and filter). */
  render(request: RenderRequest): Promise<Buffer> {
    const owner = exportTable(request.service).perAccount ? request.account : SHARED;
    const key = [this.version, request.service, owner, request.variant, request.filter?.code ?? ''].join('|');
    let pdf = this.cache.get(key);
    if (!pdf) {
      pdf = renderExport(request.service, this.visible(request.service, request.account, request.filter), { variant: request.variant });
      pdf.catch(() => this.cache.delete(key));
      if (this.cache.size >= RENDER_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, pdf);
    }
    return pdf;
  }
}
