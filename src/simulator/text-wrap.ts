/**
 * Line wrapping of cell text, done by the generator itself (not by pdfkit) so that it knows every line
 * it draws: the row height depends on the line count, and the ground truth depends on where lines
 * break. A break the parser could not undo exactly is refused with a `CellOverflowError` rather than
 * silently producing a fixture whose ground truth is wrong.
 */

/**
 * How a column's text may break, following the parser's `join` of the column:
 * - `words`: at spaces (join `' '`); a word wider than the column is refused;
 * - `chars`: anywhere but at a space (join `''`, e.g. customers' `URL`);
 * - `fixed`: only at the text's own `\n` (join `', '` addresses, tracking anchors): a line too wide is refused.
 */
export type WrapMode = 'words' | 'chars' | 'fixed';

/** Width of a string in points in the cell's font and size. */
export type Measure = (text: string) => number;

/** A cell text that cannot be wrapped without changing what the parser would read back. */
export class CellOverflowError extends Error {
  constructor(text: string, width: number, why: string) {
    super(`cell text "${text}" does not fit ${width.toFixed(1)} pt: ${why}`);
    this.name = 'CellOverflowError';
  }
}

function wrapWords(line: string, width: number, measure: Measure): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (measure(word) > width) throw new CellOverflowError(line, width, `the word "${word}" is wider than the column`);
    const candidate = current ? `${current} ${word}` : word;
    if (current && measure(candidate) > width) {
      out.push(current);
      current = word;
    } else {
      current = candidate;
    }
  }
  out.push(current);
  return out;
}

function wrapChars(line: string, width: number, measure: Measure): string[] {
  const out: string[] = [];
  let current = '';
  for (const char of line) {
    if (current && measure(current + char) > width) {
      if (char === ' ' || current.endsWith(' ')) throw new CellOverflowError(line, width, 'a break would fall on a space');
      out.push(current);
      current = char;
    } else {
      current += char;
    }
  }
  out.push(current);
  return out;
}

/** The lines of a cell text wrapped to `width` points; no lines for an empty text. */
export function wrapText(text: string, width: number, mode: WrapMode, measure: Measure): string[] {
  if (text === '') return [];
  const lines: string[] = [];
  for (const hard of text.split('\n')) {
    if (measure(hard) <= width) lines.push(hard);
    else if (mode === 'fixed') throw new CellOverflowError(hard, width, 'this column must not wrap');
    else lines.push(...(mode === 'chars' ? wrapChars(hard, width, measure) : wrapWords(hard, width, measure)));
  }
  return lines;
}
