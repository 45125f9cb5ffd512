import { join } from 'node:path';
import { benchBrowser } from './browser.bench.js';
import { benchCapacity } from './capacity.bench.js';
import { benchDataPath } from './data-path.bench.js';
import { benchLargeExport } from './large-export.bench.js';
import { benchOperator } from './operator.bench.js';
import { benchOrchestrator } from './orchestrator.bench.js';
import { formatReport, writeResults, type BenchSection } from './report.js';

/**
 * `npm run bench`: runs every benchmark section, prints one table of ratios measured side by side in
 * this run, and writes it to `bench/results.json`. Exits non-zero when a goal is missed.
 * `npm run bench -- data-path` runs only the named sections; `--quick` shortens the capacity search.
 */
const SECTIONS: Record<string, (log: (line: string) => void) => Promise<BenchSection['rows']>> = {
  'data-path': benchDataPath,
  'large-export': benchLargeExport,
  orchestrator: benchOrchestrator,
  operator: benchOperator,
  browser: async (log) => {
    const { rows, skipped } = await benchBrowser();
    if (skipped) log(`  skipped: ${skipped}`);
    return rows;
  },
  capacity: benchCapacity,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const sections: BenchSection[] = [];
for (const [name, run] of Object.entries(SECTIONS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  log(`# ${name}`);
  sections.push({ section: name, rows: await run(log) });
}
const report = formatReport(sections);
log(report);
writeResults(join(import.meta.dirname, 'results.json'), sections);
process.exitCode = sections.some((s) => s.rows.some((r) => !r.pass)) ? 1 : 0;
