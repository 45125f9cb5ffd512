import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { RunStats } from '../../machines/index.js';
import type { ExportName, FieldValue } from '../parsers/export-tables.js';
import { describeFooter } from '../parsers/footer.js';
import { ExportInvalidError, type ExportLayout, type ParsedExport } from '../parsers/types.js';
import type { DatabaseName } from '../stores/database-spec.js';
import { databaseOf } from '../exports/registry.js';
import { tableLayout, type TableLayout } from '../stores/record-columns.js';
import type { HashedRecord, RecordStore, RowState } from '../stores/record-store.js';
import { loadExportParser, type ParseExportFile } from './export-parser.js';
import { layoutDriftOf, withStoredValues } from './layout-drift.js';
import { hashRecord } from './record-hash.js';
import { validateRecords, type CheckedRecords } from './validate-records.js';

/**
 * Records per transaction. With `synchronous=FULL` every commit is an fsync, so one row per transaction
 * would be slow; one transaction for a whole 5,000-row export would hold the event loop (HTTP, WebSocket)
 * and a pause request for its whole duration. ~500 rows commit in a few milliseconds, so a pause is
 * honoured almost at once and the fsync cost is shared by enough rows.
 */
export const BATCH_SIZE = 500;

/** Share of the currently active rows an export must hold before absent rows are deleted (DESIGN §5). */
export const DEFAULT_COMPLETENESS_MIN = 0.7;

/** Something the operator should know about a completed run. */
export type ApplyFlag =
  /** The export held too few records to be a full list (e.g. an ERP filter left on "this month"): nothing was deleted. */
  'INCOMPLETE_EXPORT';

/** Counts of one run (for a resumed run: of the whole run, all its parts together) and its phase times. */
export interface ApplyStats extends RunStats {
  /** Wall time per phase, summed over the parts of a resumed run. */
  durationMs: { parsing: number; applying: number; finalizing: number };
}

/**
 * Where a paused run continues. Plain data (JSON-safe), persisted by the orchestrator with its snapshot.
 */
export interface ApplyCheckpoint {
  file: string;
  type: ExportName;
  account: string;
  /** Index of the first batch not yet committed (`BATCH_SIZE` records per batch). */
  nextBatch: number;
  /** The run's timestamp (ISO-8601); a resumed run writes it too, so its rows equal an uninterrupted run's. */
  now: string;
  statsSoFar: ApplyStats;
  /** Records the export held (null when paused before parsing finished): a re-parse must find as many. */
  recordCount: number | null;
  /** Active rows before the run, the base of the completeness guard (null when paused before applying). */
  activeBefore: number | null;
}

/** Progress of a run, reported through `onProgress`. */
export type ApplyProgress =
  | { phase: 'parsing'; pagesDone: number; pagesTotal: number }
  | { phase: 'applying'; recordsDone: number; recordsTotal: number }
  | { phase: 'finalizing' };

/** The result of `applyExport`. */
export type ApplyResult = {
  stats: ApplyStats;
  flags: ApplyFlag[];
  /** The export's layout as the parser found it (null when paused before parsing finished). */
  layout: ExportLayout | null;
} & ({ outcome: 'completed' } | { outcome: 'paused'; checkpoint: ApplyCheckpoint });

/** Opens the store of one database for a single run; the run closes it when it ends. */
export type OpenStore = (database: DatabaseName) => RecordStore;

/** Options of `applyExport`. Give either `stores` or `openStore`: the apply never opens a database itself. */
export interface ApplyOptions {
  type: ExportName;
  /** The ERP account the export was taken with; scopes per-agent rows (ignored by shared tables). */
  account: string;
  /**
   * Opens the export's database once the file has been read and checked (so an export that cannot be
   * trusted creates nothing), and the run closes it at the end: the CLI's composition root gives this.
   */
  openStore?: OpenStore;
  /** Open stores by database, kept by the caller (one writer connection per file); not closed here. */
  stores?: Partial<Record<DatabaseName, RecordStore>>;
  /** Continue a paused run: the file is parsed again and applying resumes at `nextBatch`. */
  resumeFrom?: ApplyCheckpoint;
  /** Aborting asks the run to pause at the next batch boundary (or abandons the parse in flight). */
  signal?: AbortSignal;
  onProgress?: (progress: ApplyProgress) => void;
  /** Called after every committed batch with the checkpoint to resume from there. */
  onCheckpoint?: (checkpoint: ApplyCheckpoint) => void;
  /** Default `DEFAULT_COMPLETENESS_MIN`. */
  completenessMin?: number;
  /** Clock read once per run for `created_at` / `updated_at` / `deleted_at`. */
  now?: () => Date;
  /** The parser port; by default `parseExportFile` of `src/parsers/parse-export.ts`. */
  parse?: ParseExportFile;
}

/**
 * Applies one export file to its database: parse → upsert changed records in batches of `BATCH_SIZE`
 * (checking for a pause between batches) → finalize (soft-delete absent rows behind the completeness
 * guard; link DDT and invoices to orders). Running it again on the same file writes nothing.
 *
 * @throws ExportInvalidError when the file or its records cannot be trusted (nothing is written).
 * @throws StoreError when a database fails (batches committed before stay committed).
 */
export async function applyExport(file: string, options: ApplyOptions): Promise<ApplyResult> {
  const { type, account, resumeFrom, signal } = options;
  const completenessMin = options.completenessMin ?? DEFAULT_COMPLETENESS_MIN;
  if (!(completenessMin >= 0 && completenessMin <= 1)) throw new RangeError(`completenessMin must be within 0..1, got ${completenessMin}`);
  if (resumeFrom) assertResumable(resumeFrom, file, type, account);
  const run: Run = {
    file,
    type,
    account,
    layout: tableLayout(type),
    now: resumeFrom?.now ?? (options.now?.() ?? new Date()).toISOString(),
    stats: resumeFrom ? cloneStats(resumeFrom.statsSoFar) : emptyStats(),
    recordCount: resumeFrom?.recordCount ?? null,
    activeBefore: resumeFrom?.activeBefore ?? null,
  };
  const startBatch = resumeFrom?.nextBatch ?? 0;

  const parsingStart = performance.now();
  const parse = options.parse ?? (await loadExportParser());
  let parsed: ParsedExport;
  try {
    parsed = await parse(file, {
      type,
      ...(signal ? { signal } : {}),
      onProgress: (p) => options.onProgress?.({ phase: 'parsing', ...p }),
    });
  } catch (error) {
    if (!signal?.aborted) throw error;
    run.stats.durationMs.parsing += performance.now() - parsingStart;
    return paused(run, startBatch, null);
  }
  const checked = await checkParsed(run, parsed);
  run.stats.durationMs.parsing += performance.now() - parsingStart;

  const held = holdStore(options);
  try {
    return await applyParsed(run, parsed, checked, held.store, startBatch, options, completenessMin);
  } finally {
    held.release();
  }
}

/** What one run carries from start to end (and, through its checkpoint, across a pause). */
interface Run {
  readonly file: string;
  readonly type: ExportName;
  readonly account: string;
  readonly layout: TableLayout;
  readonly now: string;
  readonly stats: ApplyStats;
  recordCount: number | null;
  activeBefore: number | null;
}

async function applyParsed(
  run: Run,
  parsed: ParsedExport,
  checked: CheckedRecords,
  store: RecordStore,
  startBatch: number,
  options: ApplyOptions,
  completenessMin: number,
): Promise<ApplyResult> {
  const { type, account, now, stats } = run;
  const { signal, onProgress, onCheckpoint } = options;
  const records = parsed.records;
  const { keys } = checked;
  const batchCount = Math.ceil(records.length / BATCH_SIZE);
  if (startBatch > batchCount) throw new ExportInvalidError(`checkpoint batch ${startBatch} is beyond the export's ${batchCount} batches`);

  let applyingStart = performance.now();
  const lapApplying = (): void => {
    const t = performance.now();
    stats.durationMs.applying += t - applyingStart;
    applyingStart = t;
  };
  run.activeBefore ??= store.countActive(type, account);
  // A first import (no row of the scope stored yet, none written by this run): a key can only be stored
  // if an earlier record of this export wrote it, so only repeated keys are looked up. A new agent's
  // first orders sync skips 50,000 lookups that would all come back empty.
  const firstImport = startBatch === 0 && !store.hasRows(type, account);

  for (let batch = startBatch; batch < batchCount; batch++) {
    if (batch > startBatch) await yieldToEventLoop();
    if (signal?.aborted) {
      lapApplying();
      return paused(run, batch, parsed.layout);
    }
    const from = batch * BATCH_SIZE;
    const to = Math.min(from + BATCH_SIZE, records.length);
    // Read per batch, after the previous batches committed: a key repeated later in the export is judged
    // against what this run wrote, exactly as a resumed run judges it; and no whole-table read blocks
    // the event loop.
    const lookup = firstImport ? repeatedKeys(checked, from, to) : keys.slice(from, to);
    const state = lookup.length > 0 ? store.readState(type, account, lookup) : new Map<string, RowState>();
    // Fields without a column in this export are unknown: the stored rows' values are kept (layout-drift.ts).
    const missing = parsed.layout.missingFields;
    const kept = missing.length > 0 && state.size > 0 ? store.readValues(type, account, [...state.keys()], missing) : null;
    store.writeBatch(type, account, changedRows(run, parsed, checked, from, to, state, kept), now);
    lapApplying();
    onCheckpoint?.(checkpointAt(run, batch + 1));
    onProgress?.({ phase: 'applying', recordsDone: to, recordsTotal: records.length });
  }
  await yieldToEventLoop();
  lapApplying();
  if (signal?.aborted) return paused(run, batchCount, parsed.layout);

  const finalizingStart = performance.now();
  onProgress?.({ phase: 'finalizing' });
  const flags: ApplyFlag[] = [];
  if (isComplete(records.length, run.activeBefore, completenessMin)) {
    const present = checked.distinctKeys;
    // Every key of the export is active now, so more active rows than keys is the only case with rows
    // to delete: counting is one cheap aggregate, the key-by-key scan is skipped on the common run.
    stats.deleted = store.countActive(type, account) > present.size ? store.softDeleteAbsent(type, account, present, now) : 0;
  } else {
    flags.push('INCOMPLETE_EXPORT');
  }
  if (type === 'orders' || run.layout.linkedToOrders) {
    store.linkToOrders(account, now);
    Object.assign(stats, store.linkStats(account));
  }
  // Rows an earlier attempt committed (its completion lost in a crash, or the run failed later) are
  // still changes for the chained services, though this run finds them stored.
  if (stats.inserted + stats.updated === 0 && store.hasUnacknowledgedChanges(type, account)) stats.carriedChanges = true;
  stats.durationMs.finalizing += performance.now() - finalizingStart;
  return { outcome: 'completed', stats, flags, layout: parsed.layout };
}

/**
 * The records of `[from, to)` that change the database, counted as inserted / updated / unchanged,
 * judged against `state` (the stored rows of these keys, updated as records of the batch are taken).
 * `kept` holds, by key, the stored values of the fields the export has no column for: a stored row's
 * record takes them before it is hashed and written, so only the fields the export shows can change it.
 */
function changedRows(
  run: Run,
  parsed: ParsedExport,
  { keys, hashes }: CheckedRecords,
  from: number,
  to: number,
  state: Map<string, RowState>,
  kept: Map<string, FieldValue[]> | null,
): HashedRecord[] {
  const rows: HashedRecord[] = [];
  const missing = parsed.layout.missingFields;
  for (let i = from; i < to; i++) {
    let record = parsed.records[i]!;
    const key = keys[i]!;
    let hash = hashes[i]!;
    const stored = state.get(key);
    const storedValues = stored ? kept?.get(key) : undefined;
    if (storedValues) {
      record = withStoredValues(record, missing, storedValues);
      hash = hashRecord(run.layout.fields, record);
    }
    if (stored && stored.hash === hash && !stored.deleted) {
      run.stats.unchanged++;
      continue;
    }
    if (stored) run.stats.updated++;
    else run.stats.inserted++;
    state.set(key, { hash, deleted: false });
    kept?.set(key, missing.map((field) => record[field] as FieldValue));
    rows.push({ record, hash });
  }
  return rows;
}

/** The keys of `[from, to)` that an earlier record of the export holds too. */
function repeatedKeys({ keys, repeated }: CheckedRecords, from: number, to: number): string[] {
  const found: string[] = [];
  for (let i = from; i < to; i++) if (repeated[i] === 1) found.push(keys[i]!);
  return found;
}

/**
 * The completeness guard: delete absent rows only when the export holds at least `min` × the rows that
 * were active before the run. An empty export never proves that every row went away.
 */
function isComplete(records: number, activeBefore: number, min: number): boolean {
  if (records === 0) return activeBefore === 0;
  return records >= min * activeBefore;
}

/** Validates a parse result for this run and returns the records' keys and hashes. */
async function checkParsed(run: Run, parsed: ParsedExport): Promise<CheckedRecords> {
  if (parsed.type !== run.type) throw new ExportInvalidError(`${run.file}: expected a ${run.type} export, the parser read ${parsed.type}`);
  if (run.recordCount !== null && parsed.records.length !== run.recordCount) {
    throw new ExportInvalidError(
      `${run.file}: holds ${parsed.records.length} records, the paused run read ${run.recordCount}; the file changed, resume impossible`,
    );
  }
  run.recordCount = parsed.records.length;
  const checked = await validateRecords(run.layout, parsed.records);
  run.stats.parsed = parsed.records.length;
  if (parsed.layout.footer) run.stats.footer = describeFooter(parsed.layout.footer);
  const drift = layoutDriftOf(parsed.layout);
  if (drift) run.stats.layoutDrift = drift;
  return checked;
}

function assertResumable(checkpoint: ApplyCheckpoint, file: string, type: ExportName, account: string): void {
  if (checkpoint.file !== file || checkpoint.type !== type || checkpoint.account !== account) {
    throw new Error(
      `checkpoint of ${checkpoint.type}@${checkpoint.account} (${checkpoint.file}) cannot resume ${type}@${account} (${file})`,
    );
  }
}

function holdStore(options: ApplyOptions): { store: RecordStore; release: () => void } {
  const database = databaseOf(options.type).name;
  if (options.stores) {
    const store = options.stores[database];
    if (!store) throw new Error(`applyExport: no store given for ${database}.db`);
    return { store, release: () => {} };
  }
  if (options.openStore === undefined) throw new Error('applyExport: give stores or openStore');
  const store = options.openStore(database);
  return { store, release: () => store.close() };
}

function checkpointAt(run: Run, nextBatch: number): ApplyCheckpoint {
  return {
    file: run.file,
    type: run.type,
    account: run.account,
    nextBatch,
    now: run.now,
    statsSoFar: cloneStats(run.stats),
    recordCount: run.recordCount,
    activeBefore: run.activeBefore,
  };
}

function paused(run: Run, nextBatch: number, layout: ExportLayout | null): ApplyResult {
  return { outcome: 'paused', checkpoint: checkpointAt(run, nextBatch), stats: cloneStats(run.stats), flags: [], layout };
}

function emptyStats(): ApplyStats {
  return { parsed: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, orphans: 0, unlinked: 0, durationMs: { parsing: 0, applying: 0, finalizing: 0 } };
}

function cloneStats(stats: ApplyStats): ApplyStats {
  return { ...stats, durationMs: { ...stats.durationMs } };
}
