import type { ExportName, FieldValue } from './export-tables.js';

/**
 * One record as the parser emits it: the record fields of its export table (ERP-EXPORTS.md names), each
 * typed (`null` for an empty cell or a column the export does not show: `ExportLayout.missingFields`
 * tells the two apart), plus `extra` holding the text
 * of columns the table does not know — present only when the export has such columns.
 */
export type ExportRecord = { [field: string]: FieldValue | Record<string, string> | undefined } & {
  extra?: Record<string, string>;
};

/** What the parser found out about an export's layout; reported once per file. */
export interface ExportLayout {
  type: ExportName;
  /** Pages per cycle (N of ERP-EXPORTS §1), detected from the anchor header. */
  cycleSize: number;
  /** Header texts per page of the first cycle, in page order. */
  columnsPerPage: string[][];
  /** Headers found that the export table does not know (kept in each record's `extra`). */
  unknownColumns: string[];
  /** Optional columns of the table that the export does not show (their fields are `null`), by header text. */
  missingColumns: string[];
  /**
   * The record fields those columns fill, less those derived from a shown column (`derived`): unknown
   * for this export, not empty, so the apply step keeps their stored values (`src/sync/layout-drift.ts`).
   */
  missingFields: string[];
  /** Records per cycle after footer and ghost rows are dropped. */
  rowsPerCycle: number[];
  pages: number;
  cycles: number;
  /** Rows dropped because their key was empty or `0` (ERP ghost rows). */
  ghostRows: number;
  /** The summary footer that ended the export, cell by cell with what each check found (`footer.ts`). */
  footer?: FooterCell[];
}

/** The summaries a DevExpress grid footer can show (ERP-EXPORTS §1). */
export type SummaryKind = 'Count' | 'Sum' | 'Min' | 'Max' | 'Avg';

/** One non-empty cell of the export's summary footer and what it proved. */
export interface FooterCell {
  kind: SummaryKind;
  /** The cell as printed, e.g. `Count=1.132` or `Sum=98.001,75 €`. */
  text: string;
  /** Page of the cycle (1-based) and page of the file the cell is on. */
  page: number;
  filePage: number;
  /** The header of the cell's column as printed (whitespace collapsed). */
  column: string;
  /** `ok`: the rows read agree with the cell; `unchecked`: the cell cannot be checked, `detail` says why. */
  check: 'ok' | 'unchecked';
  /** What was compared (`1.132 rows read`) or why nothing was (`text column`). */
  detail: string;
}

/** A fully parsed and validated export. */
export interface ParsedExport {
  type: ExportName;
  layout: ExportLayout;
  records: ExportRecord[];
}

/** Progress of a parse, reported as pages are read. */
export interface ParseProgress {
  pagesDone: number;
  pagesTotal: number;
}

/**
 * The export cannot be trusted: not a PDF, truncated, a required column missing, a cycle whose pages
 * disagree, an unexpected export type. Its message names the problem so that an operator can act on it.
 * Failure class `export-invalid`: never retried, and nothing is written.
 */
export class ExportInvalidError extends Error {
  readonly class = 'export-invalid' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ExportInvalidError';
  }
}
