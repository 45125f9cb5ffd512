import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { detectExportType, readExport } from './read-export.js';
import type { ExportRecord } from './types.js';
import type { ParseWorkerInput, ParseWorkerMessage } from './parse-export.js';

/**
 * Worker-thread entry of the parser: pdf.js blocks its thread for whole seconds on a large export, so
 * it never runs on the service's event loop. The worker serves tasks posted to it, one at a time, and
 * stays warm for the next (`parse-export.ts` keeps it). Records go to the parent in batches; an abort
 * flag in shared memory is read between pages (a message could not be, while the parse loop holds the
 * thread). Every task ends with exactly one `done`, `detected` or `error` message.
 */

/** Records per message: one-row cycles (the price export) would otherwise cost one message a row. */
const RECORDS_PER_MESSAGE = 500;
/** Progress is reported at most this often (ms), and once at the end. */
const PROGRESS_INTERVAL_MS = 100;

const post = (message: ParseWorkerMessage): void => parentPort!.postMessage(message);

/**
 * A full garbage collection, or nothing where V8 does not offer one. Each time the reader closes the
 * document to reopen it (every 1,000 pages), what pdf.js held of those pages and the previous copy of the
 * file's bytes become garbage at once; left to its own heuristics V8 let this thread's memory climb by
 * ~170 MiB over 6,000 pages of the price export before collecting it. Collecting right then keeps the
 * parse's memory flat (measured: RSS within 218-252 MiB over all 15,000 pages) for ~20 ms per 1,000 pages.
 * `--expose-gc` only adds `gc` to contexts created afterwards, such as the one made here.
 */
const collectGarbage: () => void = (() => {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    if (typeof gc === 'function') return gc as () => void;
  } catch {
    // Not offered on this runtime: V8's own heuristics still bound memory, only less tightly.
  }
  return () => {};
})();

const postError = (err: Error & { class?: string }): void => {
  post({ kind: 'error', name: err.name, message: err.message, errorClass: err.class ?? null });
};

/** Reads one export, posting its records in batches, its progress, and `done` with its layout. */
function parse(input: ParseWorkerInput): Promise<void> {
  const abortFlag = new Int32Array(input.abortBuffer);
  let pending: ExportRecord[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    post({ kind: 'records', records: pending });
    pending = [];
  };
  let lastProgress = 0;
  return readExport(
    input.file,
    input.type,
    {
      onRecords(records) {
        for (const r of records) pending.push(r);
        if (pending.length >= RECORDS_PER_MESSAGE) flush();
      },
      onProgress(p) {
        const now = performance.now();
        if (p.pagesDone !== p.pagesTotal && now - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = now;
        post({ kind: 'progress', ...p });
      },
      isAborted: () => Atomics.load(abortFlag, 0) === 1,
      onReopen: collectGarbage,
    },
    { pageTree: input.pageTree, tables: input.tables },
  ).then(({ layout, duplicates }) => {
    flush();
    post({ kind: 'done', layout, duplicates });
  });
}

const detect = async (input: ParseWorkerInput): Promise<void> => post({ kind: 'detected', type: await detectExportType(input.file, input.tables) });

/** After a task, what pdf.js held of the document is garbage: collected at once, so a warm worker idles small. */
function collectAndReport(): void {
  collectGarbage();
  const heap = getHeapStatistics();
  post({ kind: 'heap', usedBytes: heap.used_heap_size, totalBytes: heap.total_heap_size, externalBytes: heap.external_memory });
}

// Tasks come one at a time (the parent posts the next only after this one's last message).
parentPort!.on('message', (input: ParseWorkerInput) => {
  void (input.task === 'detect' ? detect(input) : parse(input)).catch(postError).finally(collectAndReport);
});
