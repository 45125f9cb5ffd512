import { getDocument, OPS, type PDFDocumentProxy, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * Reads what the grid reader needs from a PDF page — text runs with their positions and the filled
 * rectangles the ERP draws as cells — in one pass over pdf.js's operator list.
 *
 * Why the operator list and not `getTextContent()` + `getOperatorList()`: both walk the whole content
 * stream, so asking for both doubles the cost per page, and the real price export runs to 15,000
 * pages. The operator list already carries every glyph with its Unicode value (from the font's
 * ToUnicode map, exactly what `getTextContent` uses) and every painted path; following the text and
 * graphics state here costs far less than a second walk. pdf.js's own table finder does not see this
 * ERP's grid (cells are fills, not ruled lines), which is the other reason to read rectangles directly.
 */

/** A run of text as painted by one show-text operator, in page space (origin bottom-left, points). */
export interface TextRun {
  text: string;
  /** Start of the baseline. */
  x: number;
  y: number;
  /** Advance width, in points. */
  width: number;
  fontSize: number;
}

/** An axis-aligned filled rectangle, in page space. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Text runs and filled rectangles of one page. */
export interface PageContent {
  pageNumber: number;
  width: number;
  height: number;
  texts: TextRun[];
  rects: Rect[];
}

type Matrix = [number, number, number, number, number, number];

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** m1 × m2 in PDF's row-vector convention (apply m1 first, then m2). */
function multiply(m1: readonly number[], m2: readonly number[]): Matrix {
  const [a1, b1, c1, d1, e1, f1] = m1 as Matrix;
  const [a2, b2, c2, d2, e2, f2] = m2 as Matrix;
  return [a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2, e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2];
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

interface GraphicsState {
  ctm: Matrix;
}

interface TextState {
  tm: Matrix;
  tlm: Matrix;
  fontSize: number;
  charSpacing: number;
  wordSpacing: number;
  hScale: number;
  leading: number;
  rise: number;
}

const FILL_OPS = new Set<number>([OPS.fill, OPS.eoFill, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);

/** Glyph as pdf.js puts it in a showText argument. */
interface Glyph {
  unicode?: string;
  width?: number;
  isSpace?: boolean;
}

/**
 * A kerning shift in a TJ array larger than this (thousandths of an em, negative = to the right) is a
 * word gap: some producers position words this way instead of printing a space.
 */
const WORD_GAP_SHIFT = 200;

/** Extracts text runs and filled rectangles from a pdf.js operator list. */
export function readOperatorList(ops: { fnArray: number[]; argsArray: unknown[] }, pageNumber: number, width: number, height: number): PageContent {
  const texts: TextRun[] = [];
  const rects: Rect[] = [];
  const stack: GraphicsState[] = [];
  let gs: GraphicsState = { ctm: [...IDENTITY] };
  const ts: TextState = { tm: [...IDENTITY], tlm: [...IDENTITY], fontSize: 0, charSpacing: 0, wordSpacing: 0, hScale: 1, leading: 0, rise: 0 };

  const moveLine = (tx: number, ty: number): void => {
    ts.tlm = multiply([1, 0, 0, 1, tx, ty], ts.tlm);
    ts.tm = [...ts.tlm];
  };

  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i] as unknown[] | null;
    switch (fn) {
      case OPS.save:
        stack.push({ ctm: [...gs.ctm] });
        break;
      case OPS.restore:
        gs = stack.pop() ?? { ctm: [...IDENTITY] };
        break;
      case OPS.transform:
        gs.ctm = multiply(args as number[], gs.ctm);
        break;
      case OPS.paintFormXObjectBegin:
        stack.push({ ctm: [...gs.ctm] });
        if (Array.isArray(args?.[0]) || ArrayBuffer.isView(args?.[0])) gs.ctm = multiply(Array.from(args![0] as ArrayLike<number>), gs.ctm);
        break;
      case OPS.paintFormXObjectEnd:
        gs = stack.pop() ?? { ctm: [...IDENTITY] };
        break;
      case OPS.beginText:
        ts.tm = [...IDENTITY];
        ts.tlm = [...IDENTITY];
        break;
      case OPS.setFont:
        ts.fontSize = Number(args?.[1] ?? 0);
        break;
      case OPS.setCharSpacing:
        ts.charSpacing = Number(args?.[0] ?? 0);
        break;
      case OPS.setWordSpacing:
        ts.wordSpacing = Number(args?.[0] ?? 0);
        break;
      case OPS.setHScale:
        ts.hScale = Number(args?.[0] ?? 100) / 100;
        break;
      case OPS.setLeading:
        ts.leading = Number(args?.[0] ?? 0);
        break;
      case OPS.setTextRise:
        ts.rise = Number(args?.[0] ?? 0);
        break;
      case OPS.setTextMatrix: {
        const m = Array.from((args?.[0] ?? args) as ArrayLike<number>) as Matrix;
        ts.tm = [...m];
        ts.tlm = [...m];
        break;
      }
      case OPS.moveText:
        moveLine(Number(args?.[0]), Number(args?.[1]));
        break;
      case OPS.setLeadingMoveText:
        ts.leading = -Number(args?.[1]);
        moveLine(Number(args?.[0]), Number(args?.[1]));
        break;
      case OPS.nextLine:
        moveLine(0, -ts.leading);
        break;
      case OPS.showText:
        showText(args?.[0] as (Glyph | number | null)[], ts, gs.ctm, texts);
        break;
      case OPS.constructPath:
        if (FILL_OPS.has(Number(args?.[0]))) collectRects(args!, gs.ctm, rects);
        break;
      default:
        break;
    }
  }
  return { pageNumber, width, height, texts, rects };
}

function showText(glyphs: (Glyph | number | null)[] | undefined, ts: TextState, ctm: Matrix, out: TextRun[]): void {
  if (!glyphs || ts.fontSize === 0) return;
  const tm = ts.tm;
  // Position of (0, rise) through tm × ctm, and the scale of that product, without building it.
  const a = tm[0] * ctm[0] + tm[1] * ctm[2];
  const b = tm[0] * ctm[1] + tm[1] * ctm[3];
  const c = tm[2] * ctm[0] + tm[3] * ctm[2];
  const d = tm[2] * ctm[1] + tm[3] * ctm[3];
  const e = tm[4] * ctm[0] + tm[5] * ctm[2] + ctm[4];
  const f = tm[4] * ctm[1] + tm[5] * ctm[3] + ctm[5];
  const x = c * ts.rise + e;
  const y = d * ts.rise + f;
  let text = '';
  let advance = 0; // in text space units
  for (const g of glyphs) {
    if (g === null) continue;
    if (typeof g === 'number') {
      advance -= (g / 1000) * ts.fontSize * ts.hScale;
      if (g < -WORD_GAP_SHIFT && text !== '' && !text.endsWith(' ')) text += ' ';
      continue;
    }
    text += g.unicode ?? '';
    advance += (((g.width ?? 0) / 1000) * ts.fontSize + ts.charSpacing + (g.isSpace ? ts.wordSpacing : 0)) * ts.hScale;
  }
  // Advancing the text matrix by (advance, 0): only its translation changes.
  tm[4] += advance * tm[0];
  tm[5] += advance * tm[1];
  if (text.trim() === '') return;
  out.push({ text, x, y, width: advance * Math.hypot(a, b), fontSize: ts.fontSize * Math.hypot(c, d) });
}

/**
 * Every closed sub-path of a filled path becomes its bounding box in page space. Cells are drawn as
 * `re` + `f`; a producer may batch several `re` into one fill, so sub-paths are read one by one
 * rather than trusting the path's overall bounding box.
 */
function collectRects(args: unknown[], ctm: Matrix, out: Rect[]): void {
  const data = (args[1] as ArrayLike<number>[] | undefined)?.[0];
  if (!data) return;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const flush = (): void => {
    if (minX < maxX && minY < maxY) {
      const [ax, ay] = apply(ctm, minX, minY);
      const [bx, by] = apply(ctm, maxX, maxY);
      out.push({ x0: Math.min(ax, bx), y0: Math.min(ay, by), x1: Math.max(ax, bx), y1: Math.max(ay, by) });
    }
    minX = minY = Infinity;
    maxX = maxY = -Infinity;
  };
  const take = (x: number, y: number): void => {
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  };
  for (let i = 0; i < data.length; ) {
    const op = data[i++];
    if (op === 0) {
      flush();
      take(data[i++]!, data[i++]!);
    } else if (op === 1) {
      take(data[i++]!, data[i++]!);
    } else if (op === 2) {
      take(data[i++]!, data[i++]!);
      take(data[i++]!, data[i++]!);
      take(data[i++]!, data[i++]!);
    } else if (op === 3) {
      flush();
    } else {
      break;
    }
  }
  flush();
}

/**
 * Opens a PDF from bytes with pdf.js, quietly (no console output for font warnings). pdf.js's own worker
 * code runs on this thread (the caller is already a worker thread): loading it once here, as
 * `globalThis.pdfjsWorker`, spares pdf.js a dynamic import per document.
 */
export async function openPdf(data: Uint8Array): Promise<PDFDocumentProxy> {
  const g = globalThis as { pdfjsWorker?: unknown };
  g.pdfjsWorker ??= await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
  return getDocument({ data, verbosity: 0, isEvalSupported: false, useSystemFonts: false, stopAtErrors: true }).promise;
}

/** Reads one page's text runs and rectangles. */
export async function readPage(page: PDFPageProxy): Promise<PageContent> {
  const ops = await page.getOperatorList();
  const [x0, y0, x1, y1] = page.view as [number, number, number, number];
  return readOperatorList(ops, page.pageNumber, x1 - x0, y1 - y0);
}
