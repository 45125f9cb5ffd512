import { describe, expect, it } from 'vitest';
import { exportTable, type ExportType } from '../../src/exports/registry.js';
import { normaliseHeader, type ColumnSpec } from '../../src/parsers/export-tables.js';
import { checkFooterCell, describeFooter, footerShape, readCount, readSummary, rowShape, type FooterContext, type PendingFooterCell } from '../../src/parsers/footer.js';

/** The table column of an export's field. */
const spec = (type: ExportType, field: string): ColumnSpec => exportTable(type).columns.find((c) => c.field === field)!;

const fail = (problem: string): never => {
  throw new Error(problem);
};

function cell(text: string, column: string, columnSpec: ColumnSpec | string, page = 1): PendingFooterCell {
  return { ...readSummary(text)!, text, page, filePage: 600 + page, column, spec: columnSpec };
}

describe('footer shape', () => {
  it('reads the five DevExpress summaries, with or without a value', () => {
    expect(readSummary('Count=1.132')).toEqual({ kind: 'Count', value: '1.132' });
    expect(readSummary('Sum=98.001,75 €')).toEqual({ kind: 'Sum', value: '98.001,75 €' });
    expect(readSummary('Avg=')).toEqual({ kind: 'Avg', value: '' });
    expect(readSummary('Media=3')).toBeNull();
    expect(readSummary('ORD/26000887')).toBeNull();
  });

  it('is a footer only when every non-empty cell of the last rows is a summary and one is there at least', () => {
    const summaries = [[], ['Count=1.132'], []];
    expect(footerShape([summaries, [['Sum=115.160'], []], [[], []]])).toBe('footer');
    // Invoices: no Count at all, page 1 empty.
    expect(footerShape([[[], [], []], [['Sum=117.054'], ['Sum=785.057,97']]])).toBe('footer');
    // A ghost row (empty key) is no footer, nor a record whose text merely starts like one.
    expect(footerShape([[[], []], [[], []]])).toBe('none');
    expect(footerShape([[['71.567'], ['Sum=5 pezzi in omaggio']]])).toBe('none');
    expect(rowShape([['Sum=5 pezzi in omaggio'], ['ORD/26000887']])).toBe('data');
    expect(footerShape([summaries, [['42'], []]])).toEqual({ split: { summaryPage: 0, dataPage: 1 } });
  });

  it('reads counts with their thousands dot', () => {
    expect([readCount('1.132'), readCount('999'), readCount('1.452'), readCount('1,5'), readCount('11.32')]).toEqual([1132, 999, 1452, null, null]);
  });
});

describe('footer checks', () => {
  const totals = new Map([
    [spec('orders', 'totalAmount'), { sum: 43256.35, values: 999 }],
    [spec('ddt', 'quantity'), { sum: 115160, values: 1132 }],
    [spec('invoices', 'quantity'), { sum: 117054, values: 200 }],
    [spec('invoices', 'totalDiscount'), { sum: 0, values: 200 }],
  ]);
  const context: FooterContext = { rowsRead: 1132, ghostRows: 0, totals };

  it('accepts the real footers: the DDT count and quantity, the invoice sums, the orders sum 0,05 off its rows', () => {
    expect(checkFooterCell(cell('Count=1.132', 'DOCUMENTO DI TRASPORTO:', spec('ddt', 'ddtNumber')), context, fail)).toMatchObject({ check: 'ok', detail: '1.132 rows read' });
    expect(checkFooterCell(cell('Sum=115.160', 'TOTALE', spec('ddt', 'quantity'), 4), context, fail)).toMatchObject({ check: 'ok' });
    expect(checkFooterCell(cell('Sum=117.054', 'QUANTITÀ', spec('invoices', 'quantity'), 2), context, fail)).toMatchObject({ check: 'ok' });
    expect(checkFooterCell(cell('Sum=0', 'SCONTO TOTALE:', spec('invoices', 'totalDiscount'), 3), context, fail)).toMatchObject({ check: 'ok' });
    expect(checkFooterCell(cell('Sum=43.256,30 €', 'IMPORTO TOTALE', spec('orders', 'totalAmount'), 7), context, fail)).toMatchObject({ check: 'ok' });
  });

  it('refuses a sum beyond half a displayed unit per row, naming column, page, footer value and computed sum', () => {
    // 999 rows of amounts: ±4,995 is allowed, 5,05 is not.
    expect(() => checkFooterCell(cell('Sum=43.251,30 €', 'IMPORTO TOTALE', spec('orders', 'totalAmount'), 7), context, fail)).toThrow(
      'footer says Sum=43.251,30 € under "IMPORTO TOTALE" on page 7 of the last cycle (file page 607) but the rows read add up to 43.256,35 (allowed difference 4,995: half a displayed unit per row)',
    );
    expect(() => checkFooterCell(cell('Sum=0', 'QUANTITÀ', spec('invoices', 'quantity'), 2), context, fail)).toThrow(/add up to 117\.054/);
  });

  it('refuses a count that is not the rows read, and one that is not a count', () => {
    expect(() => checkFooterCell(cell('Count=1.133', 'ID', spec('ddt', 'erpId')), context, fail)).toThrow(/but 1\.132 rows were read: rows are missing$/);
    expect(() => checkFooterCell(cell('Count=molti', 'ID', spec('ddt', 'erpId')), context, fail)).toThrow(/is not a count$/);
  });

  it('reports a sum over a text or unknown column and Min/Max/Avg as unchecked, and says it all in one line', () => {
    const cells = [
      checkFooterCell(cell('Sum=11.495,17 €', 'TIPO DI CLIENTE', spec('customers', 'customerType'), 5), context, fail),
      checkFooterCell(cell('Sum=12', 'NOTE INTERNE', 'unknown column', 4), context, fail),
      checkFooterCell(cell('Max=999,00', 'QTÀ MASSIMA', spec('products', 'maxQuantity'), 4), context, fail),
    ];
    expect(cells.map((c) => [c.check, c.detail])).toEqual([['unchecked', 'text column'], ['unchecked', 'unknown column'], ['unchecked', 'only Count and Sum are checked']]);
    expect(describeFooter(cells)).toBe(
      'footer on file pages 605, 604: Sum=11.495,17 € (TIPO DI CLIENTE, p5) unchecked: text column; Sum=12 (NOTE INTERNE, p4) unchecked: unknown column; Max=999,00 (QTÀ MASSIMA, p4) unchecked: only Count and Sum are checked',
    );
  });
});

describe('header matching', () => {
  it('treats a typographic apostrophe as a plain one and drops a trailing colon', () => {
    expect(normaliseHeader('ALL’ATTENZIONE DI:')).toBe("ALL'ATTENZIONE DI");
    expect(normaliseHeader("DATA DELL'ULTIMO ORDINE")).toBe("DATA DELL'ULTIMO ORDINE");
    expect(spec('customers', 'postalCode').headers).toContain(normaliseHeader('INDIRIZZO LOGISTICO CAP'));
  });
});
