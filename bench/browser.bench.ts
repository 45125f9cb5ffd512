/**
 * Browser benchmarks (issue 4): what reusing one Chromium saves per run, and whether Chromium's memory
 * creeps up over many runs. Both run the real export path (login once, list view, filter, export,
 * download) against the ERP simulator on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserSource, type BrowserSourceOptions } from '../src/erp/browser-source.js';
import { CHROMIUM_INSTALL_HINT, findChromiumOrNull } from '../src/erp/chromium-path.js';
import { processesWith, residentBytes } from '../src/erp/process-tree.js';
import { startErpSimulator } from '../src/simulator/erp-simulator.js';

/** One result line. */
export interface BenchRow {
  name: string;
  value: number;
  target: string;
  pass: boolean;
}

/** Timed runs per variant of the time ratio (after warm-up). */
const TIMED_RUNS = 8;
/** Runs of the memory measurement (issue 4: "over 100 runs"). */
const RSS_RUNS = 100;
/** Runs before the memory baseline: the first runs fill caches that are not leaks. */
const RSS_WARM_UP = 5;
/** Runs averaged at each end of the memory series. */
const RSS_WINDOW = 20;

const ACCOUNT = { name: 'bench', password: 'bench-pw' };

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** Resident memory of every process of one Chromium (they all carry its profile path), in bytes. */
function chromiumRss(profileDir: string): number {
  return residentBytes(processesWith(profileDir));
}

/**
 * Measures (1) mean wall time of a run with a reused browser ÷ the same run with launch and close per
 * run (target ≤ 0.5), and (2) Chromium RSS growth over 100 runs: mean of the last 20 ÷ mean of the first
 * 20 after warm-up, minus 1 (target ≤ 10 %), with recycling off so that a leak cannot hide behind it.
 * Without Chromium it returns no rows and says why in `skipped`.
 */
export async function benchBrowser(): Promise<{ rows: BenchRow[]; skipped?: string }> {
  const chromium = findChromiumOrNull();
  if (!chromium) return { rows: [], skipped: `no Chromium: ${CHROMIUM_INSTALL_HINT}` };
  const root = mkdtempSync(join(tmpdir(), 'bench-browser-'));
  const sim = await startErpSimulator({ accounts: [ACCOUNT], size: { customers: 40, orders: 60, products: 60, prices: 60 }, loadingDelayMs: 50 });
  const options = (name: string, extra: Partial<BrowserSourceOptions> = {}): BrowserSourceOptions => ({
    erpUrl: sim.url, accounts: [ACCOUNT], dataDir: join(root, name), chromiumPath: chromium, loginsPerDay: 10_000, ...extra,
  });
  const run = (source: BrowserSource, dir: string) => source.download({ service: 'orders', account: ACCOUNT.name, downloadsDir: join(root, dir) });
  try {
    const reused = new BrowserSource(options('reused'));
    const reusedMs: number[] = [];
    try {
      await run(reused, 'reused');
      await run(reused, 'reused');
      for (let i = 0; i < TIMED_RUNS; i++) {
        const started = performance.now();
        await run(reused, 'reused');
        reusedMs.push(performance.now() - started);
      }
    } finally {
      await reused.close();
    }

    const freshMs: number[] = [];
    for (let i = 0; i < TIMED_RUNS; i++) {
      const started = performance.now();
      const fresh = new BrowserSource(options(`fresh-${i}`));
      try {
        await run(fresh, 'fresh');
      } finally {
        await fresh.close();
      }
      freshMs.push(performance.now() - started);
    }

    const long = new BrowserSource(options('rss', { recycleAfterRuns: Number.MAX_SAFE_INTEGER }));
    const rss: number[] = [];
    try {
      for (let i = 0; i < RSS_WARM_UP; i++) await run(long, 'rss');
      for (let i = 0; i < RSS_RUNS; i++) {
        await run(long, 'rss');
        rss.push(chromiumRss(long.stats().profileDir ?? root));
      }
    } finally {
      await long.close();
    }

    const ratio = mean(reusedMs) / mean(freshMs);
    const first = mean(rss.slice(0, RSS_WINDOW));
    const last = mean(rss.slice(-RSS_WINDOW));
    const growth = last / first - 1;
    const mb = (bytes: number): number => Math.round((bytes / 1_048_576) * 10) / 10;
    return {
      rows: [
        { name: 'browser: run time with a reused browser ÷ with launch and close per run', value: Number(ratio.toFixed(3)), target: '≤ 0.5', pass: ratio <= 0.5 },
        { name: `browser: Chromium RSS growth over ${RSS_RUNS} runs (last ${RSS_WINDOW} vs first ${RSS_WINDOW})`, value: Number(growth.toFixed(3)), target: '≤ 0.10', pass: growth <= 0.1 },
        { name: 'browser: mean run, reused browser (ms)', value: Math.round(mean(reusedMs)), target: 'info', pass: true },
        { name: 'browser: mean run, launch and close per run (ms)', value: Math.round(mean(freshMs)), target: 'info', pass: true },
        { name: `browser: Chromium RSS, first ${RSS_WINDOW} runs (MB)`, value: mb(first), target: 'info', pass: true },
        { name: `browser: Chromium RSS, last ${RSS_WINDOW} runs (MB)`, value: mb(last), target: 'info', pass: true },
      ],
    };
  } finally {
    await sim.close();
    rmSync(root, { recursive: true, force: true });
  }
}
