import { readFile } from 'node:fs/promises';
import { CycleAssembler } from './cycle-assembler.js';
import type { ExportType } from './export-tables.js';
import { buildPageGrid } from './grid.js';
import { openPdf, readPage } from './pdf-page-reader.js';
import { ExportInvalidError, type ExportLayout, type ExportRecord, type ParseProgress } from './types.js';

/**
 * The parse loop itself, page by page, independent of threads: `parse.worker.ts` runs it off the main
 * thread; benchmarks and the CLI's tests may call it directly.
 */

/** Callbacks of a streaming parse. */
export interface ReadExportSink {
  /** Records of one completed cycle, in document order. */
  onRecords(records: ExportRecord[]): void;
  onProgress?(progress: ParseProgress): void;
  /** Checked between pages: true stops the parse with an AbortError. */
  isAborted?(): boolean;
}

/** pdf.js keeps per-page state until told to drop it; every this many pages it is dropped. */
const CLEANUP_EVERY_PAGES = 200;

/** Rejects what is not a whole PDF before pdf.js, which repairs damaged files silently, sees it. */
export function checkPdfEnvelope(bytes: Uint8Array, label: string): void {
  const head = Buffer.from(bytes.subarray(0, 5)).toString('latin1');
  if (head !== '%PDF-') {
    throw new ExportInvalidError(`${label}: not a PDF file (it starts with ${JSON.stringify(head)} instead of "%PDF-")`);
  }
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 1024))).toString('latin1');
  if (!tail.includes('%%EOF')) {
    throw new ExportInvalidError(`${label}: truncated PDF (no "%%EOF" marker at the end; ${bytes.length} bytes): the download was cut short`);
  }
}

/** Reads an export file cycle by cycle; resolves with the layout when the whole file is read. */
export async function readExport(file: string, type: ExportType | null, sink: ReadExportSink): Promise<{ layout: ExportLayout; duplicates: number }> {
  const label = `${type ?? 'unknown'} export`;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    throw new ExportInvalidError(`${label}: cannot read ${file}: ${(err as Error).message}`);
  }
  checkPdfEnvelope(bytes, label);
  let doc;
  try {
    doc = await openPdf(bytes);
  } catch (err) {
    throw new ExportInvalidError(`${label}: the PDF cannot be opened: ${(err as Error).message}`);
  }
  try {
    const assembler = new CycleAssembler(type);
    const total = doc.numPages;
    for (let n = 1; n <= total; n++) {
      if (sink.isAborted?.()) throw Object.assign(new Error('parse aborted'), { name: 'AbortError' });
      let content;
      try {
        const page = await doc.getPage(n);
        content = await readPage(page);
        page.cleanup();
      } catch (err) {
        throw new ExportInvalidError(`${assembler.type ?? type ?? 'unknown'} export: page ${n} cannot be read: ${(err as Error).message}`);
      }
      const records = assembler.addPage(buildPageGrid(content));
      if (records.length > 0) sink.onRecords(records);
      sink.onProgress?.({ pagesDone: n, pagesTotal: total });
      if (n % CLEANUP_EVERY_PAGES === 0) await doc.cleanup(true);
    }
    const { records, layout, duplicates } = assembler.finish();
    if (records.length > 0) sink.onRecords(records);
    return { layout, duplicates };
  } finally {
    await doc.destroy();
  }
}
