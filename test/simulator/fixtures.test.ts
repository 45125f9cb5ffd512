import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { normaliseHeader, recordFields } from '../../src/parsers/export-tables.js';
import { EXPORT_TYPES, exportTable } from '../../src/exports/registry.js';
import type { ExportRecord } from '../../src/parsers/types.js';
import { duplicateKeys, generateDataset, mutateDataset, recordKey } from '../../src/simulator/dataset.js';
import {
  formatBool, formatDate, formatDateTime, formatInt, formatMoney, formatPercent, formatPlainAmount, formatTracking, trackingFor,
} from '../../src/simulator/formats.js';
import {
  EXPORT_FIXTURES, REPO_ROOT, SMALL_DATASET, VARIANT_FIXTURES, fixtureRecords, serialiseGroundTruth, type FixtureSpec, type GroundTruth,
} from '../../src/simulator/fixtures.js';
import { vatCheckDigit } from '../../src/simulator/italian-codes.js';
import { GEOMETRY, renderExport, renderExportWithSummary } from '../../src/simulator/render-export.js';
import { getLayout, layoutVariants, projectRecords } from '../../src/simulator/layouts.js';
import { createRandom } from '../../src/simulator/random.js';
import { cellValue, readGrid, readRecords } from './pdf-grid.js';

const dataset = generateDataset(SMALL_DATASET);

async function pageCount(pdf: Buffer): Promise<number> {
  const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
  const pages = doc.numPages;
  await doc.destroy();
  return pages;
}

async function firstPageTexts(pdf: Buffer): Promise<string[]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
  const content = await (await doc.getPage(1)).getTextContent();
  await doc.destroy();
  return content.items.flatMap((item) => ('str' in item ? [item.str] : []));
}

function specRecords(spec: FixtureSpec): ExportRecord[] {
  return fixtureRecords(spec, dataset);
}

const isMoneyLike = (value: unknown): boolean => typeof value === 'number' && Math.abs(Math.round(value * 100) - value * 100) < 1e-6;

describe('random', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const draw = (seed: string) => Array.from({ length: 20 }, createRandom(seed).next);
    expect(draw('a')).toEqual(draw('a'));
    expect(draw('a')).not.toEqual(draw('b'));
  });

  it('keeps int within its inclusive bounds and shuffles without losing items', () => {
    const random = createRandom(7);
    const ints = Array.from({ length: 2000 }, () => random.int(3, 6));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5, 6]));
    expect(random.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('formats', () => {
  it('prints money, amounts, percentages, integers, dates and booleans the Italian way', () => {
    expect(formatMoney(1234.56)).toBe('1.234,56 €');
    expect(formatMoney(-45.5)).toBe('-45,50 €');
    expect(formatMoney(0)).toBe('0,00 €');
    expect(formatPlainAmount(2112.7)).toBe('2.112,7');
    expect(formatPlainAmount(6732)).toBe('6.732');
    expect(formatPlainAmount(-45.5)).toBe('-45,5');
    expect(formatPlainAmount(1234567.89)).toBe('1.234.567,89');
    expect(formatPercent(21.49)).toBe('21,49 %');
    expect(formatInt(1234)).toBe('1.234');
    expect(formatInt(999)).toBe('999');
    expect(formatDate('2026-01-21')).toBe('21/01/2026');
    expect(formatDateTime('2026-01-20T12:04:22')).toBe('20/01/2026 12:04:22');
    expect(formatBool(true, 'checkbox')).toBe('Checked');
    expect(formatBool(false, 'yesno')).toBe('No');
  });

  it('round-trips random amounts through the Italian number format', () => {
    const random = createRandom('amounts');
    for (let i = 0; i < 500; i++) {
      const value = random.int(-10_000_000, 10_000_000) / 100;
      const parse = (text: string) => Number(text.replace(' €', '').replace(/\./g, '').replace(',', '.'));
      expect(parse(formatMoney(value))).toBe(value);
      expect(parse(formatPlainAmount(value))).toBe(value);
    }
  });

  it('writes the tracking anchor over three lines from which courier, number and URL read back', () => {
    const layout = getLayout('ddt');
    for (const [courier, number] of [['FEDEX', '445291890750'], ['UPS', '1Z4V26Y86873288996'], ['DHL', '4234567890']] as const) {
      const tracking = trackingFor(courier, number);
      const lines = formatTracking(tracking).split('\n');
      expect(lines).toHaveLength(3);
      expect(cellValue(layout, 'tracking', lines)).toEqual({ trackingCourier: courier, trackingNumber: number, trackingUrl: tracking.url });
    }
    expect(formatTracking(trackingFor('FEDEX', '445291890750')).split('\n')).toEqual([
      '<a href = "https://www.fedex.com/fedextrack/?',
      'trknbr=445291890750&locale=it_IT"',
      'target="_blank">fedex 445291890750</a>',
    ]);
  });
});

describe('dataset', () => {
  it('is the same for the same seed and differs for another seed or account', () => {
    expect(generateDataset(SMALL_DATASET)).toEqual(dataset);
    expect(generateDataset({ ...SMALL_DATASET, seed: 1 }).orders).not.toEqual(dataset.orders);
    const other = generateDataset({ ...SMALL_DATASET, account: 'agent-2' });
    expect(other.customers).not.toEqual(dataset.customers);
    expect(other.products).toEqual(dataset.products);
  });

  it('gives every record exactly the export table fields, in table order', () => {
    for (const type of EXPORT_TYPES) {
      for (const record of dataset[type]) expect(Object.keys(record)).toEqual(recordFields(exportTable(type)));
    }
  });

  it('has unique keys in every export', () => {
    for (const type of EXPORT_TYPES) expect(duplicateKeys(type, dataset[type])).toEqual([]);
  });

  it('has the requested sizes and DDT and invoices that follow from the orders', () => {
    expect(dataset.customers).toHaveLength(60);
    expect(dataset.products).toHaveLength(80);
    expect(dataset.prices).toHaveLength(40);
    expect(dataset.orders).toHaveLength(60);
    expect(dataset.ddt.length).toBeGreaterThan(70);
    expect(dataset.invoices.length).toBeGreaterThan(20);
  });

  it('uses only single-spaced, trimmed, non-empty texts, typed dates and money with at most 2 decimals', () => {
    for (const type of EXPORT_TYPES) {
      for (const record of dataset[type]) {
        for (const column of exportTable(type).columns) {
          const value = record[column.field];
          if (value === null || column.type === 'tracking') continue;
          if (column.type === 'money') expect(isMoneyLike(value), `${type}.${column.field}`).toBe(true);
          if (column.type === 'date') expect(value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          if (column.type === 'datetime') expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
          if (column.type === 'bool') expect(typeof value).toBe('boolean');
          if (column.type === 'text' || column.type === 'id') expect(value, `${type}.${column.field}`).toMatch(/^\S+( \S+)*$/);
        }
      }
    }
  });

  it('links DDT to orders 1:N with 0–4 per order, plus a few orphans', () => {
    const orders = new Map(dataset.orders.map((o) => [o.orderNumber, o]));
    const perOrder = new Map<unknown, number>();
    let orphans = 0;
    for (const ddt of dataset.ddt) {
      const order = orders.get(ddt.orderNumber);
      if (!order) {
        orphans++;
        continue;
      }
      expect(ddt.customerAccount).toBe(order.customerAccount);
      expect(ddt.deliveryAddress).toBe(order.deliveryAddress);
      perOrder.set(ddt.orderNumber, (perOrder.get(ddt.orderNumber) ?? 0) + 1);
    }
    expect(orphans).toBeGreaterThan(0);
    expect(Math.max(...perOrder.values())).toBeLessThanOrEqual(4);
    expect([...perOrder.values()].some((n) => n > 1)).toBe(true);
    expect(dataset.ddt.every((d) => /^DDT\/\d{8}$/.test(String(d.ddtNumber)))).toBe(true);
  });

  it('has pending orders without order number, sorted newest first, in the three sales statuses', () => {
    const created = dataset.orders.map((o) => String(o.createdAt));
    expect(created).toEqual([...created].sort().reverse());
    expect(dataset.orders.some((o) => o.orderNumber === null)).toBe(true);
    expect(new Set(dataset.orders.map((o) => o.salesStatus))).toEqual(new Set(['Fatturato', 'Consegnato', 'Ordine aperto']));
    for (const o of dataset.orders) if (o.orderNumber !== null) expect(o.orderNumber).toMatch(/^ORD\/\d{8}$/);
  });

  it('gives credit notes negative quantities and amounts and invoices positive ones', () => {
    const notes = dataset.invoices.filter((i) => String(i.invoiceNumber).startsWith('NC/'));
    expect(notes.length).toBeGreaterThan(0);
    for (const invoice of dataset.invoices) {
      expect(invoice.invoiceNumber).toMatch(/^(CF1|NC)\/\d{8}$/);
      const amounts = [invoice.quantity, invoice.salesBalance, invoice.invoiceAmount].map(Number);
      if (String(invoice.invoiceNumber).startsWith('NC/')) expect(amounts.every((n) => n < 0)).toBe(true);
      else expect(amounts.every((n) => n >= 0)).toBe(true);
    }
    expect(dataset.invoices.some((i) => /^ORD\//.test(String(i.purchaseOrder)))).toBe(true);
  });

  it('leaves about 12 % of DDT without tracking, all three fields null together', () => {
    const without = dataset.ddt.filter((d) => d.trackingNumber === null);
    for (const d of without) expect([d.trackingCourier, d.trackingUrl]).toEqual([null, null]);
    for (const d of dataset.ddt.filter((x) => x.trackingNumber !== null)) {
      expect(d.trackingCourier).toMatch(/^[A-Z]+$/);
      expect(d.trackingUrl).toMatch(/^https:\/\/\S+$/);
    }
    expect(without.length / dataset.ddt.length).toBeGreaterThan(0.04);
    expect(without.length / dataset.ddt.length).toBeLessThan(0.25);
  });

  it('formats master-data codes as the ERP does', () => {
    for (const c of dataset.customers) {
      expect(c.accountNumber).toMatch(/^\d{6,7}$/);
      expect(c.erpId).toMatch(/^\d{1,3}(\.\d{3})*$/);
      const vat = String(c.vatNumber).replace(/^IT/, '');
      expect(vat).toMatch(/^0\d{10}$/);
      expect(vatCheckDigit(vat.slice(0, 10))).toBe(Number(vat[10]));
    }
    for (const p of dataset.products) expect(p.productId).toMatch(/^\d{6}K[0-3]$/);
    const perArticle = new Map<unknown, number>();
    for (const p of dataset.products) perArticle.set(p.articleCode, (perArticle.get(p.articleCode) ?? 0) + 1);
    expect([...perArticle.values()].some((n) => n > 1)).toBe(true);
  });
});

describe('mutateDataset', () => {
  const options = { seed: 3, changeShare: 0.2, addShare: 0.1, removeShare: 0.1 };

  it('changes, adds and removes records without touching the input', () => {
    const before = structuredClone(dataset);
    const after = mutateDataset(dataset, options);
    expect(dataset).toEqual(before);
    for (const type of EXPORT_TYPES) {
      const oldKeys = new Map(dataset[type].map((r) => [recordKey(type, r), r]));
      const newKeys = new Set(after[type].map((r) => recordKey(type, r)));
      const removed = [...oldKeys.keys()].filter((k) => !newKeys.has(k)).length;
      const added = [...newKeys].filter((k) => !oldKeys.has(k)).length;
      const changed = after[type].filter((r) => {
        const old = oldKeys.get(recordKey(type, r));
        return old !== undefined && JSON.stringify(old) !== JSON.stringify(r);
      }).length;
      expect(removed, `${type} removed`).toBe(Math.round(dataset[type].length * 0.1));
      expect(added, `${type} added`).toBeGreaterThan(0);
      expect(changed, `${type} changed`).toBeGreaterThan(0);
      expect(duplicateKeys(type, after[type])).toEqual([]);
      for (const record of after[type]) expect(Object.keys(record)).toEqual(recordFields(exportTable(type)));
    }
  });

  it('is deterministic for a seed', () => {
    expect(mutateDataset(dataset, options)).toEqual(mutateDataset(dataset, options));
  });
});

describe('layouts', () => {
  it('fit the page and print only headers the export table accepts (or unknown/ignored columns)', () => {
    for (const type of EXPORT_TYPES) {
      const table = exportTable(type);
      for (const layout of Object.values(layoutVariants(type))) {
        for (const page of layout.pages) {
          expect(page.reduce((w, c) => w + c.width, 0)).toBeLessThanOrEqual(GEOMETRY.maxGridWidth);
          for (const column of page) {
            const header = normaliseHeader(column.header);
            if (column.content.kind === 'field') {
              const field = column.content.field;
              expect(table.columns.find((c) => c.field === field)?.headers, `${type} ${header}`).toContain(header);
            } else if (column.content.kind === 'ignored') {
              expect(table.ignored).toContain(header);
            }
          }
        }
        expect(layout.pages[0]?.some((c) => table.anchor.includes(normaliseHeader(c.header))) || layout.variant === 'missing-required').toBe(true);
      }
    }
  });

  it('show the required columns in every variant but the missing-required one', () => {
    for (const type of EXPORT_TYPES) {
      for (const layout of Object.values(layoutVariants(type))) {
        const shown = new Set(layout.pages.flat().flatMap((c) => (c.content.kind === 'field' ? [c.content.field] : [])));
        const missing = exportTable(type).columns.filter((c) => c.required && !shown.has(c.field)).map((c) => c.field);
        expect(missing, `${type} ${layout.variant}`).toEqual(layout.variant === 'missing-required' ? ['orderNumber'] : []);
      }
    }
  });
});

describe('renderExport', () => {
  it('renders byte-identical PDFs for the same records', async () => {
    const a = await renderExport('orders', dataset.orders);
    const b = await renderExport('orders', structuredClone(dataset.orders));
    expect(a.equals(b)).toBe(true);
    expect((await renderExport('orders', dataset.orders.slice(1))).equals(a)).toBe(false);
  });

  it('refuses a value that would wrap mid-word instead of drawing a wrong ground truth', async () => {
    const record = { ...dataset.orders[0], customerName: 'Studio Supercalifragilistichespiralidoso-Odontoiatrico' };
    await expect(renderExport('orders', [record])).rejects.toThrow(/wider than the column/);
  });

  for (const spec of [...VARIANT_FIXTURES, ...EXPORT_FIXTURES.map((s) => ({ ...s, name: `exports/${s.name}` }))]) {
    it(`renders ${spec.name} with its header texts on page 1 and cycles × pages-per-cycle pages`, async () => {
      const { pdf, summary } = await renderExportWithSummary(spec.type, specRecords(spec), { ...spec.render, variant: spec.variant });
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      if (spec.fault === 'truncated') {
        expect(pdf.subarray(-8).toString('latin1')).not.toContain('%%EOF');
        return;
      }
      expect(pdf.subarray(-6).toString('latin1').trim()).toBe('%%EOF');
      const layout = getLayout(spec.type, { variant: spec.variant });
      expect(summary.pages).toBe(summary.cycles * layout.pages.length);
      expect(await pageCount(pdf)).toBe(summary.pages);
      const texts = await firstPageTexts(pdf);
      for (const column of layout.pages[0] ?? []) {
        for (const line of column.header.split('\n')) expect(texts.join('\n'), column.header).toContain(line.split(' ')[0]);
      }
    });
  }
});

describe('rendered fixtures read back by geometry', () => {
  const readable = [...VARIANT_FIXTURES, ...EXPORT_FIXTURES].filter((spec) => !spec.fault || spec.fault === 'missing-required-column');

  for (const spec of readable) {
    it(`${spec.name}: every cell's text reads back as the ground truth`, async () => {
      const records = specRecords(spec);
      const layout = getLayout(spec.type, { variant: spec.variant });
      const { pdf, summary } = await renderExportWithSummary(spec.type, records, { ...spec.render, variant: spec.variant });
      const grids = await readGrid(pdf);
      expect(grids.flatMap((g) => g.overflowing)).toEqual([]);
      expect(grids.every((g) => g.outside.length === 2 && g.outside[0] === layout.title && /^Pagina \d+ di \d+$/.test(g.outside[1] ?? ''))).toBe(true);

      const back = readRecords(layout, grids, exportTable(spec.type).key[0] as string);
      expect(back.headers).toEqual(layout.pages.map((page) => page.map((c) => normaliseHeader(c.header))));
      for (const cycle of back.rowBands) for (const page of cycle) expect(page).toEqual(cycle[0]);
      expect(back.footer.filter((text) => text !== '')).toEqual(summary.footer.map((cell) => cell.text));
      expect(summary.footer.length).toBeGreaterThan(0);
      expect(back.ghosts).toBe(spec.render?.ghostRows ?? 0);

      const expected = projectRecords(layout, records);
      const fields = recordFields(exportTable(spec.type));
      const derivedOrder = spec.type === 'invoices' && !layout.pages.flat().some((c) => c.content.kind === 'field' && c.content.field === 'orderNumber');
      const actual = back.records.map((record) => {
        const full: ExportRecord = Object.fromEntries(fields.map((f) => [f, record[f] ?? null]));
        if (derivedOrder) full.orderNumber = /ORD\/\d+/.exec(String(record.purchaseOrder ?? ''))?.[0] ?? null;
        if (record.extra) full.extra = record.extra;
        return full;
      });
      expect(actual).toEqual(expected);
    });
  }

  it('orders-misaligned: one page of cycle 2 has a row fewer than its siblings', async () => {
    const pdf = await renderExport('orders', dataset.orders, { dropRowOnPage: { cycle: 2, page: 4 } });
    const back = readRecords(getLayout('orders'), await readGrid(pdf), 'erpId');
    const counts = back.rowBands[1]?.map((page) => page.length) ?? [];
    expect(counts[3]).toBe((counts[0] ?? 0) - 1);
    expect(counts.filter((_, i) => i !== 3).every((n) => n === counts[0])).toBe(true);
  });

  it('orders: the footer holds Count and the Sum of each money column', async () => {
    const grids = await readGrid(await renderExport('orders', dataset.orders));
    const back = readRecords(getLayout('orders'), grids, 'erpId');
    const sum = (field: string) => formatMoney(Math.round(dataset.orders.reduce((s, o) => s + Number(o[field]), 0) * 100) / 100);
    expect(back.footer.filter((text) => text !== '')).toEqual([`Count=${dataset.orders.length}`, `Sum=${sum('grossAmount')}`, `Sum=${sum('totalAmount')}`]);
  });

  it('draws the footer each real export has (ERP-EXPORTS §1): the column, the page and the format of every summary', async () => {
    const footerOf = async (type: 'ddt' | 'invoices' | 'customers', records: ExportRecord[], variant?: string) =>
      (await renderExportWithSummary(type, records, variant ? { variant } : {})).summary.footer.map((c) => [c.page, c.column, c.text]);
    const quantities = dataset.ddt.reduce((s, d) => s + Number(d.quantity), 0);
    expect(await footerOf('ddt', dataset.ddt)).toEqual([[1, 'DOCUMENTO DI TRASPORTO:', `Count=${dataset.ddt.length}`], [4, 'TOTALE', `Sum=${formatInt(quantities)}`]]);
    const invoices = await footerOf('invoices', dataset.invoices);
    expect(invoices.map(([page]) => page)).toEqual([2, 2, 3, 3, 3, 6, 7]);
    const sum = (field: string) => Math.round(dataset.invoices.reduce((s, i) => s + Number(i[field]), 0) * 100) / 100;
    expect(invoices[1]).toEqual([2, 'SALDO VENDITE MST', `Sum=${formatPlainAmount(sum('salesBalance'))}`]);
    expect(invoices.every(([, , text]) => String(text).startsWith('Sum=') && !String(text).includes('€'))).toBe(true);
    const customers = await footerOf('customers', dataset.customers, '8p');
    expect(customers.map(([page, column]) => `${page} ${column}`)).toEqual([
      '1 ID', '5 CONTEGGI DEGLI ORDINI EFFETTIVI', '5 TIPO DI CLIENTE', '5 CONTEGGIO DEGLI ORDINI PRECEDENTE',
      '6 VENDITE PRECEDENTE', '6 CONTEGGIO DEGLI ORDINI PRECEDENTE 2', '6 VENDITE PRECEDENTE',
    ]);
    expect(customers[2]?.[2]).toMatch(/^Sum=[\d.]+,\d\d €$/);
  });

  it('prints a count past a thousand with its thousands dot', async () => {
    const spec = VARIANT_FIXTURES.find((s) => s.name === 'prices-footer-count-thousands')!;
    const { summary } = await renderExportWithSummary('prices', specRecords(spec), { ...spec.render, variant: spec.variant });
    expect(summary.footer[0]).toEqual({ page: 1, column: 'ITEM SELECTION:', text: `Count=${formatInt(specRecords(spec).length)}` });
    expect(summary.footer[0]?.text).toMatch(/^Count=1\.\d{3}$/);
  });

  it('cuts a file short as told, leaving a whole PDF without its last cycle, its last page or its footer row', async () => {
    const whole = await renderExportWithSummary('orders', dataset.orders);
    const cut = async (at: 'last-cycle' | 'last-page' | 'footer-row') => {
      const { pdf, summary } = await renderExportWithSummary('orders', dataset.orders, { cut: at });
      expect(pdf.subarray(-6).toString('latin1').trim()).toBe('%%EOF');
      expect(await pageCount(pdf)).toBe(summary.pages);
      return { summary, grids: await readGrid(pdf) };
    };
    expect((await cut('last-cycle')).summary).toMatchObject({ pages: whole.summary.pages - 7, footer: [] });
    const lastPage = await cut('last-page');
    expect(lastPage.summary.pages).toBe(whole.summary.pages - 1);
    expect(lastPage.summary.footer.map((c) => c.page)).toEqual([1, 6]);
    const noFooter = await cut('footer-row');
    expect(noFooter.summary).toMatchObject({ pages: whole.summary.pages, footer: [] });
    const lastRow = noFooter.grids.at(-1)?.rows.at(-1);
    expect(lastRow?.every((cell) => cell.lines.every((line) => !line.includes('=')))).toBe(true);
  });

  it('orders-empty: one cycle with the header and the Count=0 footer', async () => {
    const grids = await readGrid(await renderExport('orders', []));
    expect(grids).toHaveLength(7);
    expect(grids.every((g) => g.rows.length === 2)).toBe(true);
    expect(grids[0]?.rows[1]?.[0]?.lines).toEqual(['Count=0']);
  });
});

describe('committed fixtures', () => {
  const committed: [string, FixtureSpec][] = [
    ...EXPORT_FIXTURES.map((s): [string, FixtureSpec] => [join('exports', s.name), s]),
    ...VARIANT_FIXTURES.map((s): [string, FixtureSpec] => [join('variants', s.name), s]),
  ];

  it('hold the ground truth the generator gives today (run `npm run fixtures` after changing it)', async () => {
    for (const [name, spec] of committed) {
      const text = await readFile(join(REPO_ROOT, 'fixtures', `${name}.json`), 'utf8');
      const truth = JSON.parse(text) as GroundTruth;
      expect(truth.records, name).toEqual(projectRecords(getLayout(spec.type, { variant: spec.variant }), specRecords(spec)));
      expect(serialiseGroundTruth(truth)).toBe(text);
      expect(truth.type).toBe(spec.type);
      expect(truth.cycleSize).toBe(getLayout(spec.type, { variant: spec.variant }).pages.length);
    }
  });

  it('include hidden columns as null and the invoice order number only where the layout or purchase order gives it', async () => {
    const read = async (name: string) => JSON.parse(await readFile(join(REPO_ROOT, 'fixtures', 'variants', `${name}.json`), 'utf8')) as GroundTruth;
    expect((await read('customers-8p')).records.every((r) => typeof r.postalCode === 'string')).toBe(true);
    expect((await read('customers-9p')).records.some((r) => r.ourAccountNumber !== null)).toBe(true);
    expect((await read('products-8p')).records.every((r) => r.vatGroup === null)).toBe(true);
    expect((await read('products-9p')).records.every((r) => r.vatGroup !== null)).toBe(true);
    const plain = (await read('invoices-7p')).records;
    const withColumn = (await read('invoices-with-order-number')).records;
    expect(plain.filter((r) => r.orderNumber !== null).length).toBeLessThan(withColumn.filter((r) => r.orderNumber !== null).length);
    for (const r of plain) if (r.orderNumber !== null) expect(String(r.purchaseOrder)).toContain(String(r.orderNumber));
    expect((await read('orders-extra-column')).records.every((r) => typeof r.extra?.['NOTE INTERNE'] === 'string' && r.extra['NOTE INTERNE'] !== '')).toBe(true);
  });
});
