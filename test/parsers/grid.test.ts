import { describe, expect, it } from 'vitest';
import { buildPageGrid } from '../../src/parsers/grid.js';
import type { PageContent, Rect, TextRun } from '../../src/parsers/pdf-page-reader.js';

/** A cell rectangle from top-left coordinates (as a designer thinks), in PDF page space. */
const cell = (x: number, top: number, w: number, h: number): Rect => ({ x0: x + 0.5, y0: 792 - top - h + 0.5, x1: x + w - 0.5, y1: 792 - top - 0.5 });
const text = (s: string, x: number, top: number, width = s.length * 3.5): TextRun => ({ text: s, x, y: 792 - top - 7, width, fontSize: 7 });

function page(rects: Rect[], texts: TextRun[]): PageContent {
  return { pageNumber: 1, width: 612, height: 792, rects, texts };
}

describe('buildPageGrid', () => {
  const columns = [
    [20, 80],
    [100, 120],
  ] as const;
  const row = (top: number, h: number): Rect[] => columns.map(([x, w]) => cell(x, top, w, h));

  it('assigns text by cell rectangle, not by where a header starts', () => {
    const grid = buildPageGrid(
      page(
        [...row(40, 12), ...row(52, 12)],
        [
          text('ID', 40, 42), // centred header
          text('IMPORTO TOTALE', 160, 42), // header printed at the right edge of its column
          text('70.962', 22, 54),
          text('1.234,56 €', 185, 54, 30), // right-aligned number
        ],
      ),
    );
    expect(grid.headers).toEqual(['ID', 'IMPORTO TOTALE']);
    expect(grid.rows).toEqual([[['70.962'], ['1.234,56 €']]]);
  });

  it('keeps the lines of a wrapped cell in order, top to bottom', () => {
    const grid = buildPageGrid(
      page([...row(40, 12), ...row(52, 30)], [text('A', 22, 42), text('B', 102, 42), text('Via Roma, 12', 102, 54), text('20121 Milano MI', 102, 63), text('1', 22, 54)]),
    );
    expect(grid.rows[0]![1]).toEqual(['Via Roma, 12', '20121 Milano MI']);
  });

  it('ignores text outside the grid and a title bar drawn as one wide rectangle', () => {
    const grid = buildPageGrid(
      page(
        [cell(20, 10, 200, 20), ...row(40, 12), ...row(52, 12), cell(20, 760, 200, 14)],
        [text('Ordini', 25, 14), text('Pagina 1 di 3', 150, 762), text('free text', 400, 300), text('ID', 22, 42), text('NOME', 102, 42), text('1', 22, 54), text('Rossi', 102, 54)],
      ),
    );
    expect(grid.headers).toEqual(['ID', 'NOME']);
    expect(grid.rows).toEqual([[['1'], ['Rossi']]]);
  });

  it('treats thin rules and a page-sized background as no cells', () => {
    const background: Rect = { x0: 0, y0: 0, x1: 612, y1: 792 };
    const rule: Rect = { x0: 20, y0: 700, x1: 220, y1: 700.5 };
    const grid = buildPageGrid(page([background, rule, ...row(40, 12)], [text('ID', 22, 42), text('NOME', 102, 42)]));
    expect(grid.headers).toEqual(['ID', 'NOME']);
    expect(grid.rows).toEqual([]);
  });

  it('reports a page without cells as a grid without headers', () => {
    expect(buildPageGrid(page([], [text('Nessun dato', 20, 20)])).headers).toEqual([]);
  });
});
