import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { exportTables } from '../exports/registry.js';
import type { ExportName, ExportTable } from './export-tables.js';
import type { PageTreeMode } from './read-export.js';
import { ExportInvalidError, type ExportLayout, type ExportRecord, type ParsedExport, type ParseProgress } from './types.js';

/** What the parse worker is started with. */
export interface ParseWorkerInput {
  file: string;
  type: ExportName | null;
  /** The parse tables of every registered export: a worker does not share the main thread's registry. */
  tables: ExportTable[];
  /** One Int32: set to 1 to ask the worker to stop before its next page. */
  abortBuffer: SharedArrayBuffer;
  /** `detect`: only read page 1 and report the export's type. */
  task: 'parse' | 'detect';
  pageTree: PageTreeMode;
}

/** Messages from the parse worker. */
export type ParseWorkerMessage =
  | { kind: 'records'; records: ExportRecord[] }
  | ({ kind: 'progress' } & ParseProgress)
  | { kind: 'done'; layout: ExportLayout; duplicates: number }
  | { kind: 'detected'; type: ExportName }
  | { kind: 'error'; name: string; message: string; errorClass: string | null };

/** Options of `parseExportFile`. */
export interface ParseOptions {
  /** Expected export type; `null`/undefined detects it from the headers. */
  type?: ExportName | null;
  signal?: AbortSignal;
  onProgress?: (progress: ParseProgress) => void;
  /** Called once per batch of records as cycles complete (the records are also in the result). */
  onRecords?: (records: ExportRecord[]) => void;
  /** How pdf.js reaches the pages (`read-export.ts`); `balanced` unless a benchmark compares. */
  pageTree?: PageTreeMode;
}

const runningFromSource = import.meta.url.endsWith('.ts');
const require = createRequire(import.meta.url);

function tsxEsmApiUrl(): string {
  // require.resolve would pick tsx's CommonJS build; the worker needs the ESM one from its exports map.
  const pkgFile = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
}

/**
 * Starts the parse worker. From TypeScript sources (tests, `tsx`) the worker must register tsx's
 * loader first (`--import tsx` in `execArgv` is not applied to worker threads on Node 20). pdf.js is
 * imported before that: through tsx's hooks its 2 MB of JavaScript loads ten times slower (measured:
 * 1.9 s instead of 0.2 s per worker start). `pdf-page-reader.ts` then finds it loaded.
 */
function startWorker(input: ParseWorkerInput): Worker {
  if (!runningFromSource) return new Worker(new URL('./parse.worker.js', import.meta.url), { workerData: input });
  const url = (specifier: string): string => JSON.stringify(pathToFileURL(require.resolve(specifier)).href);
  const bootstrap = [
    `(async () => {`,
    `  globalThis.pdfjsWorker = await import(${url('pdfjs-dist/legacy/build/pdf.worker.mjs')});`,
    `  await import(${url('pdfjs-dist/legacy/build/pdf.mjs')});`,
    `  (await import(${JSON.stringify(tsxEsmApiUrl())})).register();`,
    `  await import(${JSON.stringify(new URL('./parse.worker.ts', import.meta.url).href)});`,
    `})();`,
  ].join('\n');
  return new Worker(bootstrap, { eval: true, workerData: input });
}

/** How a worker's messages end its run: resolve or reject, once. */
type WorkerRun<T> = (message: ParseWorkerMessage, resolve: (value: T) => void) => void;

/**
 * Runs one parse-worker task until it resolves, fails or is aborted: the worker is terminated in every
 * case, and an `error` message becomes an `ExportInvalidError` when the worker classed it so.
 */
function runWorker<T>(input: ParseWorkerInput, signal: AbortSignal | undefined, onMessage: WorkerRun<T>): Promise<T> {
  const abortFlag = new Int32Array(input.abortBuffer);
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const worker = startWorker(input);
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = (): void => {
      Atomics.store(abortFlag, 0, 1);
      settle(() => reject(abortError(signal!)));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: ParseWorkerMessage) => {
      if (m.kind === 'error') {
        settle(() => reject(m.errorClass === 'export-invalid' ? new ExportInvalidError(m.message) : Object.assign(new Error(m.message), { name: m.name })));
      } else {
        onMessage(m, (value) => settle(() => resolve(value)));
      }
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`parse worker exited with code ${code} before finishing ${input.file}`))));
  });
}

function workerInput(file: string, type: ExportName | null, task: ParseWorkerInput['task'], pageTree: PageTreeMode = 'balanced'): ParseWorkerInput {
  return { file, type, tables: exportTables(), abortBuffer: new SharedArrayBuffer(4), task, pageTree };
}

/**
 * Parses an ERP export PDF in a worker thread and resolves with every record once the whole file has
 * been read and validated. Fail closed: any problem rejects with an `ExportInvalidError` and no
 * records, never a partial result. An aborted signal stops the worker before its next page and
 * rejects with an `AbortError`.
 */
export function parseExportFile(file: string, options: ParseOptions = {}): Promise<ParsedExport> {
  const records: ExportRecord[] = [];
  return runWorker<ParsedExport>(workerInput(file, options.type ?? null, 'parse', options.pageTree), options.signal, (m, resolve) => {
    switch (m.kind) {
      case 'records':
        for (const r of m.records) records.push(r);
        options.onRecords?.(m.records);
        break;
      case 'progress':
        options.onProgress?.({ pagesDone: m.pagesDone, pagesTotal: m.pagesTotal });
        break;
      case 'done':
        resolve({ type: m.layout.type, layout: m.layout, records });
        break;
      default:
        break;
    }
  });
}

/**
 * Detects an export's type from its first page in a worker thread. pdf.js is loaded only there: on the
 * CLI's main thread it would come through tsx's loader, which holds ~400 MB to transform its 4 MB of
 * JavaScript (measured: 504 MB RSS after loading pdf.js through tsx, 77 MB without). Every problem with
 * the file is an `ExportInvalidError`.
 */
export function detectExportTypeOffThread(file: string, signal?: AbortSignal): Promise<ExportName> {
  return runWorker<ExportName>(workerInput(file, null, 'detect'), signal, (m, resolve) => {
    if (m.kind === 'detected') resolve(m.type);
  });
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === 'AbortError' ? reason : Object.assign(new Error('parse aborted'), { name: 'AbortError' });
}
