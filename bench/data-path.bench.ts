import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { CycleAssembler } from '../src/parsers/cycle-assembler.js';
import { buildPageGrid } from '../src/parsers/grid.js';
import { parseExportFile } from '../src/parsers/parse-export.js';
import { openPdf, readPage } from '../src/parsers/pdf-page-reader.js';
import type { ExportRecord, ParsedExport } from '../src/parsers/types.js';
import { generateDataset } from '../src/simulator/dataset.js';
import { generateLargeFixtures, LARGE_DATASET } from '../src/simulator/fixtures.js';
import { renderExportToFile } from '../src/simulator/render-export.js';
import { ordersDatabase } from '../src/stores/orders-db.js';
import { tableLayout } from '../src/stores/record-columns.js';
import { openRecordStore } from '../src/stores/sqlite-record-store.js';
import { openSqlite } from '../src/stores/sqlite.js';
import { applyExport, BATCH_SIZE } from '../src/sync/apply-export.js';
import type { BenchRow } from './report.js';

/**
 * Benchmarks of the data path (issue "Read the ERP's six PDF exports…"): every figure is a ratio of two
 * things measured side by side in this run, because the machines are shared and absolute times vary.
 */

const CACHE = join(import.meta.dirname, '.cache', 'fixtures');
/** Pages read for the extraction ratio: enough to leave warm-up behind, few enough to repeat. */
const EXTRACTION_PAGES = 700;
/** Each side of a ratio is measured this many times, alternating; the best run of each is kept. */
const REPEATS = 3;

/** Runs every data-path benchmark and returns its rows. */
export async function benchDataPath(log: (line: string) => void): Promise<BenchRow[]> {
  log('generating large fixtures (cached in bench/.cache)…');
  const large = await generateLargeFixtures(CACHE);
  for (const f of large) log(`  ${f.file}: ${f.generated ? `generated in ${(f.milliseconds / 1000).toFixed(1)} s` : 'cached'}`);
  const orders = join(CACHE, 'orders-50000.pdf');
  const prices = join(CACHE, 'prices-5000-row-per-cycle.pdf');
  const thousandPages = await ordersOfAboutThousandPages();

  const rows: BenchRow[] = [];
  rows.push(await extractionRatio(orders, log));
  const parsedOrders = await parseExportFile(orders, { type: 'orders' });
  rows.push(await pipelineThroughput(parsedOrders, log));
  rows.push(...(await unchangedReimport(join(CACHE, 'products-5000.pdf'), log)));
  rows.push(await eventLoopDelay(thousandPages, log));
  rows.push(...(await memoryGrowth(prices, log)));
  return rows;
}

async function ordersOfAboutThousandPages(): Promise<string> {
  const file = join(CACHE, 'orders-3500.pdf');
  if (!existsSync(file)) {
    const dataset = generateDataset({ ...LARGE_DATASET, orders: 3500 });
    await renderExportToFile(file, 'orders', dataset.orders, { variant: '7p' });
  }
  return file;
}

/** Our extraction (operator list → cells → records) ÷ bare `getTextContent`, in ms per page. */
async function extractionRatio(file: string, log: (line: string) => void): Promise<BenchRow> {
  const bytes = readFileSync(file);
  const bare = async (): Promise<number> => {
    const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0 }).promise;
    const t0 = performance.now();
    for (let n = 1; n <= EXTRACTION_PAGES; n++) {
      const page = await doc.getPage(n);
      await page.getTextContent();
      page.cleanup();
    }
    const ms = (performance.now() - t0) / EXTRACTION_PAGES;
    await doc.destroy();
    return ms;
  };
  const ours = async (): Promise<number> => {
    const doc = await openPdf(new Uint8Array(bytes));
    const assembler = new CycleAssembler('orders');
    let records = 0;
    const t0 = performance.now();
    for (let n = 1; n <= EXTRACTION_PAGES; n++) {
      const page = await doc.getPage(n);
      records += assembler.addPage(buildPageGrid(await readPage(page))).length;
      page.cleanup();
    }
    const ms = (performance.now() - t0) / EXTRACTION_PAGES;
    await doc.destroy();
    if (records === 0) throw new Error('extraction benchmark produced no records');
    return ms;
  };
  await bare(); // warm-up: JIT and font loading for both paths
  await ours();
  const b: number[] = [];
  const o: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    b.push(await bare());
    o.push(await ours());
  }
  const ratio = Math.min(...o) / Math.min(...b);
  log(`  extraction: ours ${Math.min(...o).toFixed(2)} ms/page, bare getTextContent ${Math.min(...b).toFixed(2)} ms/page`);
  return { name: 'extraction ms/page ÷ bare pdf.js getTextContent', value: ratio, target: '≤ 1.15', pass: ratio <= 1.15 };
}

/** Parse output → hash → upsert (rows/s) ÷ raw better-sqlite3 batched upsert of the same rows. */
async function pipelineThroughput(parsed: ParsedExport, log: (line: string) => void): Promise<BenchRow> {
  const records = parsed.records;
  const ours = async (): Promise<number> => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-pipeline-'));
    const t0 = performance.now();
    const result = await applyExport('in-memory', { type: 'orders', account: 'bench', openStore: (database) => openRecordStore(dir, database), parse: async () => parsed });
    const seconds = (performance.now() - t0) / 1000;
    rmSync(dir, { recursive: true, force: true });
    if (result.stats.inserted !== records.length) throw new Error(`pipeline inserted ${result.stats.inserted} of ${records.length}`);
    return records.length / seconds;
  };
  const raw = async (): Promise<number> => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-raw-'));
    const db = openSqlite(join(dir, 'orders.db'), ordersDatabase.migrations);
    const layout = tableLayout('orders');
    const cols = ['account', ...layout.columns, 'hash', 'created_at', 'updated_at'];
    const insert = db.prepare(
      `INSERT INTO orders (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
       ON CONFLICT (account, erp_id) DO UPDATE SET ${cols.map((c) => `${c} = excluded.${c}`).join(', ')} WHERE hash <> excluded.hash`,
    );
    const now = new Date().toISOString();
    const toRow = (r: ExportRecord): unknown[] => ['bench', ...layout.fields.map((f) => sqlValue(r[f])), String(r.erpId), now, now];
    const batch = db.transaction((rs: ExportRecord[]) => {
      for (const r of rs) insert.run(toRow(r));
    });
    const t0 = performance.now();
    for (let i = 0; i < records.length; i += BATCH_SIZE) {
      batch(records.slice(i, i + BATCH_SIZE));
      await new Promise((r) => setImmediate(r));
    }
    const seconds = (performance.now() - t0) / 1000;
    db.close();
    rmSync(dir, { recursive: true, force: true });
    return records.length / seconds;
  };
  const o: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    r.push(await raw());
    o.push(await ours());
  }
  const ratio = Math.max(...o) / Math.max(...r);
  log(`  pipeline: ours ${Math.round(Math.max(...o))} rows/s, raw batched upsert ${Math.round(Math.max(...r))} rows/s (${records.length} orders)`);
  return { name: 'pipeline rows/s ÷ raw better-sqlite3 batched upsert', value: ratio, target: '≥ 0.5', pass: ratio >= 0.5 };
}

function sqlValue(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v ?? null;
}

/** Re-import of an unchanged export: rows written (total_changes) and wall time ÷ parse-only time. */
async function unchangedReimport(file: string, log: (line: string) => void): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-reimport-'));
  const store = openRecordStore(dir, 'products');
  try {
    await applyExport(file, { type: 'products', account: 'bench', stores: { products: store } });
    const parseTimes: number[] = [];
    const importTimes: number[] = [];
    let written = 0;
    for (let i = 0; i < REPEATS; i++) {
      let t0 = performance.now();
      await parseExportFile(file, { type: 'products' });
      parseTimes.push(performance.now() - t0);
      const before = totalChanges(store.db);
      t0 = performance.now();
      const result = await applyExport(file, { type: 'products', account: 'bench', stores: { products: store } });
      importTimes.push(performance.now() - t0);
      written += totalChanges(store.db) - before;
      if (result.stats.unchanged !== result.stats.parsed) throw new Error('re-import saw changes in an unchanged export');
    }
    const ratio = Math.min(...importTimes) / Math.min(...parseTimes);
    log(`  re-import: ${written} rows written; ${Math.min(...importTimes).toFixed(0)} ms vs parse-only ${Math.min(...parseTimes).toFixed(0)} ms`);
    return [
      { name: 'unchanged re-import: rows written (total_changes)', value: written, target: '= 0', pass: written === 0 },
      { name: 'unchanged re-import wall time ÷ parse-only time', value: ratio, target: '≤ 1.10', pass: ratio <= 1.1 },
    ];
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function totalChanges(db: { prepare(sql: string): { pluck(): { get(): unknown } } }): number {
  return Number(db.prepare('SELECT total_changes()').pluck().get());
}

/** Main-thread event-loop delay (max) while a ~1,000-page export is parsed and applied. */
async function eventLoopDelay(file: string, log: (line: string) => void): Promise<BenchRow> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-eld-'));
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let pages = 0;
  const result = await applyExport(file, {
    type: 'orders',
    account: 'bench',
    openStore: (database) => openRecordStore(dir, database),
    onProgress: (p) => {
      if (p.phase === 'parsing') pages = p.pagesTotal;
    },
  });
  histogram.disable();
  rmSync(dir, { recursive: true, force: true });
  const maxMs = histogram.max / 1e6;
  log(`  event loop: max delay ${maxMs.toFixed(1)} ms, p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms over ${pages} pages, ${result.stats.inserted} rows`);
  return { name: `event-loop delay max while a ${pages}-page export is parsed and applied (ms)`, value: maxMs, target: '≤ 100', pass: maxMs <= 100 };
}

/**
 * Peak RSS and RSS growth per 1,000 pages while the 15,000-page price export is parsed: the slope of
 * RSS against pages read over the second half of the parse (after pdf.js has warmed up) must be flat.
 */
async function memoryGrowth(file: string, log: (line: string) => void): Promise<BenchRow[]> {
  const samples: { pages: number; rss: number }[] = [];
  let peak = 0;
  const parsed = await parseExportFile(file, {
    type: 'prices',
    onProgress: (p) => {
      const rss = process.memoryUsage.rss();
      peak = Math.max(peak, rss);
      samples.push({ pages: p.pagesDone, rss });
    },
  });
  const total = parsed.layout.pages;
  const tail = samples.filter((s) => s.pages >= total / 2);
  const slope = linearSlope(tail.map((s) => s.pages), tail.map((s) => s.rss)) * 1000 / 2 ** 20;
  log(`  memory: ${total} pages, ${parsed.records.length} records, peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB, growth ${slope.toFixed(2)} MiB per 1,000 pages`);
  return [
    { name: 'peak RSS while parsing the 15,000-page price export (MiB)', value: peak / 2 ** 20, target: 'report', pass: true },
    { name: 'RSS growth per 1,000 pages, second half of the parse (MiB)', value: slope, target: '≤ 2 (flat)', pass: slope <= 2 },
  ];
}

function linearSlope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
