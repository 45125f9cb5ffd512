import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseExportFile } from '../../src/parsers/parse-export.js';
import { readExport } from '../../src/parsers/read-export.js';
import type { ExportType } from '../../src/exports/registry.js';
import { ExportInvalidError, type ExportRecord } from '../../src/parsers/types.js';
import { formatField } from '../../src/simulator/cell-text.js';
import { extraHeaders, getLayout, type Layout } from '../../src/simulator/layouts.js';

const run = promisify(execFile);
const VARIANTS = 'fixtures/variants';
const EXPORTS = 'fixtures/exports';

interface GroundTruth {
  type: string;
  variant: string;
  cycleSize: number;
  pages: number;
  /** Set on fixtures that must be rejected (truncated, misaligned, missing a required column). */
  fault?: string;
  /** The summary footer's non-empty cells as drawn. */
  footer: { page: number; column: string; text: string }[];
  records: ExportRecord[];
}

/** The printed text of every known field a layout shows, for one record: `[field, text]`. */
function knownFieldTexts(layout: Layout, record: ExportRecord): [string, string][] {
  return layout.pages.flat().flatMap((column): [string, string][] => {
    if (column.content.kind !== 'field') return [];
    const text = formatField(layout, column, column.content.field, record).replace(/\n/g, ' ');
    return text === '' ? [] : [[column.content.field, text]];
  });
}

const truth = (pdf: string): GroundTruth => JSON.parse(readFileSync(pdf.replace(/\.pdf$/, '.json'), 'utf8')) as GroundTruth;

/** Every committed fixture whose ground truth lists the records a parser must reproduce. */
const readable = [
  ...readdirSync(VARIANTS).map((f) => join(VARIANTS, f)),
  ...readdirSync(EXPORTS).map((f) => join(EXPORTS, f)),
].filter((f) => f.endsWith('.pdf') && existsSync(f.replace(/\.pdf$/, '.json')) && !truth(f).fault);

/** Fixtures rendered with a fault: each must be rejected. */
const faulty = readdirSync(VARIANTS)
  .map((f) => join(VARIANTS, f))
  .filter((f) => f.endsWith('.pdf') && existsSync(f.replace(/\.pdf$/, '.json')) && truth(f).fault);

describe('every export layout reproduces its generated dataset field for field', () => {
  it('has fixtures for every export and layout variant', () => {
    const names = readable.map((f) => f.split('/').pop());
    for (const v of [
      'customers-8p', 'customers-9p', 'products-5p', 'products-8p', 'products-9p', 'ddt-6p', 'ddt-7p', 'orders-7p', 'invoices-7p', 'invoices-with-order-number', 'prices-3p',
      'orders-extra-column', 'orders-hidden-reference', 'orders-renamed-reference', 'customers-hidden-pec-phone', 'orders-empty', 'orders-ghost-rows', 'orders-footer-count-first', 'prices-footer-count-thousands', 'products-footer-min-max-avg',
    ]) {
      expect(names).toContain(`${v}.pdf`);
    }
  });

  it.each(readable)('%s', async (file) => {
    const expected = truth(file);
    const parsed = await parseExportFile(file, { type: null });
    expect(parsed.type).toBe(expected.type);
    if (expected.records.length > 0) expect(parsed.layout.cycleSize).toBe(expected.cycleSize);
    expect(parsed.records.length).toBe(expected.records.length);
    expect(parsed.layout.footer?.map(({ page, column, text }) => ({ page, column, text })), 'footer cells').toEqual(expected.footer);
    // A known field's value never lands in `extra` because its header has another real name (the real
    // customers export's `INDIRIZZO LOGISTICO CAP` once sent every postal code there).
    const layout = getLayout(expected.type as ExportType, { variant: expected.variant });
    parsed.records.forEach((record, i) => {
      const printed = new Map(knownFieldTexts(layout, expected.records[i]!).map(([field, text]) => [text, field]));
      for (const [column, value] of Object.entries(record.extra ?? {})) {
        expect(printed.get(value), `record ${i}: extra "${column}" holds the value of a known field`).toBeUndefined();
      }
    });
    expect(parsed.layout.unknownColumns, 'unknown columns').toEqual(extraHeaders(layout));
    parsed.records.forEach((record, i) => expect(record, `record ${i}`).toEqual(expected.records[i]));
    expect(parsed.layout.footer?.every((c) => c.check === 'ok' || !['Count', 'Sum'].includes(c.kind) || c.detail === 'text column')).toBe(true);
  });
});

describe('the summary footer, recognised by its shape (ERP-EXPORTS §1)', () => {
  const footerOf = async (name: string) => (await parseExportFile(join(VARIANTS, `${name}.pdf`), { type: null })).layout.footer ?? [];

  it('reads a Count= with its thousands dot under any column and checks it against the rows read', async () => {
    const footer = await footerOf('prices-footer-count-thousands');
    expect(footer.find((c) => c.kind === 'Count')).toMatchObject({ text: 'Count=1.050', column: 'ITEM SELECTION:', page: 1, check: 'ok', detail: '1.050 rows read' });
  });

  it('counts under the third column of the DDT and sums its quantities', async () => {
    const footer = await footerOf('ddt-7p');
    expect(footer.map((c) => [c.kind, c.column, c.page, c.check])).toEqual([['Count', 'DOCUMENTO DI TRASPORTO:', 1, 'ok'], ['Sum', 'TOTALE', 4, 'ok']]);
  });

  it('takes an invoice footer of sums only as the end of the document and checks every sum', async () => {
    const footer = await footerOf('invoices-7p');
    expect(footer.map((c) => c.kind)).toEqual(Array(7).fill('Sum'));
    expect(new Set(footer.map((c) => c.page))).toEqual(new Set([2, 3, 6, 7]));
    expect(footer.every((c) => c.check === 'ok' && !c.text.includes('€'))).toBe(true);
  });

  it('reports a sum over a text column and Min/Max/Avg cells as unchecked', async () => {
    const customers = await footerOf('customers-8p');
    expect(customers.find((c) => c.column === 'TIPO DI CLIENTE')).toMatchObject({ kind: 'Sum', check: 'unchecked', detail: 'text column' });
    expect(customers.filter((c) => c.check === 'ok').map((c) => c.page)).toEqual([1, 5, 5, 6, 6, 6]);
    const products = await footerOf('products-footer-min-max-avg');
    expect(products.map((c) => [c.kind, c.check])).toEqual([['Min', 'unchecked'], ['Max', 'unchecked'], ['Avg', 'unchecked']]);
  });
});

describe('customers as the real export prints them (ERP-EXPORTS §5)', () => {
  it('reads the 8-page layout completely: postal code under INDIRIZZO LOGISTICO CAP, ALL’ATTENZIONE DI:, VENDITE PRECEDENTE twice', async () => {
    const file = join(VARIANTS, 'customers-8p.pdf');
    const parsed = await parseExportFile(file, { type: null });
    expect(parsed.layout.unknownColumns).toEqual([]);
    expect(parsed.layout.columnsPerPage[2]).toEqual(['VIA', 'INDIRIZZO LOGISTICO CAP', 'CITTÀ']);
    expect(parsed.layout.columnsPerPage[3]).toContain("ALL'ATTENZIONE DI");
    expect(parsed.records.every((r) => typeof r.postalCode === 'string' && /^\d{5}$/.test(r.postalCode))).toBe(true);
    expect(parsed.records.some((r) => r.attentionTo !== null)).toBe(true);
    expect(parsed.records.some((r) => r.previousSales1 !== r.previousSales2)).toBe(true);
    expect(parsed.records.every((r) => r.extra === undefined)).toBe(true);
  });
});

describe('layout report', () => {
  it('reports cycle size, columns per page and rows per cycle', async () => {
    const parsed = await parseExportFile(join(VARIANTS, 'ddt-7p.pdf'), { type: 'ddt' });
    expect(parsed.layout.cycleSize).toBe(7);
    expect(parsed.layout.columnsPerPage).toHaveLength(7);
    expect(parsed.layout.columnsPerPage.flat()).toContain('DOCUMENTO DI TRASPORTO');
    expect(parsed.layout.rowsPerCycle.reduce((a, b) => a + b, 0)).toBe(parsed.records.length);
    expect(parsed.layout.cycles).toBe(parsed.layout.rowsPerCycle.length);
    expect(parsed.layout.pages).toBe(parsed.layout.cycles * 7);
  });

  it('keeps an unknown column in extra and reports it once', async () => {
    const parsed = await parseExportFile(join(VARIANTS, 'orders-extra-column.pdf'), { type: 'orders' });
    expect(parsed.layout.unknownColumns).toEqual(['NOTE INTERNE']);
    expect(parsed.records.some((r) => r.extra && typeof r.extra['NOTE INTERNE'] === 'string' && r.extra['NOTE INTERNE'] !== '')).toBe(true);
  });

  // Layout drift (ERP-EXPORTS §1): the fields a hidden or renamed optional column fills are reported
  // as missing, so that the apply step keeps their stored values; a field derived from a shown column
  // (an invoice's order number, read from its purchase order) is not missing.
  it.each([
    ['orders-7p', [], [], []],
    ['orders-hidden-reference', ['RIFERIMENTO CLIENTE'], ['customerReference'], []],
    ['orders-renamed-reference', ['RIFERIMENTO CLIENTE'], ['customerReference'], ['RIF. CLIENTE']],
    ['customers-hidden-pec-phone', ['PEC', 'TELEFONO'], ['pec', 'phone'], []],
    ['invoices-7p', ['ID VENDITE'], [], []],
  ])('reports the columns and fields %s lacks and the headers it does not know', async (name, missingColumns, missingFields, unknownColumns) => {
    const { layout } = await parseExportFile(join(VARIANTS, `${name}.pdf`), { type: null });
    expect({ missingColumns: layout.missingColumns, missingFields: layout.missingFields, unknownColumns: layout.unknownColumns }).toEqual({
      missingColumns,
      missingFields,
      unknownColumns,
    });
  });

  it('drops ghost rows and counts them', async () => {
    const parsed = await parseExportFile(join(VARIANTS, 'orders-ghost-rows.pdf'), { type: 'orders' });
    expect(parsed.layout.ghostRows).toBeGreaterThan(0);
    expect(parsed.records.every((r) => r.erpId !== null && r.erpId !== '0')).toBe(true);
  });

  it('reads an empty export as zero records', async () => {
    const parsed = await parseExportFile(join(VARIANTS, 'orders-empty.pdf'), { type: 'orders' });
    expect(parsed.records).toEqual([]);
  });

  it('reports progress up to the last page', async () => {
    const seen: number[] = [];
    const parsed = await parseExportFile(join(VARIANTS, 'orders-7p.pdf'), { onProgress: (p) => seen.push(p.pagesDone) });
    expect(seen.at(-1)).toBe(parsed.layout.pages);
  });
});

describe('fail closed: an export that cannot be trusted yields an error and no records', () => {
  const rejects = async (file: string, type: ExportType | null, message: RegExp): Promise<void> => {
    const err = await parseExportFile(file, { type }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExportInvalidError);
    expect((err as Error).message).toMatch(message);
  };

  it('covers every faulty fixture', () => {
    expect(faulty.map((f) => f.split('/').pop()).sort()).toEqual([
      'ddt-footer-count-mismatch.pdf', 'orders-footer-sum-mismatch.pdf', 'orders-misaligned.pdf', 'orders-missing-required.pdf', 'orders-truncated.pdf',
    ]);
  });

  it('refuses a footer whose Sum= disagrees with its rows, naming column, page, footer value and computed sum', async () => {
    await rejects(
      join(VARIANTS, 'orders-footer-sum-mismatch.pdf'),
      'orders',
      /^orders export: footer says Sum=[\d.]+,\d\d € under "IMPORTO TOTALE" on page 7 of the last cycle \(file page 21\) but the rows read add up to [\d.]+,\d+ \(allowed difference 0,3: half a displayed unit per row\)$/,
    );
  });

  it('refuses a footer whose Count= is not the number of rows read', async () => {
    await rejects(join(VARIANTS, 'ddt-footer-count-mismatch.pdf'), 'ddt', /^ddt export: footer says Count=99 under "DOCUMENTO DI TRASPORTO:" on page 1 of the last cycle \(file page 29\) but 98 rows were read: rows are missing$/);
  });

  it('names a missing required column', async () => {
    await rejects(join(VARIANTS, 'orders-missing-required.pdf'), 'orders', /^orders export: required column "ID DI VENDITA" not found on page 1 of cycle 1/);
  });

  it('refuses a truncated file', async () => {
    await rejects(join(VARIANTS, 'orders-truncated.pdf'), 'orders', /truncated PDF/);
  });

  it('refuses a cycle whose pages disagree on their row count', async () => {
    await rejects(join(VARIANTS, 'orders-misaligned.pdf'), 'orders', /misaligned/);
  });

  it('refuses a file that is not a PDF', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'parse-')), 'Ordini.pdf');
    writeFileSync(file, '<html><body>Sessione scaduta</body></html>');
    await rejects(file, 'orders', /not a PDF file/);
  });

  it('refuses an export of another type than expected', async () => {
    await rejects(join(VARIANTS, 'ddt-6p.pdf'), 'orders', /orders export expected, but page 1 is the first page of a ddt export/);
  });
});

describe('sync-orchestrator parse', () => {
  const cli = (args: string[]) => run(process.execPath, ['bin/sync-orchestrator.js', 'parse', ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

  it('prints one JSON record per line and nothing else', async () => {
    const file = join(VARIANTS, 'invoices-7p.pdf');
    const { code, stdout } = await cli([file, '--type', 'auto', '--format', 'jsonl']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(truth(file).records);
  });

  it('prints a summary of type, layout and counts', async () => {
    const { code, stdout } = await cli([join(VARIANTS, 'customers-9p.pdf'), '--format', 'summary']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^type: customers$/m);
    expect(stdout).toMatch(/cycles of 9 pages/);
  });

  it('prints the footer it recognised, cell by cell with each check', async () => {
    const { code, stdout } = await cli([join(VARIANTS, 'ddt-7p.pdf'), '--format', 'summary']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^footer: 2 summary cells in the last row of the last cycle$/m);
    expect(stdout).toMatch(/^ {2}Count=98 under "DOCUMENTO DI TRASPORTO:", page 1 of the cycle \(file page 29\): ok, 98 rows read$/m);
    expect(stdout).toMatch(/^ {2}Sum=[\d.]+ under "TOTALE", page 4 of the cycle \(file page 32\): ok, rows add up to [\d.]+$/m);
  });

  it('exits with 2 and one line on stderr for an invalid export', async () => {
    const { code, stdout, stderr } = await cli([join(VARIANTS, 'orders-truncated.pdf')]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/truncated PDF/);
  });
});

describe('long exports', () => {
  it('reads the same records when pdf.js is reopened every few pages to keep memory flat', async () => {
    const file = join(VARIANTS, 'prices-row-per-cycle.pdf');
    let reopenedAt: number[] = [];
    const collect = async (reopenEvery: number): Promise<ExportRecord[]> => {
      const records: ExportRecord[] = [];
      let pagesDone = 0;
      reopenedAt = [];
      await readExport(file, 'prices', { onRecords: (rs) => records.push(...rs), onProgress: (p) => (pagesDone = p.pagesDone), onReopen: () => reopenedAt.push(pagesDone) }, { reopenEveryPages: reopenEvery });
      return records;
    };
    const reopened = await collect(5);
    expect(reopened).toEqual(truth(file).records);
    // The sink hears of each reopening (the parse worker collects garbage then), never after the last page.
    const pages = truth(file).pages;
    expect(reopenedAt).toEqual(Array.from({ length: Math.ceil(pages / 5) - 1 }, (_, i) => (i + 1) * 5));
    expect(reopened).toEqual(await collect(1000));
    expect(reopenedAt).toEqual([]);
  });
});
