/**
 * The fixture sets: small committed PDFs with their ground truth (one per export for the default
 * account, plus one per layout variant and fault), and large cached PDFs for benchmarks.
 *
 * Every PDF `<name>.pdf` has a ground truth `<name>.json`:
 * `{ type, variant, cycleSize, pages, cycles, ghostRows?, fault?, footer, records }` where `records` is
 * exactly what a parser must emit, in document order (`projectRecords`), and `footer` the summary cells
 * drawn (page of the cycle, column header, text). A fixture with `fault` must be rejected
 * (`ExportInvalidError`); its `records` are what was drawn, for diagnosis only.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPORT_TYPES, type ExportType } from '../exports/registry.js';
import type { ExportRecord } from '../parsers/types.js';
import { generateDataset, withExtraColumn, type Dataset, type DatasetOptions } from './dataset.js';
import { defaultVariant, getLayout, projectRecords } from './layouts.js';
import { renderExportToFile, type FooterCellText, type RenderOptions, type RenderSummary } from './render-export.js';

/** The repository's root directory. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Seed and size of the committed fixtures: enough for several cycles and wrapped rows, a few hundred kB. */
export const SMALL_DATASET: DatasetOptions = { seed: 20260120, customers: 60, products: 80, prices: 40, orders: 60 };

/** Seed and size of the benchmark fixtures (real volumes and beyond, ERP-EXPORTS §1). */
export const LARGE_DATASET: DatasetOptions = { seed: 'large-20260120', customers: 1400, products: 5000, prices: 5000, orders: 50000 };

/** Seed and size of the fixture whose footer counts past a thousand (`Count=1.050`): price rows are the smallest. */
export const THOUSAND_ROWS_DATASET: DatasetOptions = { seed: 20260120, customers: 0, products: 300, prices: 1050, orders: 0 };

/** Why a fixture must be rejected. */
export type Fault = 'missing-required-column' | 'truncated' | 'misaligned-cycle' | 'sum-mismatch' | 'count-mismatch';

/** One fixture: which export, which layout, which records and how to draw them. */
export interface FixtureSpec {
  name: string;
  type: ExportType;
  variant: string;
  /** Picks and prepares the records from the dataset (default: all records of `type`). */
  records?: (dataset: Dataset) => ExportRecord[];
  render?: Omit<RenderOptions, 'variant'>;
  fault?: Fault;
  /** The dataset to draw from, when not `SMALL_DATASET`. */
  dataset?: DatasetOptions;
}

/** The ground truth file written next to each fixture PDF. */
export interface GroundTruth {
  type: ExportType;
  variant: string;
  cycleSize: number;
  pages: number;
  cycles: number;
  ghostRows?: number;
  fault?: Fault;
  footer: FooterCellText[];
  records: ExportRecord[];
}

/** The services of the directory export source, one PDF each: `fixtures/exports/<service>.pdf`. */
export const EXPORT_FIXTURES: readonly FixtureSpec[] = EXPORT_TYPES.map((type) => ({ name: type, type, variant: defaultVariant(type) }));

/** Layout variants and faults: `fixtures/variants/<name>.pdf`. */
export const VARIANT_FIXTURES: readonly FixtureSpec[] = [
  { name: 'customers-8p', type: 'customers', variant: '8p' },
  { name: 'customers-9p', type: 'customers', variant: '9p' },
  { name: 'products-5p', type: 'products', variant: '5p' },
  { name: 'products-8p', type: 'products', variant: '8p' },
  { name: 'products-9p', type: 'products', variant: '9p' },
  { name: 'ddt-6p', type: 'ddt', variant: '6p' },
  { name: 'ddt-7p', type: 'ddt', variant: '7p' },
  { name: 'orders-7p', type: 'orders', variant: '7p' },
  { name: 'orders-extra-column', type: 'orders', variant: 'extra-column', records: (d) => withExtraColumn(d.orders, 'NOTE INTERNE', 'orders-extra-column') },
  { name: 'orders-missing-required', type: 'orders', variant: 'missing-required', fault: 'missing-required-column' },
  { name: 'orders-truncated', type: 'orders', variant: '7p', render: { truncate: true }, fault: 'truncated' },
  { name: 'orders-empty', type: 'orders', variant: '7p', records: () => [] },
  { name: 'orders-misaligned', type: 'orders', variant: '7p', render: { dropRowOnPage: { cycle: 2, page: 4 } }, fault: 'misaligned-cycle' },
  { name: 'orders-ghost-rows', type: 'orders', variant: '7p', render: { ghostRows: 6 } },
  // Layout drift: an optional column hidden, or printed under a header the table does not know.
  { name: 'orders-hidden-reference', type: 'orders', variant: 'hidden-reference' },
  { name: 'orders-renamed-reference', type: 'orders', variant: 'renamed-reference', records: (d) => withRenamedColumn(d.orders, 'customerReference', 'RIF. CLIENTE') },
  { name: 'customers-hidden-pec-phone', type: 'customers', variant: 'hidden-pec-phone' },
  { name: 'invoices-7p', type: 'invoices', variant: '7p' },
  { name: 'invoices-with-order-number', type: 'invoices', variant: 'with-order-number' },
  { name: 'prices-3p', type: 'prices', variant: '3p' },
  { name: 'prices-row-per-cycle', type: 'prices', variant: '3p', records: (d) => d.prices.slice(0, 12), render: { maxRowsPerPage: 1 } },
  // Footer forms (ERP-EXPORTS §1). The real ones are the defaults above: orders (Count under ID, two
  // Sums), DDT (Count under the third column, Sum of TOTALE), invoices (Sums only, pages 2, 3, 6 and 7),
  // customers-8p (Count under ID, Sums on pages 5 and 6).
  { name: 'orders-footer-count-first', type: 'orders', variant: '7p', render: { footer: [{ field: 'erpId', kind: 'Count' }] } },
  {
    name: 'prices-footer-count-thousands', type: 'prices', variant: '3p', dataset: THOUSAND_ROWS_DATASET,
    render: { footer: [{ field: 'productId', kind: 'Count' }, { field: 'unitPrice', kind: 'Sum' }] },
  },
  {
    name: 'products-footer-min-max-avg', type: 'products', variant: '8p',
    render: { footer: [{ field: 'minQuantity', kind: 'Min' }, { field: 'maxQuantity', kind: 'Max' }, { field: 'purchasePrice', kind: 'Avg' }] },
  },
  {
    name: 'orders-footer-sum-mismatch', type: 'orders', variant: '7p', fault: 'sum-mismatch',
    render: { footer: [{ field: 'erpId', kind: 'Count' }, { field: 'grossAmount', kind: 'Sum' }, { field: 'totalAmount', kind: 'Sum', skew: 10 }] },
  },
  {
    name: 'ddt-footer-count-mismatch', type: 'ddt', variant: '7p', fault: 'count-mismatch',
    render: { footer: [{ field: 'ddtNumber', kind: 'Count', skew: 1 }, { field: 'quantity', kind: 'Sum' }] },
  },
];

/**
 * `records` as a layout that prints `field` under `header`, a header its table does not know, draws them:
 * the renderer prints an unknown column from `extra`, so the field's text goes there (empty when null).
 */
export function withRenamedColumn(records: readonly ExportRecord[], field: string, header: string): ExportRecord[] {
  return records.map((record) => ({ ...record, extra: { ...record.extra, [header]: record[field] === null || record[field] === undefined ? '' : String(record[field]) } }));
}

/** The fixtures of each footer form that must parse: the mutation tests cut each of them short. */
export const FOOTER_FORMS: readonly string[] = [
  'orders-7p', 'ddt-7p', 'invoices-7p', 'customers-8p', 'orders-footer-count-first', 'prices-footer-count-thousands', 'products-footer-min-max-avg',
];

/** What writing one fixture produced. */
export interface FixtureResult {
  file: string;
  summary: RenderSummary;
  records: number;
}

/** The records a fixture draws, from its own dataset when it names one (generated once per options). */
export function fixtureRecords(spec: FixtureSpec, dataset: Dataset): ExportRecord[] {
  const source = spec.dataset ? datasetFor(spec.dataset) : dataset;
  return spec.records ? spec.records(source) : source[spec.type];
}

const datasets = new Map<string, Dataset>();

function datasetFor(options: DatasetOptions): Dataset {
  const key = JSON.stringify(options);
  let dataset = datasets.get(key);
  if (!dataset) {
    dataset = generateDataset(options);
    datasets.set(key, dataset);
  }
  return dataset;
}

/** Renders one fixture and its ground truth into `dir`. */
export async function writeFixture(dir: string, spec: FixtureSpec, dataset: Dataset): Promise<FixtureResult> {
  const drawn = fixtureRecords(spec, dataset);
  const file = join(dir, `${spec.name}.pdf`);
  const summary = await renderExportToFile(file, spec.type, drawn, { ...spec.render, variant: spec.variant });
  const truth: GroundTruth = {
    type: spec.type,
    variant: spec.variant,
    cycleSize: summary.cycleSize,
    pages: summary.pages,
    cycles: summary.cycles,
    ...(spec.render?.ghostRows ? { ghostRows: spec.render.ghostRows } : {}),
    ...(spec.fault ? { fault: spec.fault } : {}),
    footer: summary.footer,
    records: projectRecords(getLayout(spec.type, { variant: spec.variant }), drawn),
  };
  await writeFile(join(dir, `${spec.name}.json`), serialiseGroundTruth(truth));
  return { file, summary, records: drawn.length };
}

/** JSON with one record per line: small, and diffs show which records changed. */
export function serialiseGroundTruth(truth: GroundTruth): string {
  const { records, ...head } = truth;
  const lines = records.map((record) => JSON.stringify(record));
  const body = lines.length > 0 ? `[\n${lines.join(',\n')}\n]` : '[]';
  return `${JSON.stringify(head).slice(0, -1)},"records":${body}}\n`;
}

/** Writes the committed fixtures: `<root>/exports/<service>.{pdf,json}` and `<root>/variants/<name>.{pdf,json}`. */
export async function writeFixtures(root = join(REPO_ROOT, 'fixtures')): Promise<FixtureResult[]> {
  const dataset = generateDataset(SMALL_DATASET);
  const results: FixtureResult[] = [];
  for (const [sub, specs] of [['exports', EXPORT_FIXTURES], ['variants', VARIANT_FIXTURES]] as const) {
    const dir = join(root, sub);
    await mkdir(dir, { recursive: true });
    for (const spec of specs) results.push(await writeFixture(dir, spec, dataset));
  }
  return results;
}

/** The benchmark fixtures (not committed). */
export const LARGE_FIXTURES: readonly FixtureSpec[] = [
  { name: 'products-5000', type: 'products', variant: defaultVariant('products') },
  // The real price export puts every row in a cycle of its own (14,928 pages once): 5,000 rows → 15,000 pages.
  { name: 'prices-5000-row-per-cycle', type: 'prices', variant: '3p', render: { maxRowsPerPage: 1 } },
  { name: 'orders-50000', type: 'orders', variant: '7p' },
];

/** What `generateLargeFixtures` did for one fixture. */
export interface LargeFixtureResult {
  file: string;
  /** False when the cached file was kept. */
  generated: boolean;
  milliseconds: number;
  summary?: RenderSummary;
}

/**
 * Writes the large benchmark fixtures into `dir` (with ground truth), skipping those already present
 * (both PDF and JSON): 5,000 products, 5,000 price rows at one row per cycle, 50,000 orders.
 */
export async function generateLargeFixtures(dir = join(REPO_ROOT, 'bench', '.cache', 'fixtures')): Promise<LargeFixtureResult[]> {
  await mkdir(dir, { recursive: true });
  const missing = LARGE_FIXTURES.filter((spec) => !existsSync(join(dir, `${spec.name}.pdf`)) || !existsSync(join(dir, `${spec.name}.json`)));
  const dataset = missing.length > 0 ? generateDataset(LARGE_DATASET) : null;
  const results: LargeFixtureResult[] = [];
  for (const spec of LARGE_FIXTURES) {
    const file = join(dir, `${spec.name}.pdf`);
    if (!dataset || !missing.includes(spec)) {
      results.push({ file, generated: false, milliseconds: 0 });
      continue;
    }
    const started = performance.now();
    const { summary } = await writeFixture(dir, spec, dataset);
    results.push({ file, generated: true, milliseconds: Math.round(performance.now() - started), summary });
  }
  return results;
}
