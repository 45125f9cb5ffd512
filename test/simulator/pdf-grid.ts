/**
 * A deliberately naive reader of the rendered grid, for the generator's own tests: it knows the layout
 * (it is not the parser), finds cells from the filled rectangles pdf.js reports, puts each text item in
 * the rectangle that contains it, and turns the cells back into typed values. If this reads back the
 * ground truth, the fixtures say what their JSON says.
 */
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { normaliseHeader, type FieldValue } from '../../src/parsers/export-tables.js';
import type { ExportRecord } from '../../src/parsers/types.js';
import { columnSpec, type Layout } from '../../src/simulator/layouts.js';

/** A cell rectangle (top-down coordinates) with its text lines. */
export interface Cell {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  lines: string[];
}

/** One page: rows of cells (row 0 the header), and text found outside every cell. */
export interface PageGrid {
  rows: Cell[][];
  outside: string[];
  /** Text items that stick out of the cell they start in. */
  overflowing: string[];
}

interface TextItemLike {
  str: string;
  transform: number[];
  width: number;
}

/** Reads every page of a PDF into cells. pdfkit draws rectangles under the page CTM [1 0 0 -1 0 792]. */
export async function readGrid(pdf: Buffer): Promise<PageGrid[]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
  const pages: PageGrid[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const ops = await page.getOperatorList();
    const cells: Cell[] = [];
    ops.fnArray.forEach((fn, i) => {
      if (fn !== OPS.constructPath) return;
      const box = (ops.argsArray[i] as unknown[])[2] as Float32Array;
      cells.push({ x0: box[0] as number, y0: box[1] as number, x1: box[2] as number, y1: box[3] as number, lines: [] });
    });
    const outside: string[] = [];
    const overflowing: string[] = [];
    const content = await page.getTextContent();
    for (const item of content.items as TextItemLike[]) {
      if (!('str' in item) || item.str.trim() === '') continue;
      const x = item.transform[4] as number;
      const top = (page.view[3] ?? 792) - (item.transform[5] as number) - 4;
      const cell = cells.find((c) => x > c.x0 && x < c.x1 && top > c.y0 && top < c.y1);
      if (!cell) outside.push(item.str);
      else {
        cell.lines.push(item.str);
        if (x + item.width > cell.x1 + 0.01) overflowing.push(item.str);
      }
    }
    const bands = [...new Set(cells.map((c) => c.y0.toFixed(1)))].sort((a, b) => Number(a) - Number(b));
    const rows = bands.map((band) => cells.filter((c) => c.y0.toFixed(1) === band).sort((a, b) => a.x0 - b.x0));
    pages.push({ rows, outside, overflowing });
    page.cleanup();
  }
  await doc.destroy();
  return pages;
}

function italianNumber(text: string): number {
  return Number(text.replace(/\s*[€%]$/, '').replace(/\./g, '').replace(',', '.'));
}

function isoDate(text: string): string {
  const [d, m, y] = text.split('/');
  return `${y}-${m}-${d}`;
}

/** Turns a cell's lines into the value the parser must emit for a field of the layout's export. */
export function cellValue(layout: Layout, field: string, lines: string[]): Record<string, FieldValue> {
  const spec = columnSpec(layout.type, field);
  const text = lines.join(spec.join ?? ' ').trim();
  if (spec.type === 'tracking') {
    if (text === '') return { trackingCourier: null, trackingNumber: null, trackingUrl: null };
    const url = /href\s*=\s*"([^"]*)"/.exec(text)?.[1]?.replace(/\s+/g, '') ?? null;
    const label = />([^<]*)<\/a>/.exec(text)?.[1]?.trim() ?? '';
    const space = label.indexOf(' ');
    return { trackingCourier: label.slice(0, space).toUpperCase(), trackingNumber: label.slice(space + 1), trackingUrl: url };
  }
  if (text === '') return { [field]: null };
  switch (spec.type) {
    case 'int':
    case 'number':
    case 'money':
    case 'percent':
      return { [field]: italianNumber(text) };
    case 'date':
      return { [field]: isoDate(text) };
    case 'datetime':
      return { [field]: `${isoDate(text.slice(0, 10))}T${text.slice(11)}` };
    case 'bool':
      return { [field]: text === 'Checked' || text === 'Sì' };
    default:
      return { [field]: text };
  }
}

/** What reading the grids of one export gave. */
export interface ReadBack {
  /** Normalised header texts per page of the first cycle. */
  headers: string[][];
  /** Per page of each cycle, the y of every data row (pages of a cycle must agree). */
  rowBands: number[][][];
  records: ExportRecord[];
  /** Rows dropped as ghost rows. */
  ghosts: number;
  footer: string[];
}

/**
 * Reads records back by the layout: pages in cycles of `layout.pages.length`, row i of every page of a
 * cycle the same record, the last row of the last cycle the footer, ghost rows (first key cell empty
 * or `0`) dropped. Fields the layout does not show are `null`; an invoice's missing order number is
 * taken from `purchaseOrder`.
 */
export function readRecords(layout: Layout, grids: PageGrid[], keyField: string): ReadBack {
  const size = layout.pages.length;
  const headers = grids.slice(0, size).map((g) => (g.rows[0] ?? []).map((c) => normaliseHeader(c.lines.join(' '))));
  const records: ExportRecord[] = [];
  const rowBands: number[][][] = [];
  let footer: string[] = [];
  let ghosts = 0;
  for (let start = 0; start < grids.length; start += size) {
    const cycle = grids.slice(start, start + size);
    const last = start + size >= grids.length;
    rowBands.push(cycle.map((g) => g.rows.slice(1).map((row) => row[0]?.y0 ?? -1)));
    const count = (cycle[0]?.rows.length ?? 1) - 1 - (last ? 1 : 0);
    if (last) footer = cycle.flatMap((g) => (g.rows[g.rows.length - 1] ?? []).map((c) => c.lines.join(' ')));
    for (let r = 1; r <= count; r++) {
      const record: ExportRecord = {};
      cycle.forEach((grid, p) => {
        (layout.pages[p] ?? []).forEach((column, c) => {
          const lines = grid.rows[r]?.[c]?.lines ?? [];
          if (column.content.kind === 'field') Object.assign(record, cellValue(layout, column.content.field, lines));
          if (column.content.kind === 'extra') record.extra = { ...record.extra, [normaliseHeader(column.header)]: lines.join(' ') };
        });
      });
      if (record[keyField] === null || record[keyField] === undefined || record[keyField] === '0' || record[keyField] === 0) ghosts++;
      else records.push(record);
    }
  }
  return { headers, rowBands, records, ghosts, footer };
}
