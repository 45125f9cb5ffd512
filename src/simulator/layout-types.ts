/** The shape of an export layout: the pages of one cycle, each a list of columns (each export lists its own in `src/exports/<name>.simulator.ts`). */
import type { ExportName } from '../parsers/export-tables.js';
import type { SummaryKind } from '../parsers/types.js';
import type { BoolStyle, MoneyStyle } from './formats.js';

/** What a column prints. */
export type ColumnContent =
  /** A record field, formatted by its field type (`tracking`: the three tracking fields as one anchor). */
  | { kind: 'field'; field: string }
  /** A column the parser must skip: an icon column (empty text) or junk (`System.Byte[]`), same on every row. */
  | { kind: 'ignored'; text: string }
  /** A column the export table does not know: prints `record.extra[normaliseHeader(header)]`. */
  | { kind: 'extra' };

/** Horizontal alignment of a cell's lines. */
export type Align = 'left' | 'center' | 'right';

/** One column of one page. */
export interface LayoutColumn {
  /** Header text as printed; `\n` forces a line break (merged headers such as `QUANTITÀ\nIMPORTO\nDA`). */
  header: string;
  content: ColumnContent;
  /** Width in points, including the white gap to the neighbours. */
  width: number;
  /** Data alignment: numbers right, text left. */
  align: 'left' | 'right';
  /** Header alignment: not always the data's (ERP-EXPORTS §1). */
  headerAlign: Align;
  /** How a boolean prints (default `checkbox`: `Checked`/`Unchecked`). */
  boolStyle?: BoolStyle;
}

/** One layout variant of an export. */
export interface Layout {
  type: ExportName;
  /** Variant name (`7p`, `extra-column`, …). */
  variant: string;
  /** Title printed above the grid (outside any cell). */
  title: string;
  /** How money prints in this export. */
  moneyStyle: MoneyStyle;
  /** The pages of one cycle, left to right. */
  pages: LayoutColumn[][];
}

/**
 * One cell of the summary footer (ERP-EXPORTS §1): the summary shown under a field's column, formatted
 * like the column. `skew` is a fault: it is added to the true value, so the footer disagrees with its rows.
 */
export interface FooterSummary {
  field: string;
  kind: SummaryKind;
  skew?: number;
}
