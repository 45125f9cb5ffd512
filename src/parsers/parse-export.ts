import { Worker } from 'node:worker_threads';
import { exportTables } from '../exports/registry.js';
import type { ExportName, ExportTable } from './export-tables.js';
import type { PageTreeMode } from './read-export.js';
import { ExportInvalidError, type ExportLayout, type ExportRecord, type ParsedExport, type ParseProgress } from './types.js';
import { bundleWorkerModule } from './worker-module.js';

/** One task for a parse worker, posted to it as a message (a worker serves one task at a time). */
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
  | { kind: 'error'; name: string; message: string; errorClass: string | null }
  | ({ kind: 'heap' } & ParseWorkerHeap);

/**
 * A parse worker's own V8 heap, bytes, read right after the collection that ends each task: what a warm
 * worker keeps between tasks. The main thread's metrics do not include a worker's isolate.
 */
export interface ParseWorkerHeap {
  usedBytes: number;
  totalBytes: number;
  externalBytes: number;
}

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

/** The worker's module, bundled on the first start in this process (`worker-module.ts`). */
let workerModule: Promise<URL> | undefined;

/**
 * Starts a parse worker. Run from TypeScript sources (the service, tests, `tsx`), the worker's module
 * graph is bundled once per process into one module (`worker-module.ts` says why); pdf.js stays out of
 * the bundle and is loaded by the worker itself.
 */
async function startWorker(): Promise<Worker> {
  if (!runningFromSource) return new Worker(new URL('./parse.worker.js', import.meta.url));
  workerModule ??= bundleWorkerModule({ entry: new URL('./parse.worker.ts', import.meta.url), external: ['pdfjs-dist'] });
  const url = await workerModule.catch((err: unknown) => {
    workerModule = undefined;
    throw err;
  });
  // No loader or preload of this process belongs in the worker: it runs one plain module. Source maps
  // stay off there: with them on (tsx turns them on, and a worker inherits its parent's preloads), the
  // first stack trace of a parse made Node parse pdf.js's 5 MB map and keep it — 600,000 arrays, 80 MB of
  // the worker's heap for as long as it lives (measured: heap in use 96 MB instead of 22 MB).
  return new Worker(`process.setSourceMapsEnabled(false);\nimport(require('node:worker_threads').workerData.module);`, {
    eval: true,
    execArgv: [],
    workerData: { module: url.href },
  });
}

/**
 * Warm parse workers kept between tasks. Starting one costs a V8 isolate and pdf.js's JavaScript: ~0.2 s
 * of CPU and a 45–70 MB swing of the process's memory while it lives, which the soak sees as RSS samples
 * scattered around the retained memory. This is a cache, not a
 * limit: a task takes an idle worker or starts one, so parses run side by side exactly as before, and at
 * most {@link MAX_IDLE_WORKERS} stay warm. Only a worker whose task succeeded is kept; one that failed,
 * was aborted mid-page or died is terminated (a task never inherits another's half-done state). An idle
 * worker is unref'd: it never keeps a finished process (`parse`, `import`, a test file) alive.
 */
const MAX_IDLE_WORKERS = 1;
const idleWorkers: Worker[] = [];
let workersStarted = 0;
let tasksServed = 0;
let lastHeap: ParseWorkerHeap | null = null;

/**
 * How many parse workers this process has started, how many are idle now, how many tasks they have
 * served, and the heap a worker reported after its last task (null before the first): for the metrics,
 * tests and diagnostics.
 */
export function parseWorkerStats(): { started: number; idle: number; tasks: number; heap: ParseWorkerHeap | null } {
  return { started: workersStarted, idle: idleWorkers.length, tasks: tasksServed, heap: lastHeap };
}

async function takeWorker(): Promise<Worker> {
  const warm = idleWorkers.pop();
  if (warm !== undefined) {
    warm.ref();
    return warm;
  }
  workersStarted++;
  const worker = await startWorker();
  // A worker reports its heap after each task, when the task's own listeners may already be gone.
  worker.on('message', (m: ParseWorkerMessage) => {
    if (m.kind !== 'heap') return;
    tasksServed++;
    lastHeap = { usedBytes: m.usedBytes, totalBytes: m.totalBytes, externalBytes: m.externalBytes };
  });
  // An idle worker that dies (out of memory, killed) must not be handed out afterwards.
  worker.once('exit', () => {
    const at = idleWorkers.indexOf(worker);
    if (at >= 0) idleWorkers.splice(at, 1);
  });
  return worker;
}

function returnWorker(worker: Worker, reusable: boolean): void {
  if (!reusable || idleWorkers.length >= MAX_IDLE_WORKERS) {
    void worker.terminate();
    return;
  }
  worker.unref();
  idleWorkers.push(worker);
}

/** How a worker's messages end its run: resolve or reject, once. */
type WorkerRun<T> = (message: ParseWorkerMessage, resolve: (value: T) => void) => void;

/**
 * Runs one parse-worker task until it resolves, fails or is aborted: the worker goes back warm after a
 * success and is terminated otherwise, and an `error` message becomes an `ExportInvalidError` when the
 * worker classed it so.
 */
function runWorker<T>(input: ParseWorkerInput, signal: AbortSignal | undefined, onMessage: WorkerRun<T>): Promise<T> {
  const abortFlag = new Int32Array(input.abortBuffer);
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return takeWorker().then((worker) => new Promise<T>((resolve, reject) => {
    let settled = false;
    /** Ends the task once: its listeners go, and the worker is kept warm only after a success. */
    const settle = (succeeded: boolean, fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      worker.off('message', onWorkerMessage).off('error', onError).off('exit', onExit);
      fn();
      returnWorker(worker, succeeded);
    };
    const onAbort = (): void => {
      Atomics.store(abortFlag, 0, 1);
      settle(false, () => reject(abortError(signal!)));
    };
    const onWorkerMessage = (m: ParseWorkerMessage): void => {
      if (m.kind === 'error') {
        settle(false, () => reject(m.errorClass === 'export-invalid' ? new ExportInvalidError(m.message) : Object.assign(new Error(m.message), { name: m.name })));
      } else {
        onMessage(m, (value) => settle(true, () => resolve(value)));
      }
    };
    const onError = (err: Error): void => settle(false, () => reject(err));
    const onExit = (code: number): void => settle(false, () => reject(new Error(`parse worker exited with code ${code} before finishing ${input.file}`)));
    if (signal?.aborted) return settle(true, () => reject(abortError(signal)));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', onWorkerMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(input);
  }));
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
