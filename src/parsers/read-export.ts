import { CycleAssembler } from './cycle-assembler.js';
import { exportTables } from '../exports/registry.js';
import type { ExportName, ExportTable } from './export-tables.js';
import { readExportFileBytes } from './export-file.js';
import { buildPageGrid } from './grid.js';
import { balancePageTree } from './page-tree.js';
import { PDF_TAIL_BYTES, pdfEnvelopeProblem } from './pdf-envelope.js';
import { damagedStreamProblem } from './stream-check.js';
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

/**
 * How pdf.js reaches the pages: `balanced` (the default) first gives a flat page tree a balanced shape
 * (`page-tree.ts`) so that every page costs the same to reach; `as-is` hands pdf.js the file unchanged,
 * where page n of a flat tree costs O(n) and the whole file O(pages²) — kept for the benchmark that
 * compares both.
 */
export type PageTreeMode = 'balanced' | 'as-is';

/** Options of `readExport`. */
export interface ReadExportOptions {
  /** The document is closed and reopened every this many pages (default 1,000). */
  reopenEveryPages?: number;
  pageTree?: PageTreeMode;
  /** The parse tables to recognise and read the export with (default: every registered export). */
  tables?: readonly ExportTable[];
}

/** Rejects what is not a whole PDF before pdf.js sees it. */
export function checkPdfEnvelope(bytes: Uint8Array, label: string): void {
  const problem = pdfEnvelopeProblem(bytes.subarray(0, 5), bytes.subarray(Math.max(0, bytes.length - PDF_TAIL_BYTES)), bytes.length);
  if (problem) throw new ExportInvalidError(`${label}: ${problem}`);
}

/** A checked export file and a way to open it in pdf.js, any number of times. */
async function loadExport(file: string, label: string, pageTree: PageTreeMode): Promise<() => Promise<PDFDocumentProxy>> {
  let bytes = await readExportFileBytes(file, label);
  checkPdfEnvelope(bytes, label);
  const damaged = damagedStreamProblem(bytes);
  if (damaged) throw new ExportInvalidError(`${label}: damaged PDF: ${damaged}`);
  if (pageTree === 'balanced') {
    const result = balancePageTree(bytes);
    if (result.balanced) bytes = result.bytes;
  }
  return async () => {
    try {
      // pdf.js may take ownership of the array it is given: each opening gets its own copy.
      return await openPdf(bytes.slice());
    } catch (err) {
      throw new ExportInvalidError(`${label}: the PDF cannot be opened: ${pdfErrorText(err)}`);
    }
  };
}

/** pdf.js's errors are not always `Error`s with a message (some are bare exception objects). */
function pdfErrorText(err: unknown): string {
  const e = err as { name?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err);
  return e?.name === 'PasswordException' ? `it is password-protected (${message})` : message;
}

/** Reads an export file cycle by cycle; resolves with the layout when the whole file is read. */
export async function readExport(
  file: string,
  type: ExportName | null,
  sink: ReadExportSink,
  { reopenEveryPages = REOPEN_EVERY_PAGES, pageTree = 'balanced', tables = exportTables() }: ReadExportOptions = {},
): Promise<{ layout: ExportLayout; duplicates: number }> {
  const open = await loadExport(file, `${type ?? 'unknown'} export`, pageTree);
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
        throw new ExportInvalidError(`${assembler.type ?? type ?? 'unknown'} export: page ${n} cannot be read: ${pdfErrorText(err)}`);
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
 * `import` needs the type to choose its database before it parses the whole file). Every problem is an
 * `ExportInvalidError`, as in `readExport`. It runs where pdf.js may run: in the parse worker
 * (`detectExportTypeOffThread` of `parse-export.ts`).
 */
export async function detectExportType(file: string, tables: readonly ExportTable[] = exportTables()): Promise<ExportName> {
  const label = 'unknown export';
  const doc = await (await loadExport(file, label, 'as-is'))();
  try {
    if (doc.numPages === 0) throw new ExportInvalidError(`${label}: the file has no pages`);
    let content;
    try {
      content = await readPage(await doc.getPage(1));
    } catch (err) {
      throw new ExportInvalidError(`${label}: page 1 cannot be read: ${pdfErrorText(err)}`);
    }
    const assembler = new CycleAssembler(null, tables);
    assembler.addPage(buildPageGrid(content));
    if (!assembler.type) throw new ExportInvalidError(`${label}: page 1 does not show the export's type`);
    return assembler.type;
  } finally {
    await doc.destroy();
  }
}
