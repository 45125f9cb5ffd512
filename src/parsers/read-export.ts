import { readFile } from 'node:fs/promises';
import { CycleAssembler } from './cycle-assembler.js';
import { exportTables } from '../exports/registry.js';
import type { ExportName, ExportTable } from './export-tables.js';
import { buildPageGrid } from './grid.js';
import { PDF_TAIL_BYTES, pdfEnvelopeProblem } from './pdf-envelope.js';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
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
  /** Called after the document was closed to be reopened: what pdf.js held of the pages read is garbage now. */
  onReopen?(): void;
}

/**
 * pdf.js keeps what it parsed of a document (its page objects, the cross-reference cache) for the
 * document's lifetime, which grows memory with the page count (~4 MiB per 1,000 pages measured on the
 * 15,000-page price export). The document is therefore reopened from the same bytes every this many
 * pages: reopening costs one cross-reference parse, a fraction of a millisecond per page.
 */
const REOPEN_EVERY_PAGES = 1000;

/** Rejects what is not a whole PDF before pdf.js sees it. */
export function checkPdfEnvelope(bytes: Uint8Array, label: string): void {
  const problem = pdfEnvelopeProblem(bytes.subarray(0, 5), bytes.subarray(Math.max(0, bytes.length - PDF_TAIL_BYTES)), bytes.length);
  if (problem) throw new ExportInvalidError(`${label}: ${problem}`);
}

/** Reads an export file cycle by cycle; resolves with the layout when the whole file is read. */
export async function readExport(
  file: string,
  type: ExportName | null,
  sink: ReadExportSink,
  reopenEveryPages = REOPEN_EVERY_PAGES,
  tables: readonly ExportTable[] = exportTables(),
): Promise<{ layout: ExportLayout; duplicates: number }> {
  const label = `${type ?? 'unknown'} export`;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    throw new ExportInvalidError(`${label}: cannot read ${file}: ${(err as Error).message}`);
  }
  checkPdfEnvelope(bytes, label);
  const open = async (): Promise<PDFDocumentProxy> => {
    try {
      // pdf.js may take ownership of the array it is given: each opening gets its own copy.
      return await openPdf(bytes.slice());
    } catch (err) {
      throw new ExportInvalidError(`${label}: the PDF cannot be opened: ${(err as Error).message}`);
    }
  };
  let doc = await open();
  try {
    const assembler = new CycleAssembler(type, tables);
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
      if (n % reopenEveryPages === 0 && n < total) {
        await doc.destroy();
        sink.onReopen?.();
        doc = await open();
      }
    }
    const { records, layout, duplicates } = assembler.finish();
    if (records.length > 0) sink.onRecords(records);
    return { layout, duplicates };
  } finally {
    await doc.destroy();
  }
}

/**
 * Detects an export's type from the header row of its first page, without reading the rest (the CLI's
 * `import` needs the type to choose its database before it parses the whole file in a worker).
 */
export async function detectExportType(file: string): Promise<ExportName> {
  const bytes = new Uint8Array(await readFile(file));
  checkPdfEnvelope(bytes, 'unknown export');
  const doc = await openPdf(bytes);
  try {
    const assembler = new CycleAssembler(null);
    assembler.addPage(buildPageGrid(await readPage(await doc.getPage(1))));
    return assembler.type!;
  } finally {
    await doc.destroy();
  }
}
