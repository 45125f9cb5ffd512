/**
 * Renders an export as the ERP's PDF (DevExpress list-view export) with pdfkit.
 *
 * Geometry — the conventions the parser relies on (all in PDF points, origin top-left as pdfkit draws;
 * pdfkit writes `1 0 0 -1 0 792 cm` at the start of every page, so raw operator coordinates are y-down
 * and pdf.js text-item transforms are y-up):
 * - US Letter portrait, 612 × 792. Info: Producer `Developer Express Inc. DXperience (tm) v24.2`,
 *   fixed CreationDate (byte-identical output for identical input).
 * - Fonts: standard Helvetica (data, 7 pt) and Helvetica-Bold (headers 7 pt, title 10 pt), not embedded,
 *   WinAnsi encoding (`€` and `àèìòù` included).
 * - The table is one wide grid; its columns are split into the layout's N column groups. Rows are laid
 *   out vertically in chunks; each chunk is emitted as a cycle of N consecutive pages, page k holding
 *   column group k for the same rows. A row's height is `max(1, max wrapped lines over ALL columns of
 *   the row) × 8.6 + 8`, so row i has the same y and height on every page of its cycle.
 * - Every page: the title at (20, 22) and `Pagina n di m` right-aligned at x 592, y 766 — both outside
 *   the grid; then the grid from (20, 48), not below y 752. Columns start at x 20 and follow each other
 *   with their layout widths (a page's grid is at most 572 wide).
 * - Row 0 of every page is the header row (light grey `#d9d9d9`), its height the same on all pages
 *   (the most header lines over the whole layout). Header text wraps at spaces; a merged header prints
 *   its words on separate lines (`QUANTITÀ`/`IMPORTO`/`DA`).
 * - Every cell, header and data, is one filled rectangle `re f` (white `#ffffff`, alternate rows
 *   `#f3f5f8`, footer `#ebebeb`), inset 0.5 pt on every side, so 1 pt white gaps form the grid lines;
 *   nothing is stroked. Rectangles are drawn before the text of the page.
 * - Text: one `doc.text` per line (its own BT/ET), top-aligned 2 pt below the rectangle's top (the
 *   glyph box top; baseline ≈ 5 pt lower), lines 8.6 apart, 2 pt in from the rectangle's left/right edge
 *   (2.5 pt from the column boundary): numeric columns right-aligned, text left; headers left, centred
 *   or right. Text wraps at spaces to the column width minus 5 (URL columns at any character);
 *   addresses print as their two lines, tracking anchors as their three lines. Text of neighbouring
 *   cells is ≥ 5 pt apart.
 * - The footer is the last row of the document, drawn on every page of the last cycle: the export's
 *   summaries (the export's `simulator.footer`, or the `footer` option) under their columns — `Count=<records>` (ghost
 *   rows not counted, thousands dot), `Sum=` / `Min=` / `Max=` / `Avg=` formatted like their column —,
 *   other cells empty rectangles. If it does not fit under the last chunk it gets a cycle of its own.
 * - An empty export is one cycle of header row + footer (`Count=0`, `Sum=0`).
 * - Ghost rows (option): rows whose first key cell is `0` or empty and all other cells empty.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { exportTable } from '../exports/registry.js';
import type { ExportName } from '../parsers/export-tables.js';
import type { ExportRecord } from '../parsers/types.js';
import { parseItalianNumber } from '../parsers/values.js';
import { cellText, formatField } from './cell-text.js';
import { formatInt } from './formats.js';
import { columnSpec, footerOf, getLayout, type Align, type FooterSummary, type Layout, type LayoutColumn } from './layouts.js';
import { wrapText, type Measure, type WrapMode } from './text-wrap.js';

/** The page and grid geometry of every rendered export (see the module comment). */
export const GEOMETRY = {
  pageWidth: 612,
  pageHeight: 792,
  gridLeft: 20,
  gridTop: 48,
  gridBottom: 752,
  maxGridWidth: 572,
  titleX: 20,
  titleY: 22,
  pageLabelRight: 592,
  pageLabelY: 766,
  font: 'Helvetica',
  boldFont: 'Helvetica-Bold',
  fontSize: 7,
  titleFontSize: 10,
  lineHeight: 8.6,
  /** Added to lines × lineHeight for a row's height (2 pt above the text, the rest below). */
  rowPadding: 8,
  /**
   * Text distance from the cell rectangle's top, left and right edges. With the insets, the text of two
   * neighbouring cells is at least 5 pt apart — more than pdf.js's 0.6 em (4.2 pt) "space in flow", so
   * pdf.js never merges two cells into one text item.
   */
  cellPadding: 2,
  /** Each cell rectangle is this much smaller than its slot on every side. */
  inset: 0.5,
  headerFill: '#d9d9d9',
  rowFill: '#ffffff',
  alternateRowFill: '#f3f5f8',
  footerFill: '#ebebeb',
} as const;

/** The Producer the real exports carry. */
export const PRODUCER = 'Developer Express Inc. DXperience (tm) v24.2';

/** CreationDate of every rendered file unless told otherwise: a fixed date keeps output deterministic. */
export const DEFAULT_CREATION_DATE = new Date('2026-01-20T17:45:00Z');

/** How to render an export; the fault options make deliberately broken files for fail-closed tests. */
export interface RenderOptions {
  /** Layout variant name (`layoutVariants(type)`); default the export's current layout. */
  variant?: string;
  /** Picks the variant with this many pages per cycle when `variant` is not given. */
  pagesPerCycle?: number;
  /** Inserts this many ghost rows, spread evenly among the records. */
  ghostRows?: number;
  /** At most this many rows per page (1 = every record its own cycle, like the price export). */
  maxRowsPerPage?: number;
  /** Fault: cut the finished file at 60 % of its length (no `%%EOF`). */
  truncate?: boolean;
  /** Fault: page `page` (1-based) of cycle `cycle` (1-based) leaves out one row, so the cycle's pages disagree. */
  dropRowOnPage?: { cycle: number; page: number };
  /** Overrides `DEFAULT_CREATION_DATE`. */
  creationDate?: Date;
  /** The footer's summaries; default the export's real footer (`footerOf`). */
  footer?: readonly FooterSummary[];
  /** Fault: the file ends early, though whole as a PDF — without its last cycle, its last page, or its footer row. */
  cut?: ExportCut;
}

/** Where a cut file ends early (the mutations a parser must refuse). */
export type ExportCut = 'last-cycle' | 'last-page' | 'footer-row';

/** What was rendered. */
export interface RenderSummary {
  variant: string;
  cycleSize: number;
  cycles: number;
  pages: number;
  /** Data rows per cycle, ghost rows included, footer excluded. */
  rowsPerCycle: number[];
  /** The footer's non-empty cells as drawn (none when the file was cut before it). */
  footer: FooterCellText[];
}

/** A non-empty footer cell: page of the cycle (1-based), its column's header as printed, its text. */
export interface FooterCellText {
  page: number;
  column: string;
  text: string;
}

type GridRow = { kind: 'record'; record: ExportRecord } | { kind: 'ghost'; key: '' | '0' };

interface PlacedColumn {
  column: LayoutColumn;
  page: number;
  x: number;
  /** Text width available inside the cell. */
  inner: number;
  mode: WrapMode;
}

interface Chunk {
  start: number;
  end: number;
  footer: boolean;
}

/** Measures strings with pdfkit's own metrics (kerning included), memoised per font. */
function createMeasure(doc: PDFKit.PDFDocument, font: string): Measure {
  const cache = new Map<string, number>();
  return (text) => {
    let width = cache.get(text);
    if (width === undefined) {
      doc.font(font).fontSize(GEOMETRY.fontSize);
      width = doc.widthOfString(text);
      // Bounded: large exports have hundreds of thousands of distinct cell texts.
      if (cache.size > 200_000) cache.clear();
      cache.set(text, width);
    }
    return width;
  };
}

function wrapMode(layout: Layout, column: LayoutColumn): WrapMode {
  if (column.content.kind !== 'field') return 'words';
  const spec = columnSpec(layout.type, column.content.field);
  if (spec.type === 'tracking' || spec.join === ', ') return 'fixed';
  return spec.join === '' ? 'chars' : 'words';
}

function placeColumns(layout: Layout): PlacedColumn[] {
  const placed: PlacedColumn[] = [];
  layout.pages.forEach((page, pageIndex) => {
    let x = GEOMETRY.gridLeft;
    for (const column of page) {
      placed.push({ column, page: pageIndex, x, inner: column.width - 2 * (GEOMETRY.inset + GEOMETRY.cellPadding), mode: wrapMode(layout, column) });
      x += column.width;
    }
    if (x - GEOMETRY.gridLeft > GEOMETRY.maxGridWidth) throw new Error(`${layout.type} ${layout.variant}: page ${pageIndex + 1} is ${x - GEOMETRY.gridLeft} pt wide`);
  });
  return placed;
}

/** Records with ghost rows spread evenly among them. */
function gridRows(records: readonly ExportRecord[], ghosts: number): GridRow[] {
  const rows: GridRow[] = [];
  let next = 0;
  records.forEach((record, i) => {
    while (next < ghosts && Math.floor(((next + 1) * records.length) / (ghosts + 1)) === i) rows.push({ kind: 'ghost', key: next++ % 2 === 0 ? '0' : '' });
    rows.push({ kind: 'record', record });
  });
  while (next < ghosts) rows.push({ kind: 'ghost', key: next++ % 2 === 0 ? '0' : '' });
  return rows;
}

/** Renders layouts; one instance per document. */
class ExportRenderer {
  private readonly placed: PlacedColumn[];
  private readonly measure: Measure;
  private readonly measureBold: Measure;
  private readonly keyField: string;
  private readonly headerLines: string[][];
  private readonly headerHeight: number;
  private readonly footerTexts: string[];

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly layout: Layout,
    private readonly records: readonly ExportRecord[],
    private readonly summaries: readonly FooterSummary[],
  ) {
    this.placed = placeColumns(layout);
    this.measure = createMeasure(doc, GEOMETRY.font);
    this.measureBold = createMeasure(doc, GEOMETRY.boldFont);
    this.keyField = exportTable(layout.type).key[0] as string;
    this.headerLines = this.placed.map((p) => wrapText(p.column.header, p.inner, 'words', this.measureBold));
    this.headerHeight = this.height(Math.max(...this.headerLines.map((l) => l.length)));
    this.footerTexts = this.footer();
  }

  private height(lines: number): number {
    return Math.max(1, lines) * GEOMETRY.lineHeight + GEOMETRY.rowPadding;
  }

  /** The footer's text per placed column: its summary formatted like the column, or empty. */
  private footer(): string[] {
    return this.placed.map((p) => {
      const { content } = p.column;
      const summary = content.kind === 'field' ? this.summaries.find((s) => s.field === content.field) : undefined;
      if (!summary) return '';
      if (summary.kind === 'Count') return `Count=${formatInt(this.records.length + (summary.skew ?? 0))}`;
      const values = this.records.flatMap((r) => numericValue(r[summary.field]));
      const value = SUMMARY_OF[summary.kind](values);
      if (value === null) return `${summary.kind}=`;
      const shown = Math.round((value + (summary.skew ?? 0)) * 100) / 100;
      // A text column holding amounts (customers' `TIPO DI CLIENTE`) sums as money.
      const type = columnSpec(this.layout.type, summary.field).type === 'text' ? 'money' : undefined;
      return `${summary.kind}=${formatField(this.layout, p.column, summary.field, { [summary.field]: shown }, type)}`;
    });
  }

  private texts(row: GridRow): string[] {
    if (row.kind === 'record') return this.placed.map((p) => cellText(this.layout, p.column, row.record));
    return this.placed.map((p) => (p.column.content.kind === 'field' && p.column.content.field === this.keyField ? row.key : ''));
  }

  /** The non-empty cells of the footer. */
  footerCells(): FooterCellText[] {
    return this.placed.flatMap((p, i) => {
      const text = this.footerTexts[i]!;
      return text === '' ? [] : [{ page: p.page + 1, column: p.column.header.replace(/\s+/g, ' '), text }];
    });
  }

  /** Wrapped lines of a row, per placed column. */
  wrap(texts: string[], fixed = false): string[][] {
    return texts.map((text, i) => {
      const p = this.placed[i] as PlacedColumn;
      return wrapText(text, p.inner, fixed ? 'fixed' : p.mode, this.measure);
    });
  }

  rowHeight(lines: string[][]): number {
    return this.height(Math.max(0, ...lines.map((l) => l.length)));
  }

  /** Cuts the rows into chunks that fit the grid, the footer after the last row. */
  paginate(rows: GridRow[], maxRowsPerPage: number): Chunk[] {
    const available = GEOMETRY.gridBottom - GEOMETRY.gridTop - this.headerHeight;
    const footerHeight = this.rowHeight(this.wrap(this.footerTexts, true));
    const chunks: Chunk[] = [];
    let start = 0;
    let used = 0;
    for (let i = 0; i < rows.length; i++) {
      const h = this.rowHeight(this.wrap(this.texts(rows[i] as GridRow)));
      if (h > available) throw new Error(`${this.layout.type}: row ${i} is taller than a page`);
      if (i > start && (used + h > available || i - start >= maxRowsPerPage)) {
        chunks.push({ start, end: i, footer: false });
        start = i;
        used = 0;
      }
      used += h;
    }
    if (used + footerHeight <= available || rows.length === start) {
      chunks.push({ start, end: rows.length, footer: true });
    } else {
      chunks.push({ start, end: rows.length, footer: false }, { start: rows.length, end: rows.length, footer: true });
    }
    return chunks;
  }

  /** Draws one cycle: N pages of the same rows. */
  drawCycle(rows: GridRow[], chunk: Chunk, cycle: number, totalPages: number, dropRowOnPage?: { cycle: number; page: number }): void {
    const wrapped = rows.slice(chunk.start, chunk.end).map((row) => this.wrap(this.texts(row)));
    const footer = chunk.footer ? this.wrap(this.footerTexts, true) : null;
    for (let page = 0; page < this.layout.pages.length; page++) {
      let pageRows = wrapped.map((lines, i) => ({ lines, index: chunk.start + i }));
      if (dropRowOnPage && dropRowOnPage.cycle === cycle + 1 && dropRowOnPage.page === page + 1 && pageRows.length > 0) {
        const dropped = Math.floor(pageRows.length / 2);
        pageRows = pageRows.filter((_, i) => i !== dropped);
      }
      const pageNumber = cycle * this.layout.pages.length + page + 1;
      if (pageNumber > totalPages) break; // the file was cut before this page
      this.drawPage(page, pageNumber, totalPages, pageRows, footer);
    }
  }

  private drawPage(page: number, pageNumber: number, totalPages: number, rows: { lines: string[][]; index: number }[], footer: string[][] | null): void {
    const doc = this.doc;
    doc.addPage({ size: [GEOMETRY.pageWidth, GEOMETRY.pageHeight], margin: 0 });
    const columns = this.placed.map((p, i) => ({ p, i })).filter(({ p }) => p.page === page);
    const bands: { y: number; h: number; fill: string; lines: string[][]; header: boolean }[] = [];
    let y: number = GEOMETRY.gridTop;
    bands.push({ y, h: this.headerHeight, fill: GEOMETRY.headerFill, lines: this.headerLines, header: true });
    y += this.headerHeight;
    for (const row of rows) {
      const h = this.rowHeight(row.lines);
      bands.push({ y, h, fill: row.index % 2 === 0 ? GEOMETRY.rowFill : GEOMETRY.alternateRowFill, lines: row.lines, header: false });
      y += h;
    }
    if (footer) bands.push({ y, h: this.rowHeight(footer), fill: GEOMETRY.footerFill, lines: footer, header: false });

    const inset = GEOMETRY.inset;
    for (const fill of [GEOMETRY.headerFill, GEOMETRY.rowFill, GEOMETRY.alternateRowFill, GEOMETRY.footerFill]) {
      const same = bands.filter((b) => b.fill === fill);
      if (same.length === 0) continue;
      doc.fillColor(fill);
      for (const band of same) {
        for (const { p } of columns) doc.rect(p.x + inset, band.y + inset, p.column.width - 2 * inset, band.h - 2 * inset).fill();
      }
    }

    doc.fillColor('#000000');
    doc.font(GEOMETRY.boldFont).fontSize(GEOMETRY.titleFontSize).text(this.layout.title, GEOMETRY.titleX, GEOMETRY.titleY, { lineBreak: false });
    for (const band of bands) {
      doc.font(band.header ? GEOMETRY.boldFont : GEOMETRY.font).fontSize(GEOMETRY.fontSize);
      const measure = band.header ? this.measureBold : this.measure;
      for (const { p, i } of columns) {
        const align: Align = band.header ? p.column.headerAlign : p.column.align;
        (band.lines[i] ?? []).forEach((line, n) => {
          const x = alignX(p, align, measure(line));
          doc.text(line, x, band.y + GEOMETRY.inset + GEOMETRY.cellPadding + n * GEOMETRY.lineHeight, { lineBreak: false });
        });
      }
    }
    const label = `Pagina ${pageNumber} di ${totalPages}`;
    doc.font(GEOMETRY.font).fontSize(GEOMETRY.fontSize);
    doc.text(label, GEOMETRY.pageLabelRight - this.measure(label), GEOMETRY.pageLabelY, { lineBreak: false });
  }
}

/** A record value as a number for a summary: numbers as they are, amounts printed as text read back. */
function numericValue(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  return typeof value === 'string' ? [parseItalianNumber(value)] : [];
}

const total = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** Each summary of a column's values, as the grid computes it; null when there is nothing to summarise. */
const SUMMARY_OF: Readonly<Record<Exclude<FooterSummary['kind'], 'Count'>, (values: number[]) => number | null>> = {
  Sum: total,
  Min: (values) => (values.length > 0 ? values.reduce((a, b) => Math.min(a, b)) : null),
  Max: (values) => (values.length > 0 ? values.reduce((a, b) => Math.max(a, b)) : null),
  Avg: (values) => (values.length > 0 ? total(values) / values.length : null),
};

function alignX(p: PlacedColumn, align: Align, width: number): number {
  const left = p.x + GEOMETRY.inset + GEOMETRY.cellPadding;
  if (align === 'right') return left + p.inner - width;
  if (align === 'center') return left + (p.inner - width) / 2;
  return left;
}

function newDocument(layout: Layout, options: RenderOptions): PDFKit.PDFDocument {
  return new PDFDocument({
    autoFirstPage: false,
    size: 'LETTER',
    margin: 0,
    compress: true,
    info: {
      Producer: PRODUCER,
      Creator: 'Archibald ERP',
      Title: layout.title,
      CreationDate: options.creationDate ?? DEFAULT_CREATION_DATE,
    },
  });
}

/**
 * Draws the whole export into `doc`, yielding to the event loop after every cycle so that a piped
 * destination drains while a large export (50,000 orders) renders.
 */
async function drawExport(doc: PDFKit.PDFDocument, layout: Layout, records: readonly ExportRecord[], options: RenderOptions): Promise<RenderSummary> {
  const renderer = new ExportRenderer(doc, layout, records, options.footer ?? footerOf(layout.type));
  const rows = gridRows(records, options.ghostRows ?? 0);
  const chunks = cutChunks(renderer.paginate(rows, options.maxRowsPerPage ?? Number.POSITIVE_INFINITY), options.cut);
  const cycleSize = layout.pages.length;
  const totalPages = chunks.length * cycleSize - (options.cut === 'last-page' ? 1 : 0);
  for (let c = 0; c < chunks.length; c++) {
    renderer.drawCycle(rows, chunks[c] as Chunk, c, totalPages, options.dropRowOnPage);
    if (c % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
  }
  return {
    variant: layout.variant,
    cycleSize,
    cycles: chunks.length,
    pages: totalPages,
    rowsPerCycle: chunks.map((chunk) => chunk.end - chunk.start),
    footer: chunks[chunks.length - 1]!.footer ? renderer.footerCells().filter((c) => options.cut !== 'last-page' || c.page < cycleSize) : [],
  };
}

/** The chunks a cut file still holds (`last-page` is cut while drawing: `totalPages` stops there). */
function cutChunks(chunks: Chunk[], cut: ExportCut | undefined): Chunk[] {
  if (cut === 'last-cycle') {
    if (chunks.length < 2) throw new Error('cutting the last cycle needs an export of two cycles or more');
    return chunks.slice(0, -1);
  }
  if (cut !== 'footer-row') return chunks;
  const last = chunks[chunks.length - 1]!;
  // A footer in a cycle of its own leaves nothing when it goes.
  return last.start === last.end && chunks.length > 1 ? chunks.slice(0, -1) : [...chunks.slice(0, -1), { ...last, footer: false }];
}

/** Renders an export to a PDF in memory. Fine for fixtures; use `renderExportToFile` for large exports. */
export async function renderExport(type: ExportName, records: readonly ExportRecord[], options: RenderOptions = {}): Promise<Buffer> {
  return (await renderExportWithSummary(type, records, options)).pdf;
}

/** Renders an export to a PDF in memory and reports its pagination. */
export async function renderExportWithSummary(type: ExportName, records: readonly ExportRecord[], options: RenderOptions = {}): Promise<{ pdf: Buffer; summary: RenderSummary }> {
  const layout = getLayout(type, options);
  const doc = newDocument(layout, options);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = finished(doc);
  const summary = await drawExport(doc, layout, records, options);
  doc.end();
  await done;
  const pdf = Buffer.concat(chunks);
  return { pdf: options.truncate ? pdf.subarray(0, Math.floor(pdf.length * 0.6)) : pdf, summary };
}

/** Renders an export straight into a file, streaming page by page. */
export async function renderExportToFile(file: string, type: ExportName, records: readonly ExportRecord[], options: RenderOptions = {}): Promise<RenderSummary> {
  await mkdir(dirname(file), { recursive: true });
  if (options.truncate) {
    const { pdf, summary } = await renderExportWithSummary(type, records, options);
    await writeFile(file, pdf);
    return summary;
  }
  const layout = getLayout(type, options);
  const doc = newDocument(layout, options);
  // Synchronous writes as pdfkit emits each object: piping would queue the whole file in memory while
  // the (synchronous) drawing keeps the event loop busy.
  const fd = openSync(file, 'w');
  try {
    doc.on('data', (chunk: Buffer) => writeSync(fd, chunk));
    const done = finished(doc);
    const summary = await drawExport(doc, layout, records, options);
    doc.end();
    await done;
    return summary;
  } finally {
    closeSync(fd);
  }
}
