import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { exportTables } from '../exports/registry.js';
import type { ExportName, ExportTable } from './export-tables.js';
import { ExportInvalidError, type ExportLayout, type ExportRecord, type ParsedExport, type ParseProgress } from './types.js';

/** What the parse worker is started with. */
export interface ParseWorkerInput {
  file: string;
  type: ExportName | null;
  /** The parse tables of every registered export: a worker does not share the main thread's registry. */
  tables: ExportTable[];
  /** One Int32: set to 1 to ask the worker to stop before its next page. */
  abortBuffer: SharedArrayBuffer;
}

/** Messages from the parse worker. */
export type ParseWorkerMessage =
  | { kind: 'records'; records: ExportRecord[] }
  | ({ kind: 'progress' } & ParseProgress)
  | { kind: 'done'; layout: ExportLayout; duplicates: number }
  | { kind: 'error'; name: string; message: string; errorClass: string | null };

/** Options of `parseExportFile`. */
export interface ParseOptions {
  /** Expected export type; `null`/undefined detects it from the headers. */
  type?: ExportName | null;
  signal?: AbortSignal;
  onProgress?: (progress: ParseProgress) => void;
  /** Called once per batch of records as cycles complete (the records are also in the result). */
  onRecords?: (records: ExportRecord[]) => void;
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

/**
 * Parses an ERP export PDF in a worker thread and resolves with every record once the whole file has
 * been read and validated. Fail closed: any problem rejects with an `ExportInvalidError` and no
 * records, never a partial result. An aborted signal stops the worker before its next page and
 * rejects with an `AbortError`.
 */
export function parseExportFile(file: string, options: ParseOptions = {}): Promise<ParsedExport> {
  const abortBuffer = new SharedArrayBuffer(4);
  const abortFlag = new Int32Array(abortBuffer);
  const input: ParseWorkerInput = { file, type: options.type ?? null, tables: exportTables(), abortBuffer };
  const records: ExportRecord[] = [];
  return new Promise<ParsedExport>((resolve, reject) => {
    if (options.signal?.aborted) return reject(abortError(options.signal));
    const worker = startWorker(input);
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = (): void => {
      Atomics.store(abortFlag, 0, 1);
      settle(() => reject(abortError(options.signal!)));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: ParseWorkerMessage) => {
      switch (m.kind) {
        case 'records':
          for (const r of m.records) records.push(r);
          options.onRecords?.(m.records);
          break;
        case 'progress':
          options.onProgress?.({ pagesDone: m.pagesDone, pagesTotal: m.pagesTotal });
          break;
        case 'done':
          settle(() => resolve({ type: m.layout.type, layout: m.layout, records }));
          break;
        case 'error':
          settle(() => reject(m.errorClass === 'export-invalid' ? new ExportInvalidError(m.message) : Object.assign(new Error(m.message), { name: m.name })));
          break;
      }
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`parse worker exited with code ${code} before finishing ${file}`))));
  });
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === 'AbortError' ? reason : Object.assign(new Error('parse aborted'), { name: 'AbortError' });
}
