/**
 * The seeded dataset behind the fixtures and the ERP simulator: what the ERP "knows" for one agent
 * account. It is the ground truth the parser tests compare against field by field, so every record
 * holds exactly the record fields of its export table (`recordFields`) with the values the parser
 * emits: numbers as numbers, dates `YYYY-MM-DD`, date-times `YYYY-MM-DDTHH:mm:ss`, booleans, `null` for
 * an empty cell, DDT tracking as `trackingCourier`/`trackingNumber`/`trackingUrl`.
 *
 * This module only runs the exports' hooks (`simulator.dataset` of each definition, see
 * `simulator-hooks.ts`) in registry order; how each export's records are made, ordered and changed is
 * in `src/exports/<name>.simulator.ts`. What a particular layout shows of it (hidden columns → `null`)
 * is `projectRecords` in `layouts.ts`.
 */
import { EXPORT_TYPES, exportDefinition, exportTable, type ExportType } from '../exports/registry.js';
import type { ExportRecord } from '../parsers/types.js';
import { DAY_MS, isoDateTime, maxIso, toLocalMs } from './calendar.js';
import { GenerationContext, byType, joinKey, type Dataset, type GenerationExports } from './generation-context.js';
import { INTERNAL_NOTES } from './italian-data.js';
import { createRandom } from './random.js';
import type { DatasetHooks, DatasetOptions } from './simulator-hooks.js';

export type { Dataset } from './generation-context.js';
export type { DatasetOptions } from './simulator-hooks.js';

/** The present of a default dataset (the sample exports are of January 2026). */
export const DEFAULT_NOW = '2026-01-20T18:30:00';

/** The account a dataset belongs to when none is named. */
export const DEFAULT_ACCOUNT = 'default';

/** The built-in exports, as a generation context reads them. */
const EXPORTS: GenerationExports = { types: EXPORT_TYPES, definition: exportDefinition };

/** The key of a record as one string (`productId|validFrom|quantityFrom` for prices). */
export function recordKey(type: ExportType, record: ExportRecord): string {
  return joinKey(exportTable(type).key, record);
}

/** The dataset hooks of a built-in export (each has them: the fixtures and the simulator cover every one). */
function datasetHooks(type: ExportType): DatasetHooks {
  const hooks = exportDefinition(type).simulator?.dataset;
  if (!hooks) throw new Error(`export ${type} has no simulator dataset hooks`);
  return hooks;
}

/**
 * Generates a consistent dataset: each export in registry order (customers, then their orders, the
 * orders' DDT and invoices; products, then their prices), per-account exports seeded by `seed` and the
 * account, shared ones by `seed` alone.
 */
export function generateDataset(options: DatasetOptions): Dataset {
  const now = options.now ?? DEFAULT_NOW;
  const shared = new GenerationContext(createRandom(`${options.seed}/shared`), now, EXPORTS);
  const own = new GenerationContext(createRandom(`${options.seed}/account/${options.account ?? DEFAULT_ACCOUNT}`), now, EXPORTS);
  const dataset = byType(EXPORT_TYPES, (): ExportRecord[] => []);
  for (const type of EXPORT_TYPES) dataset[type] = datasetHooks(type).generate(exportTable(type).perAccount ? own : shared, dataset, options);
  for (const type of EXPORT_TYPES) datasetHooks(type).complete?.(dataset[type], dataset);
  return sortDataset(dataset);
}

/** The newest creation time in a dataset (`DatasetHooks.newest` of each export: its newest order), `''` for none. */
export function newestRecord(dataset: Dataset): string {
  return EXPORT_TYPES.reduce((max, type) => maxIso(max, datasetHooks(type).newest?.(dataset[type]) ?? ''), '');
}

function sortDataset(dataset: Dataset): Dataset {
  for (const type of EXPORT_TYPES) dataset[type].sort(datasetHooks(type).listOrder);
  return dataset;
}

/** How much of a dataset `mutateDataset` changes, adds and removes (shares of each export's records). */
export interface MutationOptions {
  seed: number | string;
  /** Share of the remaining records that get one field changed. */
  changeShare: number;
  /** New records, as a share of each export's original count. */
  addShare: number;
  /** Share of each export's records removed. */
  removeShare: number;
}

/**
 * A changed copy of a dataset, as the ERP would export it some days later: per export, `removeShare`
 * of the records removed, `changeShare` of the rest edited (at least one field differs), and
 * `addShare` × the original count added with fresh keys (removed keys are never reused). The copy's
 * present moves one to three days past its newest record (`DatasetHooks.newest`: its newest order). The
 * input is not modified.
 */
export function mutateDataset(dataset: Dataset, options: MutationOptions): Dataset {
  const random = createRandom(`mutate/${options.seed}`);
  const copy = structuredClone(dataset);
  const now = isoDateTime(toLocalMs(maxIso(DEFAULT_NOW, newestRecord(copy))) + random.int(1, 3) * DAY_MS);
  const ctx = new GenerationContext(random, now, EXPORTS);
  ctx.registerDataset(copy);
  for (const type of EXPORT_TYPES) {
    const hooks = datasetHooks(type);
    const original = copy[type].length;
    const doomed = new Set(random.shuffle(copy[type]).slice(0, Math.round(original * options.removeShare)));
    copy[type] = copy[type].filter((record) => !doomed.has(record));
    for (const record of random.shuffle(copy[type]).slice(0, Math.round(copy[type].length * options.changeShare))) {
      const changes = random.shuffle(hooks.changes);
      changes.some((change) => change(ctx, record));
    }
    copy[type].push(...hooks.add(ctx, copy, Math.round(original * options.addShare)));
  }
  return sortDataset(copy);
}

/**
 * Adds an `extra` entry to every record, as the parser reports a column the export table does not know
 * (`{ "NOTE INTERNE": "…" }`, keyed by the normalised header). Every record gets a non-empty value so
 * that the ground truth does not depend on how the parser reports an empty unknown cell.
 */
export function withExtraColumn(records: readonly ExportRecord[], header: string, seed: number | string): ExportRecord[] {
  const random = createRandom(`extra/${seed}/${header}`);
  return records.map((record) => ({ ...record, extra: { ...record.extra, [header]: random.pick(INTERNAL_NOTES) } }));
}

/** Keys that appear more than once in an export (empty for a valid dataset). */
export function duplicateKeys(type: ExportType, records: readonly ExportRecord[]): string[] {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const record of records) {
    const key = recordKey(type, record);
    if (seen.has(key)) duplicates.push(key);
    seen.add(key);
  }
  return duplicates;
}
