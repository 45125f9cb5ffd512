import type { PageContent, Rect, TextRun } from './pdf-page-reader.js';

/**
 * One page's grid: the header row's columns and the data rows' cells, each cell as its text lines
 * (top to bottom). Built from the ERP's cell rectangles, not from text positions: a header is not
 * always at the left edge of its column and numeric columns are right-aligned (ERP-EXPORTS §1), so
 * only the rectangles say which column a piece of text belongs to.
 */
export interface PageGrid {
  pageNumber: number;
  /** Header texts (raw, lines joined by a space), one per column, left to right. */
  headers: string[];
  /** Data rows top to bottom (the header row excluded); `rows[r][c]` is the lines of that cell. */
  rows: string[][][];
}

/** Rectangles thinner than this (points) are borders or rules, not cells. */
const MIN_CELL_SIZE = 3;
/** Edges closer than this (points) are the same edge: producers round coordinates differently. */
const EDGE_TOLERANCE = 1.5;
/** A filled rectangle covering more than this share of the page is a background, not a cell. */
const MAX_CELL_PAGE_SHARE = 0.25;

/** Builds the grid of one page, or a grid with no headers when the page has no cells. */
export function buildPageGrid(page: PageContent): PageGrid {
  const cells = innermostRects(page.rects.filter((r) => isCellSized(r, page)));
  if (cells.length === 0) return { pageNumber: page.pageNumber, headers: [], rows: [] };
  const bands = gridBands(rowBands(cells));
  const columns = bands[0]!.cells; // the header row defines the columns
  const lines = bands.map(() => columns.map(() => [] as TextRun[]));
  for (const run of page.texts) {
    const r = indexContaining(bands, 'y0', 'y1', run.y + run.fontSize * 0.3);
    if (r < 0) continue; // text outside the grid: titles, page numbers
    const c = indexContaining(columns, 'x0', 'x1', run.x + Math.min(1, run.width / 2));
    if (c < 0) continue;
    lines[r]![c]!.push(run);
  }
  const texts = lines.map((row) => row.map(cellLines));
  return {
    pageNumber: page.pageNumber,
    headers: texts[0]!.map((l) => l.join(' ')),
    rows: texts.slice(1),
  };
}

/** Index of the first interval `[lo, hi]` holding `v`, or -1 (a plain loop: it runs for every text run). */
function indexContaining<K extends string>(items: readonly Record<K, number>[], lo: K, hi: K, v: number): number {
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (v >= it[lo] - 0.01 && v <= it[hi] + 0.01) return i;
  }
  return -1;
}

function isCellSized(r: Rect, page: PageContent): boolean {
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  return w >= MIN_CELL_SIZE && h >= MIN_CELL_SIZE && w * h <= MAX_CELL_PAGE_SHARE * page.width * page.height;
}

/**
 * Drops duplicate rectangles and those that contain another one (a row background under its cells,
 * a cell background under an inner fill), so that one rectangle stands for one cell.
 */
function innermostRects(rects: Rect[]): Rect[] {
  const unique: Rect[] = [];
  const seen = new Set<string>();
  for (const r of rects) {
    const k = `${Math.round(r.x0)}|${Math.round(r.y0)}|${Math.round(r.x1)}|${Math.round(r.y1)}`;
    if (!seen.has(k)) {
      seen.add(k);
      unique.push(r);
    }
  }
  const t = EDGE_TOLERANCE;
  const contains = (a: Rect, b: Rect): boolean =>
    a !== b && a.x0 <= b.x0 + t && a.y0 <= b.y0 + t && a.x1 >= b.x1 - t && a.y1 >= b.y1 - t && (a.x1 - a.x0) * (a.y1 - a.y0) > (b.x1 - b.x0) * (b.y1 - b.y0) * 1.2;
  // Sorting by area lets each rectangle be checked only against smaller ones.
  unique.sort((a, b) => (a.x1 - a.x0) * (a.y1 - a.y0) - (b.x1 - b.x0) * (b.y1 - b.y0));
  return unique.filter((a, i) => {
    for (let j = 0; j < i; j++) if (contains(a, unique[j]!)) return false;
    return true;
  });
}

interface Band {
  y0: number;
  y1: number;
  cells: Rect[];
}

/** Groups cells into rows by their top edge, top row first; cells of a row left to right. */
function rowBands(cells: Rect[]): Band[] {
  const sorted = [...cells].sort((a, b) => b.y1 - a.y1 || a.x0 - b.x0);
  const bands: Band[] = [];
  for (const c of sorted) {
    const band = bands[bands.length - 1];
    if (band && Math.abs(band.y1 - c.y1) <= EDGE_TOLERANCE) {
      band.cells.push(c);
      band.y0 = Math.min(band.y0, c.y0);
    } else {
      bands.push({ y0: c.y0, y1: c.y1, cells: [c] });
    }
  }
  for (const b of bands) b.cells.sort((a, c) => a.x0 - c.x0);
  return bands;
}

/**
 * The bands that belong to the grid, header first. The grid's columns are those of the band with the
 * most cells; a band whose cells do not line up with them (a report title bar above the grid, a page
 * number bar below it, drawn as one wide filled rectangle) is not part of the grid.
 */
function gridBands(bands: Band[]): Band[] {
  const widest = bands.reduce((best, b) => (b.cells.length > best.cells.length ? b : best), bands[0]!);
  const columns = widest.cells;
  const aligned = (band: Band): boolean =>
    band.cells.every((c) => columns.some((col) => Math.abs(col.x0 - c.x0) <= EDGE_TOLERANCE && Math.abs(col.x1 - c.x1) <= EDGE_TOLERANCE));
  const kept = bands.filter(aligned);
  return kept.length > 0 ? kept : bands;
}

/** A cell's runs → its text lines, top to bottom; runs on one baseline are joined left to right. */
function cellLines(runs: TextRun[]): string[] {
  if (runs.length === 0) return [];
  const sorted = [...runs].sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: TextRun[][] = [];
  for (const run of sorted) {
    const line = lines[lines.length - 1];
    if (line && Math.abs(line[0]!.y - run.y) <= run.fontSize * 0.4) line.push(run);
    else lines.push([run]);
  }
  return lines.map(joinLine).filter((l) => l !== '');
}

function joinLine(runs: TextRun[]): string {
  runs.sort((a, b) => a.x - b.x);
  let out = '';
  let end = -Infinity;
  for (const r of runs) {
    // A gap wider than a fifth of the font size between two runs is a space the producer did not print.
    if (out !== '' && !out.endsWith(' ') && !r.text.startsWith(' ') && r.x - end > r.fontSize * 0.2) out += ' ';
    out += r.text;
    end = r.x + r.width;
  }
  return out.replace(/\s+/g, ' ').trim();
}
