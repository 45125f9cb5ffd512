import type { ColumnSpec, FieldType } from './export-tables.js';
import type { FooterCell, SummaryKind } from './types.js';
import { parseValue, ValueFormatError } from './values.js';

/**
 * The export's summary footer (ERP-EXPORTS §1): the last row of the last cycle, on every page of that
 * cycle, whose non-empty cells all read `Name=value` (DevExpress total summaries: `Count`, `Sum`, `Min`,
 * `Max`, `Avg`). Which columns carry a summary depends on the export and on the user's grid settings
 * (the real DDT export counts under its third column, the invoice export has only sums), so the footer
 * is recognised by its shape, never by one column. It ends the document, and its `Count=` and `Sum=`
 * cells are checksums of the rows read.
 */

const SUMMARY = /^(count|sum|min|max|avg)\s*=\s*(.*)$/i;

/** A summary cell's kind and value text, or null when the text is not a summary. */
export function readSummary(text: string): { kind: SummaryKind; value: string } | null {
  const m = SUMMARY.exec(text.trim());
  if (!m) return null;
  const name = m[1]!.toLowerCase();
  return { kind: (name[0]!.toUpperCase() + name.slice(1)) as SummaryKind, value: m[2]!.trim() };
}

/** What the last row of a page is: summaries only (at least one), nothing at all, or anything else. */
export type RowShape = 'summary' | 'empty' | 'data';

/** The shape of one page's row (`undefined`: the page has no row at all, which no footer can be). */
export function rowShape(row: readonly string[][] | undefined): RowShape {
  if (!row) return 'data';
  let summaries = 0;
  for (const cell of row) {
    if (cell.length === 0) continue;
    if (!readSummary(cell.join(' '))) return 'data';
    summaries++;
  }
  return summaries > 0 ? 'summary' : 'empty';
}

/**
 * Whether the last rows of a cycle's pages are the footer: every page's last row holds only summaries
 * or nothing, and at least one holds a summary. `split` when some pages end with summaries and others
 * with data: the pages of the cycle do not hold the same rows.
 */
export function footerShape(lastRows: readonly (readonly string[][] | undefined)[]): 'footer' | 'none' | { split: { summaryPage: number; dataPage: number } } {
  const shapes = lastRows.map(rowShape);
  const summaryPage = shapes.indexOf('summary');
  if (summaryPage < 0) return 'none';
  const dataPage = shapes.indexOf('data');
  return dataPage < 0 ? 'footer' : { split: { summaryPage, dataPage } };
}

/** A footer cell as found, before the whole export has been read. */
export interface PendingFooterCell {
  kind: SummaryKind;
  value: string;
  text: string;
  page: number;
  filePage: number;
  column: string;
  /** The table column under the cell, or why there is none (`ignored column`, `unknown column`). */
  spec: ColumnSpec | string;
}

/** Running sum of a numeric column over every row read. */
export interface ColumnTotal {
  sum: number;
  /** Rows with a value: the tolerance grows with each (see `DISPLAYED_UNIT`). */
  values: number;
}

/** What the footer checks compare against: the whole export as read. */
export interface FooterContext {
  /** Data rows read, ghost rows included, footer excluded. */
  rowsRead: number;
  ghostRows: number;
  totals: ReadonlyMap<ColumnSpec, ColumnTotal>;
}

/**
 * The smallest step a numeric column displays: whole numbers step by 1; amounts, quantities and
 * percentages by the ERP's two decimals (the invoice export drops trailing zeros, but its amounts still
 * have cents). The ERP sums the unrounded values and prints each row rounded, so a sum may differ from
 * the rows' sum by half a step per row (the real orders export: rows 43.256,35, footer 43.256,30).
 */
export const DISPLAYED_UNIT: Readonly<Partial<Record<FieldType, number>>> = { int: 1, number: 0.01, money: 0.01, percent: 0.01 };

/** `1.132`, `999` → 1132, 999 (the ERP prints counts with a thousands dot); null for anything else. */
export function readCount(value: string): number | null {
  const s = value.replace(/\s/g, '');
  return /^(\d{1,3}(\.\d{3})+|\d+)$/.test(s) ? Number(s.replace(/\./g, '')) : null;
}

/**
 * Checks one footer cell against the rows read: a `Count=` must equal the rows read (with or without
 * ghost rows), a `Sum=` of a numeric column their sum within half a displayed unit per row. Cells that
 * cannot be checked (a sum over a text column, `Min`/`Max`/`Avg`) are reported as unchecked.
 * @param fail throws the export-invalid error for a problem.
 */
export function checkFooterCell(cell: PendingFooterCell, context: FooterContext, fail: (problem: string) => never): FooterCell {
  const { spec, ...shown } = cell;
  const where = `under "${cell.column}" on page ${cell.page} of the last cycle (file page ${cell.filePage})`;
  const result = (check: FooterCell['check'], detail: string): FooterCell => ({
    kind: shown.kind, text: shown.text, page: shown.page, filePage: shown.filePage, column: shown.column, check, detail,
  });
  if (cell.kind === 'Count') {
    const count = readCount(cell.value);
    if (count === null) fail(`footer cell "${cell.text}" ${where} is not a count`);
    const { rowsRead, ghostRows } = context;
    if (count !== rowsRead && count !== rowsRead - ghostRows) {
      fail(`footer says ${cell.text} ${where} but ${formatItalian(rowsRead - ghostRows)} rows were read: rows are missing`);
    }
    return result('ok', `${formatItalian(count)} rows read`);
  }
  if (cell.kind !== 'Sum') return result('unchecked', `only Count and Sum are checked`);
  if (typeof spec === 'string') return result('unchecked', spec);
  const unit = DISPLAYED_UNIT[spec.type];
  if (unit === undefined || spec.type === 'tracking') return result('unchecked', `${spec.type} column`);
  let footer: number;
  try {
    footer = parseValue(cell.value, spec.type) as number;
  } catch (err) {
    if (!(err instanceof ValueFormatError)) throw err;
    return fail(`footer cell "${cell.text}" ${where}: ${err.message}`);
  }
  const total = context.totals.get(spec) ?? { sum: 0, values: 0 };
  const tolerance = (unit / 2) * total.values;
  // The epsilon absorbs binary floating point in the running sum, far below any displayed unit.
  if (footer === null || Math.abs(footer - total.sum) > tolerance + unit * 1e-6) {
    fail(`footer says ${cell.text} ${where} but the rows read add up to ${formatItalian(total.sum)} (allowed difference ${formatItalian(tolerance, 3)}: half a displayed unit per row)`);
  }
  return result('ok', `rows add up to ${formatItalian(total.sum)}`);
}

/** The footer in one line, for a run's stats: `Count=1.132 (DOCUMENTO DI TRASPORTO:, p1) ok; …`. */
export function describeFooter(cells: readonly FooterCell[]): string {
  if (cells.length === 0) return 'no footer';
  const pages = [...new Set(cells.map((c) => c.filePage))];
  const cellsText = cells.map((c) => `${c.text} (${c.column}, p${c.page}) ${c.check === 'ok' ? 'ok' : `unchecked: ${c.detail}`}`);
  return `footer on file page${pages.length > 1 ? 's' : ''} ${pages.join(', ')}: ${cellsText.join('; ')}`;
}

/** A number as the ERP prints it: thousands dot, decimal comma, at most `decimals` decimals (default two). */
export function formatItalian(n: number, decimals = 2): string {
  const factor = 10 ** decimals;
  const rounded = Math.round(Math.abs(n) * factor) / factor;
  const [whole = '0', fraction = ''] = rounded.toFixed(decimals).split('.');
  const shown = fraction.replace(/0+$/, '');
  return `${n < 0 && rounded !== 0 ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.')}${shown ? `,${shown}` : ''}`;
}
