import { parseArgs } from 'node:util';
import { isExportType } from '../src/exports/registry.js';
import { parseExportFile } from '../src/parsers/parse-export.js';
import type { PageTreeMode } from '../src/parsers/read-export.js';

/**
 * One parse of a large export in a process of its own, as the service runs it (worker thread and all),
 * for `large-export.bench.ts`: each run starts from a fresh process, so its peak RSS is its own.
 * Prints one JSON line: wall ms, peak RSS (MiB, the whole process: worker threads included), records,
 * and `progress`, the elapsed wall and CPU ms at each progress report (`[pagesDone, wallMs, cpuMs]`, one
 * every 100 ms or so; CPU time is the whole process's, the parse worker's included).
 *
 * Usage: tsx bench/parse-child.ts <file.pdf> --type prices [--page-tree balanced|as-is]
 */
const { values, positionals } = parseArgs({
  options: { type: { type: 'string' }, 'page-tree': { type: 'string', default: 'balanced' } },
  allowPositionals: true,
});
const type = values.type ?? '';
if (!isExportType(type)) throw new Error(`--type must name an export type; got "${type}"`);
const pageTree = values['page-tree'] as PageTreeMode;
const progress: [number, number, number][] = [];
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage(cpu0);
  return Math.round((user + system) / 1000);
};
const parsed = await parseExportFile(positionals[0]!, {
  type,
  pageTree,
  onProgress: (p) => progress.push([p.pagesDone, Math.round(performance.now() - t0), cpuMs()]),
});
const ms = performance.now() - t0;
process.stdout.write(
  `${JSON.stringify({ pageTree, ms, cpuMs: cpuMs(), peakMiB: process.resourceUsage().maxRSS / 1024, records: parsed.records.length, pages: parsed.layout.pages, progress })}\n`,
);
