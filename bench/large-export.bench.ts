import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateDataset } from '../src/simulator/dataset.js';
import { generateLargeFixtures, LARGE_DATASET } from '../src/simulator/fixtures.js';
import { renderExportToFile } from '../src/simulator/render-export.js';
import type { BenchRow } from './report.js';
import { median } from './stats.js';

/**
 * Benchmarks of issue 12 ("Linear time and lean memory on the biggest exports"). Every figure comes from
 * whole processes started here, as an operator runs them (process start included), measured by the
 * operating system through GNU time (`/usr/bin/time`): wall and CPU seconds and peak RSS. Ratios are
 * medians of pairs run one after the other (A B A B …), so that a machine whose speed drifts moves both
 * sides of a pair alike.
 */

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const CACHE = join(import.meta.dirname, '.cache', 'fixtures');
const TIME = '/usr/bin/time';
const CLI = ['bin/sync-orchestrator.js'];
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
/** Pairs of 15,000-page parses (the old path takes minutes each). */
const LARGE_PAIRS = Number(process.env.BENCH_LARGE_PAIRS ?? 3);
/** Pairs of the ~280-page orders parse against bare pdf.js. */
const SMALL_PAIRS = 7;
/** Runs of the small import whose peak RSS is taken. */
const IMPORT_RUNS = 5;

/** What GNU time says of one finished command, and what it printed. */
interface Measured {
  wallS: number;
  cpuS: number;
  peakMiB: number;
  stdout: string;
}

async function measure(args: string[]): Promise<Measured> {
  if (!existsSync(TIME)) throw new Error(`${TIME} (GNU time) is needed to measure whole processes: apt-get install time`);
  const out = join(mkdtempSync(join(tmpdir(), 'bench-time-')), 'time.txt');
  const { stdout } = await run(TIME, ['-f', '%e %U %S %M', '-o', out, ...args], { cwd: ROOT, maxBuffer: 256 * 2 ** 20 });
  const [wall, user, sys, kib] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  rmSync(join(out, '..'), { recursive: true, force: true });
  return { wallS: wall!, cpuS: user! + sys!, peakMiB: kib! / 1024, stdout };
}

const spread = (xs: number[], digits = 2): string => `median ${median(xs).toFixed(digits)} (min ${Math.min(...xs).toFixed(digits)}, max ${Math.max(...xs).toFixed(digits)})`;

/** Runs every benchmark of this section and returns its rows. */
export async function benchLargeExport(log: (line: string) => void): Promise<BenchRow[]> {
  log('generating large fixtures (cached in bench/.cache)…');
  await generateLargeFixtures(CACHE);
  const rows: BenchRow[] = [];
  rows.push(...(await smallImportMemory(log)));
  rows.push(await ordersAgainstBarePdfjs(await ordersOfAbout280Pages(), log));
  rows.push(...(await largePriceExport(join(CACHE, 'prices-5000-row-per-cycle.pdf'), log)));
  return rows;
}

/** The real orders export's size class: ~1,000 orders, 7 pages a cycle, ~280 pages. */
async function ordersOfAbout280Pages(): Promise<string> {
  const file = join(CACHE, 'orders-1000.pdf');
  if (!existsSync(file)) await renderExportToFile(file, 'orders', generateDataset({ ...LARGE_DATASET, orders: 1000 }).orders, { variant: '7p' });
  return file;
}

/** Peak RSS of `import` of a small export (the committed invoices fixture, type detected as by default). */
async function smallImportMemory(log: (line: string) => void): Promise<BenchRow[]> {
  const peaks: number[] = [];
  for (let i = 0; i < IMPORT_RUNS; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-import-'));
    peaks.push((await measure([process.execPath, ...CLI, 'import', 'fixtures/exports/invoices.pdf', '--data-dir', dataDir])).peakMiB);
    rmSync(dataDir, { recursive: true, force: true });
  }
  log(`  import of fixtures/exports/invoices.pdf (14 pages): peak RSS ${spread(peaks, 1)} MiB over ${IMPORT_RUNS} runs`);
  return [{ name: 'peak RSS of `import` of a 14-page export, type detected (MiB)', value: median(peaks), target: '≤ 200', pass: median(peaks) <= 200 }];
}

/** `parse` of a ~280-page orders export ÷ bare pdf.js `getTextContent` of every page, process start included. */
async function ordersAgainstBarePdfjs(file: string, log: (line: string) => void): Promise<BenchRow> {
  const ratios: number[] = [];
  const ours: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i <= SMALL_PAIRS; i++) {
    const a = await measure([process.execPath, ...CLI, 'parse', file, '--type', 'orders', '--format', 'summary']);
    const b = await measure([process.execPath, 'bench/bare-text-content.mjs', file]);
    if (i === 0) continue; // warm-up pair: file cache, tsx's transform cache
    ours.push(a.wallS);
    bare.push(b.wallS);
    ratios.push(a.wallS / b.wallS);
  }
  log(`  orders (~280 pages): parse ${spread(ours)} s, bare getTextContent ${spread(bare)} s; ratio ${spread(ratios)}`);
  return { name: 'parse of a ~280-page orders export ÷ bare pdf.js getTextContent (wall, whole process)', value: median(ratios), target: '≤ 1.5', pass: median(ratios) <= 1.5 };
}

interface ChildResult {
  ms: number;
  cpuMs: number;
  peakMiB: number;
  records: number;
  pages: number;
  /** `[pagesDone, wallMs, cpuMs]` at each progress report. */
  progress: [number, number, number][];
}

/** The elapsed time (column 1 wall, 2 CPU) at which `pages` pages were done, interpolated between reports. */
function timeAtPage(progress: ChildResult['progress'], pages: number, column: 1 | 2): number {
  const i = progress.findIndex((p) => p[0] >= pages);
  if (i <= 0) return progress[Math.max(i, 0)]![column];
  const [p0, p1] = [progress[i - 1]!, progress[i]!];
  return p0[column] + ((p1[column] - p0[column]) * (pages - p0[0])) / (p1[0] - p0[0]);
}

/**
 * The 15,000-page price export, balanced page tree against pdf.js's own walk (`--page-tree as-is`), in
 * pairs of fresh processes: time and peak RSS of each, and within the balanced runs the time of the last
 * 1,000 pages against the first 1,000 (CPU time of the process: less disturbed by other load than wall).
 */
async function largePriceExport(file: string, log: (line: string) => void): Promise<BenchRow[]> {
  const child = async (pageTree: string): Promise<ChildResult & { wallS: number }> => {
    const m = await measure([process.execPath, TSX, 'bench/parse-child.ts', file, '--type', 'prices', '--page-tree', pageTree]);
    return { ...(JSON.parse(m.stdout) as ChildResult), wallS: m.wallS, peakMiB: m.peakMiB };
  };
  const speedups: number[] = [];
  const cpuSpeedups: number[] = [];
  const tailRatios: number[] = [];
  const peaks = { balanced: [] as number[], asIs: [] as number[] };
  for (let i = 0; i < LARGE_PAIRS; i++) {
    const balanced = await child('balanced');
    const asIs = await child('as-is');
    if (balanced.records !== asIs.records) throw new Error(`the two paths read ${balanced.records} and ${asIs.records} records`);
    speedups.push(asIs.wallS / balanced.wallS);
    cpuSpeedups.push(asIs.cpuMs / balanced.cpuMs);
    peaks.balanced.push(balanced.peakMiB);
    peaks.asIs.push(asIs.peakMiB);
    const pages = balanced.pages;
    const first = timeAtPage(balanced.progress, 1000, 2) - timeAtPage(balanced.progress, 1, 2);
    const last = timeAtPage(balanced.progress, pages, 2) - timeAtPage(balanced.progress, pages - 1000, 2);
    tailRatios.push(last / first);
    log(
      `  prices 15,000 pages, pair ${i + 1}: balanced ${balanced.wallS.toFixed(1)} s (CPU ${(balanced.cpuMs / 1000).toFixed(1)} s, peak ${balanced.peakMiB.toFixed(0)} MiB), ` +
        `as-is ${asIs.wallS.toFixed(1)} s (CPU ${(asIs.cpuMs / 1000).toFixed(1)} s, peak ${asIs.peakMiB.toFixed(0)} MiB); last/first 1,000 pages ${(last / first).toFixed(2)}`,
    );
  }
  const peakRatio = median(peaks.balanced) / median(peaks.asIs);
  log(`  speed-up (wall) ${spread(speedups)}, (CPU) ${spread(cpuSpeedups)}; last/first 1,000 pages ${spread(tailRatios)}`);
  return [
    { name: '15,000-page parse: last 1,000 pages ÷ first 1,000 (CPU time)', value: median(tailRatios), target: '≤ 1.2', pass: median(tailRatios) <= 1.2 },
    { name: '15,000-page parse: pdf.js page walk (old) ÷ balanced tree (wall)', value: median(speedups), target: '≥ 2', pass: median(speedups) >= 2 },
    { name: '15,000-page parse: peak RSS balanced tree (MiB)', value: median(peaks.balanced), target: 'report', pass: true },
    { name: '15,000-page parse: peak RSS balanced ÷ old page walk', value: peakRatio, target: '≤ 1.0', pass: peakRatio <= 1.0 },
  ];
}
