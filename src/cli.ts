import { parseArgs, type ParseArgsConfig } from 'node:util';
import { progressOn } from './cli-progress.js';
import { EXPORT_TYPES, isExportType, type ExportType } from './exports/registry.js';
import { describeLayoutDrift } from '../machines/layout-drift.js';
import { ExportInvalidError, type FooterCell } from './parsers/types.js';
import { layoutDriftOf } from './sync/layout-drift.js';

/**
 * Command-line entry: `sync-orchestrator <verb> …`. The only module (with the server entry) that
 * writes to stdout/stderr directly: these lines are the user-facing output of a command.
 */

/** Each verb's usage: its synopsis line, then what it does and its options (`<verb> --help`). */
const VERB_HELP: Record<string, string> = {
  parse: `sync-orchestrator parse <file.pdf> [--type auto|${EXPORT_TYPES.join('|')}] [--format jsonl|summary]
  Reads an ERP export and prints its records, one JSON object per line, or a summary of its layout.
    --type     the export type; auto (default) detects it from the header row of page 1
    --format   jsonl (default): one record per line on stdout; summary: the layout the parser found
  On a terminal, a progress bar on stderr shows the pages read.`,
  import: `sync-orchestrator import <file.pdf> [--type …] [--account default] [--data-dir ./data]
  Applies an ERP export to the databases in the data folder and prints the run's stats.
    --type       the export type; auto (default) detects it from the header row of page 1
    --account    the ERP account the export was taken with (default: default)
    --data-dir   the data folder (default: DATA_DIR or ./data)
  On a terminal, a progress bar on stderr shows the pages read and the rows applied, with an ETA.`,
  serve: `sync-orchestrator serve
  Runs the service: the orchestrator, the HTTP API and the dashboard (settings from the environment,
  see the README).`,
  simulator: `sync-orchestrator simulator [--port 4000] [--accounts agent1:pw,agent2:pw] [--faults JSON] …
  Runs the built-in ERP simulator alone (its admin endpoints switch faults on and off).`,
};

const USAGE = `usage:
${Object.values(VERB_HELP)
  .map((help) => `  ${help.split('\n')[0]}`)
  .join('\n')}
  sync-orchestrator <command> --help
  Exit codes: 0 ok, 1 unexpected failure, 2 invalid export or bad usage.
`;

const HELP_FLAGS = new Set(['--help', '-h']);

/** Exit codes: 0 ok, 1 unexpected failure, 2 invalid export or bad usage. */
const EXIT_INVALID = 2;

type Verb = (args: string[]) => Promise<number>;

const VERBS: Record<string, Verb> = { parse: parseVerb, import: importVerb, serve: serveVerb, simulator: simulatorVerb };

/** Runs one command; resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || HELP_FLAGS.has(verb) || verb === 'help') {
    // Asked for: stdout and success. Not asked for (no command at all): the same text is a usage error.
    (verb === undefined ? process.stderr : process.stdout).write(USAGE);
    return verb === undefined ? EXIT_INVALID : 0;
  }
  if (VERB_HELP[verb] !== undefined && rest.some((arg) => HELP_FLAGS.has(arg))) {
    process.stdout.write(`usage: ${VERB_HELP[verb]}\n`);
    return 0;
  }
  const run = VERBS[verb];
  if (!run) {
    process.stderr.write(`unknown command "${verb}"\n${USAGE}`);
    return EXIT_INVALID;
  }
  try {
    return await run(rest);
  } catch (err) {
    if (err instanceof ExportInvalidError || err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT_INVALID;
    }
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

class UsageError extends Error {}

function typeOption(value: string | undefined): ExportType | null {
  if (value === undefined || value === 'auto') return null;
  if (!isExportType(value)) throw new UsageError(`--type must be auto or one of ${EXPORT_TYPES.join(', ')}; got "${value}"`);
  return value;
}

function fileArgument(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one PDF file\n${USAGE}`);
  return positionals[0]!;
}

function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
}

async function parseVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { type: { type: 'string' }, format: { type: 'string', default: 'jsonl' } });
  const format = values.format as string;
  if (format !== 'jsonl' && format !== 'summary') throw new UsageError(`--format must be jsonl or summary; got "${format}"`);
  const { parseExportFile } = await import('./parsers/parse-export.js');
  const progress = progressOn();
  const parsed = await parseExportFile(fileArgument(positionals), {
    type: typeOption(values.type as string | undefined),
    onProgress: (p) => progress.report({ phase: 'parsing', ...p }),
  }).finally(() => progress.finish());
  if (format === 'jsonl') {
    await writeLines(parsed.records.map((r) => JSON.stringify(r)));
    return 0;
  }
  const l = parsed.layout;
  await writeLines([
    `type: ${parsed.type}`,
    `records: ${parsed.records.length}`,
    `pages: ${l.pages} in ${l.cycles} cycles of ${l.cycleSize} pages`,
    `rows per cycle: ${summariseCounts(l.rowsPerCycle)}`,
    ...l.columnsPerPage.map((h, i) => `page ${i + 1} of a cycle: ${h.join(' · ')}`),
    `unknown columns (kept in "extra"): ${l.unknownColumns.length ? l.unknownColumns.join(', ') : 'none'}`,
    `optional columns not in this export: ${l.missingColumns.length ? l.missingColumns.join(', ') : 'none'}`,
    `layout drift: ${driftText(l)}`,
    `ghost rows dropped: ${l.ghostRows}`,
    ...footerLines(l.footer ?? []),
  ]);
  return 0;
}

async function importVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    type: { type: 'string' },
    account: { type: 'string', default: 'default' },
    'data-dir': { type: 'string', default: process.env.DATA_DIR ?? './data' },
  });
  const file = fileArgument(positionals);
  const { applyExport } = await import('./sync/apply-export.js');
  const { openRecordStore } = await import('./stores/sqlite-record-store.js');
  // applyExport needs the type to choose its database: detect it from page 1 (in a worker) when not given.
  const type = typeOption(values.type as string | undefined) ?? (await (await import('./parsers/parse-export.js')).detectExportTypeOffThread(file));
  const progress = progressOn();
  // The CLI composes its stores: the apply opens the export's database through this only after the file checked out.
  const dataDir = values['data-dir'] as string;
  const openStore = (database: string) => openRecordStore(dataDir, database);
  // Finished on failure too, so that the error line starts on a line of its own.
  const result = await applyExport(file, { type, account: values.account as string, openStore, onProgress: (p) => progress.report(p) }).finally(() =>
    progress.finish(),
  );
  const stats = { ...result.stats, durationMs: roundedDurations(result.stats.durationMs) };
  await writeLines([JSON.stringify({ type, account: values.account, outcome: result.outcome, flags: result.flags, stats }, null, 2)]);
  return 0;
}

async function serveVerb(): Promise<number> {
  const { serve } = await import('./server.js');
  return serve();
}

async function simulatorVerb(args: string[]): Promise<number> {
  const { runSimulatorCommand } = await import('./simulator/simulator.cli.js');
  return runSimulatorCommand(args);
}

/** The summary footer cell by cell, with the check each cell passed (or why it is not checked). */
function footerLines(cells: readonly FooterCell[]): string[] {
  if (cells.length === 0) return ['footer: none'];
  return [
    `footer: ${cells.length} summary cell${cells.length > 1 ? 's' : ''} in the last row of the last cycle`,
    ...cells.map((c) => `  ${c.text} under "${c.column}", page ${c.page} of the cycle (file page ${c.filePage}): ${c.check === 'ok' ? `ok, ${c.detail}` : `not checked (${c.detail})`}`),
  ];
}

/** The layout drift an import of this export would report (`RunStats.layoutDrift`), or `none`. */
function driftText(layout: Parameters<typeof layoutDriftOf>[0]): string {
  const drift = layoutDriftOf(layout);
  return drift ? describeLayoutDrift(drift) : 'none';
}

/** Phase durations in whole milliseconds (`parsing: 1532`, not `1532.4179999`). */
function roundedDurations<T extends Record<string, number>>(durations: T): T {
  return Object.fromEntries(Object.entries(durations).map(([phase, ms]) => [phase, Math.round(ms)])) as T;
}

/** Compresses `[25, 25, 25, 12]` to `25 ×3, 12` so a 5,000-cycle export prints one line. */
function summariseCounts(counts: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < counts.length; ) {
    let j = i;
    while (j < counts.length && counts[j] === counts[i]) j++;
    parts.push(j - i > 1 ? `${counts[i]} ×${j - i}` : String(counts[i]));
    i = j;
  }
  return parts.join(', ') || 'none';
}

/** Writes lines to stdout, waiting for the pipe to drain (a 50,000-line jsonl must not be cut). */
async function writeLines(lines: string[]): Promise<void> {
  for (let i = 0; i < lines.length; i += 1000) {
    const chunk = lines.slice(i, i + 1000).join('\n') + '\n';
    if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
  }
}
