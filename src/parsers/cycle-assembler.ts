import { exportTables } from '../exports/registry.js';
import {
  normaliseHeader,
  recordFields,
  TRACKING_FIELDS,
  type ColumnSpec,
  type ExportTable,
  type ExportName,
  type FieldValue,
} from './export-tables.js';
import { checkFooterCell, footerShape, readSummary, type ColumnTotal, type PendingFooterCell } from './footer.js';
import type { PageGrid } from './grid.js';
import { ExportInvalidError, type ExportLayout, type ExportRecord } from './types.js';
import { parseTracking, parseValue, ValueFormatError } from './values.js';

/**
 * Turns a stream of page grids into records, one cycle at a time (ERP-EXPORTS §1): a cycle starts at
 * every page whose header row holds the export's anchor header(s); page k of a cycle holds column
 * group k for the same rows, so row i of every page of a cycle is one record. Only the current cycle's
 * pages are held, so memory does not grow with the page count.
 *
 * Fail closed: every doubt about alignment — a required column missing, pages of a cycle that disagree
 * on their row count, a cycle whose columns differ from the first one's, a last cycle without its summary
 * footer, a footer count or sum that does not match the rows read, a cell that does not read as its
 * column's type — throws an `ExportInvalidError`.
 */
export class CycleAssembler {
  private table: ExportTable | null;
  private readonly expected: ExportName | null;
  private pages: PageGrid[] = [];
  private cycleIndex = 0;
  private firstCycleHeaders: string[][] | null = null;
  private readonly layout: Omit<ExportLayout, 'type'> = {
    cycleSize: 0,
    columnsPerPage: [],
    unknownColumns: [],
    missingColumns: [],
    missingFields: [],
    rowsPerCycle: [],
    pages: 0,
    cycles: 0,
    ghostRows: 0,
  };
  private readonly seenKeys = new Set<string>();
  /** Every page repeats its header row: each header text is normalised once. */
  private readonly normalised = new Map<string, string>();
  private duplicates = 0;
  private rowsRead = 0;
  /** The last cycle's footer cells, checked once every row has been read. */
  private footer: PendingFooterCell[] | null = null;
  /** Running sums of the numeric columns over every row read: the footer's `Sum=` cells check them. */
  private readonly totals = new Map<ColumnSpec, ColumnTotal>();

  /**
   * @param type the expected export type, or null to detect it from the first page's headers.
   * @param tables the tables it knows (every registered export's by default; the parse worker is given them).
   */
  constructor(
    type: ExportName | null,
    private readonly tables: readonly ExportTable[] = exportTables(),
  ) {
    this.expected = type;
    this.table = null;
  }

  /** The detected (or expected) type, once the first page has been seen. */
  get type(): ExportName | null {
    return this.table?.type ?? null;
  }

  /** Adds the next page; returns the records of the cycle that this page closed, if any. */
  addPage(page: PageGrid): ExportRecord[] {
    this.layout.pages++;
    if (page.headers.length === 0) throw this.invalid(`page ${page.pageNumber} has no grid (no cell rectangles with a header row)`);
    if (!this.table) this.table = this.detect(page);
    const startsCycle = this.isAnchorPage(page);
    if (this.pages.length === 0 && !startsCycle) {
      throw this.invalid(`required column "${this.table.anchor.join('" + "')}" not found on page ${page.pageNumber} of cycle ${this.cycleIndex + 1}`);
    }
    let done: ExportRecord[] = [];
    if (startsCycle && this.pages.length > 0) done = this.closeCycle(false);
    this.pages.push(page);
    return done;
  }

  /** Closes the last cycle; returns its records and the layout report. */
  finish(): { records: ExportRecord[]; layout: ExportLayout; duplicates: number } {
    if (!this.table) throw new ExportInvalidError(`${this.expected ?? 'unknown'} export: the file has no pages`);
    const records = this.pages.length > 0 ? this.closeCycle(true) : [];
    const context = { rowsRead: this.rowsRead, ghostRows: this.layout.ghostRows, totals: this.totals };
    const footer = this.footer!.map((cell) => checkFooterCell(cell, context, (problem) => {
      throw this.invalid(problem);
    }));
    return { records, layout: { type: this.table.type, ...this.layout, footer }, duplicates: this.duplicates };
  }

  private invalid(problem: string): ExportInvalidError {
    return new ExportInvalidError(`${this.table?.label ?? this.expected ?? 'unknown'} export: ${problem}`);
  }

  private normalise(header: string): string {
    let n = this.normalised.get(header);
    if (n === undefined) {
      n = normaliseHeader(header);
      this.normalised.set(header, n);
    }
    return n;
  }

  private isAnchorPage(page: PageGrid): boolean {
    const headers = new Set(page.headers.map((h) => this.normalise(h)));
    return this.table!.anchor.every((a) => headers.has(a));
  }

  /**
   * Detects the export type from the first page: among the exports whose anchor is on the page, the one
   * that knows the largest share of the page's headers (DDT page 1 also shows orders' anchor
   * `ID DI VENDITA`, but orders knows fewer of its headers).
   */
  private detect(page: PageGrid): ExportTable {
    const headers = page.headers.map(normaliseHeader).filter((h) => h !== '');
    const scored = this.tables.map((table) => {
      const known = new Set([...table.columns.flatMap((c) => c.headers), ...table.ignored]);
      const anchored = table.anchor.every((a) => headers.includes(a));
      return { table, anchored, score: headers.filter((h) => known.has(h)).length };
    })
      .filter((s) => s.anchored)
      .sort((a, b) => b.score - a.score);
    const best = scored[0];
    if (this.expected) {
      const table = this.tables.find((candidate) => candidate.type === this.expected);
      if (table === undefined) throw new ExportInvalidError(`unknown export type ${this.expected}: no parse table is registered for it`);
      if (best && best.table !== table && best.score > (scored.find((s) => s.table === table)?.score ?? 0)) {
        throw new ExportInvalidError(`${table.label} export expected, but page 1 is the first page of a ${best.table.label} export (headers: ${headers.join(', ')})`);
      }
      return table;
    }
    if (!best) throw new ExportInvalidError(`unknown export: the headers of page 1 (${headers.join(', ')}) match none of the known exports`);
    if (scored[1] && scored[1].score === best.score) {
      throw new ExportInvalidError(`ambiguous export: page 1 fits both ${best.table.label} and ${scored[1].table.label}; pass the type explicitly`);
    }
    return best.table;
  }

  /** Reads the cycle held; `last` when no page follows it (its last row must be the footer). */
  private closeCycle(last: boolean): ExportRecord[] {
    const table = this.table!;
    const pages = this.pages;
    this.pages = [];
    this.cycleIndex++;
    const where = `cycle ${this.cycleIndex} (pages ${pages[0]!.pageNumber}–${pages[pages.length - 1]!.pageNumber})`;
    const headers = pages.map((p) => p.headers.map((h) => this.normalise(h)));
    this.checkSameLayout(headers, where);
    const mapping = this.mapColumns(table, headers);
    this.checkRequired(table, mapping, pages);
    this.takeFooter(pages, mapping, where, last);
    const rowCount = this.alignedRowCount(pages, where);
    const records: ExportRecord[] = [];
    for (let r = 0; r < rowCount; r++) {
      this.rowsRead++;
      const record = this.buildRecord(table, pages, mapping, r);
      if (isGhost(table, record)) {
        this.layout.ghostRows++;
        continue;
      }
      const key = table.key.map((k) => String(record[k])).join('\u001f');
      if (this.seenKeys.has(key)) {
        this.duplicates++;
        continue;
      }
      this.seenKeys.add(key);
      records.push(record);
    }
    this.layout.rowsPerCycle.push(records.length);
    this.layout.cycles++;
    return records;
  }

  private checkSameLayout(headers: string[][], where: string): void {
    if (!this.firstCycleHeaders) {
      this.firstCycleHeaders = headers;
      this.layout.cycleSize = headers.length;
      this.layout.columnsPerPage = headers;
      return;
    }
    const first = this.firstCycleHeaders;
    if (headers.length !== first.length) {
      throw this.invalid(`${where} has ${headers.length} pages, cycle 1 had ${first.length}: a page is missing or the layout changed`);
    }
    headers.forEach((h, k) => {
      if (h.join('|') !== first[k]!.join('|')) {
        throw this.invalid(`page ${k + 1} of ${where} has columns [${h.join(', ')}], cycle 1 had [${first[k]!.join(', ')}]`);
      }
    });
  }

  /** Maps every (page, column) of the cycle to a table column, an ignored column, or an unknown one. */
  private mapColumns(table: ExportTable, headers: string[][]): Mapped[][] {
    const occurrences = new Map<string, number>();
    const mapped = headers.map((page) =>
      page.map((h): Mapped => {
        if (h === '') return { kind: 'ignored' };
        const n = (occurrences.get(h) ?? 0) + 1;
        occurrences.set(h, n);
        if (table.ignored.includes(h)) return { kind: 'ignored' };
        const candidates = table.columns.filter((c) => c.headers.includes(h));
        const spec = candidates.find((c) => (c.occurrence ?? 1) === n) ?? (n === 1 ? candidates[0] : undefined);
        if (spec) return { kind: 'field', spec, header: h };
        return { kind: 'extra', name: n === 1 ? h : `${h} (${n})` };
      }),
    );
    if (this.cycleIndex === 1) {
      const seen = new Set(mapped.flat().flatMap((m) => (m.kind === 'field' ? [m.spec] : [])));
      const missing = table.columns.filter((c) => !seen.has(c) && !c.required);
      this.layout.missingColumns = missing.map((c) => c.headers[0]!);
      this.layout.missingFields = missingFields(table, missing);
      this.layout.unknownColumns = mapped.flat().flatMap((m) => (m.kind === 'extra' ? [m.name] : []));
    }
    return mapped;
  }

  private checkRequired(table: ExportTable, mapping: Mapped[][], pages: PageGrid[]): void {
    const present = new Set(mapping.flat().flatMap((m) => (m.kind === 'field' ? [m.spec] : [])));
    for (const spec of table.columns) {
      if (!spec.required || present.has(spec)) continue;
      // Name the page where the first cycle had it, so the message points at the place to look.
      const expectedPage = this.firstCycleHeaders?.findIndex((h) => h.some((x) => spec.headers.includes(x))) ?? -1;
      const page = expectedPage >= 0 ? expectedPage + 1 : 1;
      throw this.invalid(`required column "${spec.headers[0]}" not found on page ${page} of cycle ${this.cycleIndex} (file page ${pages[Math.min(page, pages.length) - 1]!.pageNumber})`);
    }
  }

  /**
   * Takes the summary footer off the last cycle's pages (ERP-EXPORTS §1): their last row, when its
   * non-empty cells across the pages are all summaries. The footer is the end-of-document marker, so
   * the last cycle must end with it and no other cycle may.
   */
  private takeFooter(pages: PageGrid[], mapping: Mapped[][], where: string, last: boolean): void {
    const shape = footerShape(pages.map((p) => p.rows[p.rows.length - 1]));
    if (typeof shape === 'object') {
      const [summary, data] = [pages[shape.split.summaryPage]!, pages[shape.split.dataPage]!];
      throw this.invalid(`${where} is misaligned: the last row of file page ${summary.pageNumber} is the summary footer but that of file page ${data.pageNumber} holds data`);
    }
    if (shape === 'none') {
      if (last) throw this.invalid(`the last ${where} ends without the summary footer (its Count=/Sum= row): the export is truncated`);
      return;
    }
    if (!last) throw this.invalid(`${where} ends with a summary footer but more pages follow: the file holds more than one export`);
    this.footer = pages.flatMap((page, k) => {
      const row = page.rows[page.rows.length - 1]!;
      page.rows = page.rows.slice(0, -1);
      return row.flatMap((lines, c): PendingFooterCell[] => {
        const summary = lines.length > 0 ? readSummary(lines.join(' ')) : null;
        if (!summary) return [];
        const m = mapping[k]![c]!;
        const spec = m.kind === 'field' ? m.spec : `${m.kind === 'extra' ? 'unknown' : 'ignored'} column`;
        const column = page.headers[c]!.replace(/\s+/g, ' ').trim();
        return [{ ...summary, text: lines.join(' '), page: k + 1, filePage: page.pageNumber, column, spec }];
      });
    });
  }

  /** Checks that every page of the cycle has the same number of rows: row i of every page must be the same record. */
  private alignedRowCount(pages: PageGrid[], where: string): number {
    const first = pages[0]!;
    const counts = pages.map((p) => p.rows.length);
    const odd = pages.find((p) => p.rows.length !== counts[0]);
    if (odd) {
      throw this.invalid(`${where} is misaligned: page ${first.pageNumber} has ${counts[0]} rows but page ${odd.pageNumber} has ${odd.rows.length}`);
    }
    return counts[0]!;
  }

  private buildRecord(table: ExportTable, pages: PageGrid[], mapping: Mapped[][], r: number): ExportRecord {
    const record: ExportRecord = {};
    for (const f of recordFields(table)) record[f] = null;
    let extra: Record<string, string> | undefined;
    pages.forEach((page, k) => {
      const row = page.rows[r]!;
      mapping[k]!.forEach((m, c) => {
        const lines = row[c] ?? [];
        if (m.kind === 'field') this.fill(record, m.spec, lines, page, k, r);
        else if (m.kind === 'extra') {
          extra ??= {};
          extra[m.name] = lines.join(' ');
        }
      });
    });
    for (const d of table.derived ?? []) {
      if (record[d.field] !== null) continue;
      const source = record[d.from];
      const match = typeof source === 'string' ? d.pattern.exec(source) : null;
      if (match) record[d.field] = match[0];
    }
    if (extra) record.extra = extra;
    return record;
  }

  private addToTotal(spec: ColumnSpec, value: number): void {
    const total = this.totals.get(spec);
    if (total) {
      total.sum += value;
      total.values++;
    } else this.totals.set(spec, { sum: value, values: 1 });
  }

  private fill(record: ExportRecord, spec: ColumnSpec, lines: string[], page: PageGrid, k: number, r: number): void {
    try {
      if (spec.type === 'tracking') {
        Object.assign(record, parseTracking(lines.join(' ')));
        return;
      }
      const value = parseValue(lines.join(spec.join ?? ' '), spec.type) satisfies FieldValue;
      record[spec.field] = value;
      if (typeof value === 'number') this.addToTotal(spec, value);
    } catch (err) {
      if (!(err instanceof ValueFormatError)) throw err;
      throw this.invalid(`column "${spec.headers[0]}" on page ${k + 1} of cycle ${this.cycleIndex} (file page ${page.pageNumber}), row ${r + 1}: ${err.message}`);
    }
  }
}

/**
 * The fields of the missing columns that no record of this export can know: a tracking column's three
 * fields, and a field `derived` from another only when that other field is missing too.
 */
function missingFields(table: ExportTable, missing: readonly ColumnSpec[]): string[] {
  const fields = missing.flatMap((c) => (c.type === 'tracking' ? [...TRACKING_FIELDS] : [c.field]));
  const derivable = new Set((table.derived ?? []).filter((d) => !fields.includes(d.from)).map((d) => d.field));
  return fields.filter((f) => !derivable.has(f));
}

type Mapped = { kind: 'field'; spec: ColumnSpec; header: string } | { kind: 'extra'; name: string } | { kind: 'ignored' };

/** ERP ghost rows: a key field empty, or a text key of `0` (ERP-EXPORTS §1). */
function isGhost(table: ExportTable, record: ExportRecord): boolean {
  return table.key.some((k) => record[k] === null || record[k] === '0');
}
