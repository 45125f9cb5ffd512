/**
 * The ERP's export layouts as data (ERP-EXPORTS §2–§7): for each export and each layout variant seen in
 * the field, the pages of one cycle, each a list of columns with the exact header text, what the column
 * holds, its width in points and its alignment. The renderer draws any of them with one generic loop;
 * `projectRecords` says what a parser reading that layout must emit (the ground truth).
 */
import { TRACKING_FIELDS, normaliseHeader, recordFields, type ColumnSpec, type FieldValue } from '../parsers/export-tables.js';
import { exportDefinition, exportTable, type ExportType } from '../exports/registry.js';
import type { ExportName } from '../parsers/export-tables.js';
import type { ExportRecord } from '../parsers/types.js';
import type { BoolStyle } from './formats.js';

export type { Align, ColumnContent, FooterSummary, Layout, LayoutColumn } from './layout-types.js';
import type { Align, FooterSummary, Layout, LayoutColumn } from './layout-types.js';

const NUMERIC_TYPES = new Set(['int', 'number', 'money', 'percent']);

/** The table column behind a layout field (the n-th of equal headers is told apart by `occurrence`). */
export function columnSpec(type: ExportName, field: string): ColumnSpec {
  const spec = exportTable(type).columns.find((c) => c.field === field);
  if (!spec) throw new Error(`${type} has no field ${field}`);
  return spec;
}

interface ColumnOptions {
  headerAlign?: Align;
  boolStyle?: BoolStyle;
}

/** Column builders bound to one export, so layouts read as header · field · width. */
function columnsOf(type: ExportType) {
  return {
    f(header: string, field: string, width: number, options: ColumnOptions = {}): LayoutColumn {
      const numeric = NUMERIC_TYPES.has(columnSpec(type, field).type);
      return {
        header,
        content: { kind: 'field', field },
        width,
        align: numeric ? 'right' : 'left',
        headerAlign: options.headerAlign ?? (numeric ? 'center' : 'left'),
        ...(options.boolStyle ? { boolStyle: options.boolStyle } : {}),
      };
    },
    skip(header: string, width: number, text = ''): LayoutColumn {
      return { header, content: { kind: 'ignored', text }, width, align: 'left', headerAlign: 'center' };
    },
    extra(header: string, width: number): LayoutColumn {
      return { header, content: { kind: 'extra' }, width, align: 'left', headerAlign: 'left' };
    },
  };
}

const C = 'center' as const;

function ordersLayouts(): Layout[] {
  const { f, extra } = columnsOf('orders');
  const page1 = [f('ID', 'erpId', 60), f('ID DI VENDITA', 'orderNumber', 80), f('PROFILO CLIENTE:', 'customerAccount', 72), f('NOME VENDITE:', 'customerName', 120)];
  const pages = [
    page1,
    [f('NOME DI CONSEGNA', 'deliveryName', 130), f('INDIRIZZO DI CONSEGNA', 'deliveryAddress', 150)],
    [f('DATA DI CREAZIONE', 'createdAt', 90, { headerAlign: C }), f('DATA DI CONSEGNA', 'deliveryDate', 70), f('RIMANI VENDITE FINANZIARIE', 'remainingSalesFinancial', 90)],
    [f('RIFERIMENTO CLIENTE', 'customerReference', 110), f('STATO DELLE VENDITE', 'salesStatus', 80), f('TIPO DI ORDINE', 'orderType', 80), f('STATO DEL DOCUMENTO', 'documentStatus', 110)],
    [f('ORIGINE VENDITE:', 'salesOrigin', 80), f('STATO DEL TRASFERIMENTO', 'transferStatus', 90, { headerAlign: C }), f('DATA DI TRASFERIMENTO', 'transferDate', 80)],
    [f('DATA DI COMPLETAMENTO', 'completionDate', 80), f('PREVENTIVO:', 'quote', 60, { headerAlign: C }), f('APPLICA SCONTO %:', 'discountPercent', 75), f('IMPORTO LORDO:', 'grossAmount', 85)],
    [f('IMPORTO TOTALE', 'totalAmount', 85), f('ORDINE OMAGGIO:', 'freeOfCharge', 72)],
  ];
  const withNotes = pages.map((page, i) => (i === 3 ? [...page, extra('NOTE INTERNE', 140)] : page));
  const withoutOrderNumber = pages.map((page, i) => (i === 0 ? page.filter((c) => c.header !== 'ID DI VENDITA') : page));
  // Layout drift (ERP-EXPORTS §1, issue 13): the user hid `RIFERIMENTO CLIENTE`, or the ERP printed it as
  // `RIF. CLIENTE`, a header the table does not know (its text goes to `extra`: see `withRenamedColumn`).
  const reference = (replacement: LayoutColumn[]) =>
    pages.map((page) => page.flatMap((c) => (c.header === 'RIFERIMENTO CLIENTE' ? replacement : [c])));
  return [
    { type: 'orders', variant: '7p', title: 'Ordini', moneyStyle: 'euro', pages },
    { type: 'orders', variant: 'extra-column', title: 'Ordini', moneyStyle: 'euro', pages: withNotes },
    { type: 'orders', variant: 'missing-required', title: 'Ordini', moneyStyle: 'euro', pages: withoutOrderNumber },
    { type: 'orders', variant: 'hidden-reference', title: 'Ordini', moneyStyle: 'euro', pages: reference([]) },
    { type: 'orders', variant: 'renamed-reference', title: 'Ordini', moneyStyle: 'euro', pages: reference([extra('RIF. CLIENTE', 110)]) },
  ];
}

function ddtLayouts(): Layout[] {
  const { f, skip } = columnsOf('ddt');
  const first5 = [
    [skip('PDF DDT', 50), f('ID', 'erpId', 60), f('DOCUMENTO DI TRASPORTO:', 'ddtNumber', 85), f('DATA DI CONSEGNA', 'deliveryDate', 70, { headerAlign: C }), f('ID DI VENDITA', 'orderNumber', 80)],
    [f("CONTO DELL'ORDINE", 'customerAccount', 80), f('NOME VENDITE:', 'customerName', 140)],
    [f('NOME DI CONSEGNA', 'deliveryName', 130), f('NOME DI CONSEGNA', 'deliveryAddress', 150)],
    [f('TOTALE', 'quantity', 50), f('RIFERIMENTO CLIENTE', 'customerReference', 110), f('DESCRIZIONE:', 'description', 120)],
    [f('NUMERO DI TRACCIABILITÀ', 'tracking', 215), f('TERMINI DI CONSEGNA:', 'deliveryTerms', 90)],
  ];
  const method = f('MODALITÀ DI CONSEGNA', 'deliveryMethod', 90);
  const attention = f("ALL'ATTENZIONE DI", 'attentionTo', 100);
  const city = f('CITTÀ DI CONSEGNA', 'deliveryCity', 110);
  return [
    { type: 'ddt', variant: '6p', title: 'Documenti di trasporto', moneyStyle: 'euro', pages: [...first5, [method, attention, city]] },
    { type: 'ddt', variant: '7p', title: 'Documenti di trasporto', moneyStyle: 'euro', pages: [...first5, [method, attention], [city]] },
  ];
}

function invoicesLayouts(): Layout[] {
  const { f, skip } = columnsOf('invoices');
  const pages = [
    [skip('FATTURA PDF', 50), f('ID FATTURA', 'invoiceNumber', 80), f('DATA FATTURA', 'invoiceDate', 65, { headerAlign: C }), f('CONTO FATTURE', 'customerAccount', 70)],
    [f('NOME DI FATTURAZIONE', 'billingName', 130), f('QUANTITÀ', 'quantity', 60), f('SALDO VENDITE MST', 'salesBalance', 80)],
    [f('SOMMA LINEA SCONTO MST', 'lineDiscountSum', 80), f('SCONTO TOTALE:', 'totalDiscount', 80), f('SOMMA FISCALE MST', 'taxAmount', 80), f('IMPORTO FATTURA MST', 'invoiceAmount', 85)],
    [f('ORDINE DI ACQUISTO', 'purchaseOrder', 100), f('RIFERIMENTO CLIENTE', 'customerReference', 110), f('SCADENZA', 'dueDate', 65)],
    [f('ID TERMINE DI PAGAMENTO', 'paymentTerms', 130), f('OLTRE I GIORNI DI SCADENZA', 'daysPastDue', 75)],
    [f('LIQUIDA IMPORTO MST', 'settledAmount', 80), f('IDENTIFICATIVO ULTIMO PAGAMENTO:', 'lastPaymentId', 90), f('DATA DI ULTIMA LIQUIDAZIONE', 'lastSettlementDate', 80)],
    [f('CHIUSO', 'closedDate', 65, { headerAlign: C }), f('IMPORTO RIMANENTE MST', 'remainingAmount', 85)],
  ];
  const withOrderNumber = pages.map((page, i) => (i === 3 ? [f('ID DI VENDITA', 'orderNumber', 80), ...page] : page));
  return [
    { type: 'invoices', variant: '7p', title: 'Fatture', moneyStyle: 'plain', pages },
    { type: 'invoices', variant: 'with-order-number', title: 'Fatture', moneyStyle: 'plain', pages: withOrderNumber },
  ];
}

function customersLayouts(): Layout[] {
  const { f } = columnsOf('customers');
  // The real export of 19 January 2026, header for header (ERP-EXPORTS §5): colons, a typographic
  // apostrophe, `INDIRIZZO LOGISTICO CAP`, the last order date on page 4, `VENDITE PRECEDENTE` twice on page 6.
  const real8 = [
    [f('ID', 'erpId', 60), f('PROFILO CLIENTE:', 'accountNumber', 70), f('NOME', 'name', 130), f('PARTITA IVA:', 'vatNumber', 80, { headerAlign: C })],
    [f('PEC:', 'pec', 140), f('SDI:', 'sdi', 50, { headerAlign: C }), f('CODICE FISCALE:', 'fiscalCode', 95), f('TERMINI DI CONSEGNA', 'deliveryTerms', 90)],
    [f('VIA:', 'street', 110), f('INDIRIZZO LOGISTICO CAP', 'postalCode', 60), f('CITTÀ', 'city', 90)],
    [f('TELEFONO:', 'phone', 80), f('CELLULARE:', 'mobile', 80), f('URL:', 'url', 80), f('ALL’ATTENZIONE DI:', 'attentionTo', 110), f("DATA DELL'ULTIMO ORDINE", 'lastOrderDate', 80)],
    [f('CONTEGGI DEGLI ORDINI EFFETTIVI', 'orderCount', 80), f('TIPO DI CLIENTE', 'customerType', 100), f('CONTEGGIO DEGLI ORDINI PRECEDENTE', 'previousOrderCount1', 90)],
    [f('VENDITE PRECEDENTE', 'previousSales1', 90), f('CONTEGGIO DEGLI ORDINI PRECEDENTE 2', 'previousOrderCount2', 90), f('VENDITE PRECEDENTE', 'previousSales2', 90)],
    [f('DESCRIZIONE:', 'description', 130), f('TYPE:', 'type', 80), f('NUMERO DI CONTO ESTERNO', 'externalAccountNumber', 90)],
    [f('IL NOSTRO NUMERO DI CONTO', 'ourAccountNumber', 100)],
  ];
  const first7 = [
    [f('ID', 'erpId', 60), f('PROFILO CLIENTE', 'accountNumber', 70), f('NOME', 'name', 130), f('PARTITA IVA', 'vatNumber', 80, { headerAlign: C })],
    [f('PEC', 'pec', 140), f('SDI', 'sdi', 50, { headerAlign: C }), f('CODICE FISCALE', 'fiscalCode', 95), f('TERMINI DI CONSEGNA', 'deliveryTerms', 90)],
    [f('VIA', 'street', 110), f('CAP', 'postalCode', 45), f('CITTÀ', 'city', 90)],
    [f('TELEFONO', 'phone', 80), f('CELLULARE', 'mobile', 80), f('URL', 'url', 80), f("ALL'ATTENZIONE DI", 'attentionTo', 110)],
    [f("DATA DELL'ULTIMO ORDINE", 'lastOrderDate', 80), f('CONTEGGI DEGLI ORDINI EFFETTIVI', 'orderCount', 80), f('TIPO DI CLIENTE', 'customerType', 100)],
    [f('CONTEGGIO DEGLI ORDINI PRECEDENTE', 'previousOrderCount1', 90), f('VENDITE PRECEDENTE', 'previousSales1', 90)],
    [f('CONTEGGIO DEGLI ORDINI PRECEDENTE 2', 'previousOrderCount2', 90), f('VENDITE PRECEDENTE', 'previousSales2', 90)],
  ];
  const description = f('DESCRIZIONE', 'description', 130);
  const kind = f('TYPE', 'type', 80);
  const pages9 = [...first7, [description, kind, f('NUMERO DI CONTO ESTERNO', 'externalAccountNumber', 90)], [f('IL NOSTRO NUMERO DI CONTO', 'ourAccountNumber', 100)]];
  return [
    { type: 'customers', variant: '8p', title: 'Clienti', moneyStyle: 'euro', pages: real8 },
    { type: 'customers', variant: '9p', title: 'Clienti', moneyStyle: 'euro', pages: pages9 },
    // Layout drift: the user hid the PEC and phone columns.
    {
      type: 'customers', variant: 'hidden-pec-phone', title: 'Clienti', moneyStyle: 'euro',
      pages: pages9.map((page) => page.filter((c) => c.header !== 'PEC' && c.header !== 'TELEFONO')),
    },
  ];
}

function productsLayouts(): Layout[] {
  const { f, skip } = columnsOf('products');
  const yesno = { boolStyle: 'yesno' } as const;
  const pages8 = [
    [f('ID ARTICOLO', 'productId', 65), f('NOME ARTICOLO', 'articleCode', 80), f('DESCRIZIONE', 'description', 150)],
    [f('GRUPPO ARTICOLO', 'productGroup', 80), skip('IMMAGINE', 60, 'System.Byte[]'), f("CONTENUTO DELL'IMBALLAGGIO", 'packageContent', 80, { headerAlign: C }), f('NOME DELLA RICERCA', 'searchName', 80)],
    [f('UNITÀ DI PREZZO', 'priceUnit', 55), f('ID GRUPPO DI PRODOTTI', 'productGroupId', 70), f('DESCRIZIONE GRUPPO ARTICOLO', 'productGroupDescription', 110), f('QTÀ MINIMA', 'minQuantity', 55)],
    [f('QTÀ MULTIPLI', 'multipleQuantity', 55), f('QTÀ MASSIMA', 'maxQuantity', 55), f('FIGURA', 'figure', 55), f("ID IN BLOCCO DELL'ARTICOLO", 'blockedId', 75), f('PACCO', 'package', 55), f('GAMBA', 'shank', 55)],
    [f('GRANDEZZA', 'size', 55, { headerAlign: C }), f('ID DI CONFIGURAZIONE', 'configurationId', 75), f('CREATO DA', 'createdBy', 65), f('DATA CREATA', 'createdDate', 65), f('DATAAREAID', 'dataAreaId', 55)],
    [f('QTÀ PREDEFINITA', 'defaultQuantity', 65), f('VISUALIZZA IL NUMERO DI PRODOTTO', 'displayProductNumber', 90), f('SCONTO ASSOLUTO TOTALE', 'totalAbsoluteDiscount', 80), f('ID', 'erpId', 60)],
    [f('SCONTO LINEA', 'lineDiscount', 60), f('MODIFICATO DA', 'modifiedBy', 65), f('DATETIME MODIFICATO', 'modifiedAt', 80), f('ARTICOLO ORDINABILE', 'orderable', 75, { headerAlign: C })],
    [f('PURCH PRICE', 'purchasePrice', 80), f('PCS ID DI CONFIGURAZIONE STANDARD', 'standardConfigurationId', 85), f('QTÀ STANDARD', 'standardQuantity', 60), f('FERMATO', 'stopped', 50, { headerAlign: C, ...yesno }), f('ID UNITÀ', 'unitId', 50)],
  ];
  const pages5 = [
    [f('ID ARTICOLO', 'productId', 65), f('NOME ARTICOLO', 'articleCode', 80), f('DESCRIZIONE', 'description', 150)],
    [f('GRUPPO ARTICOLO', 'productGroup', 80), skip('IMMAGINE', 60, 'System.Byte[]'), f("CONTENUTO DELL'IMBALLAGGIO", 'packageContent', 80), f('NOME DELLA RICERCA', 'searchName', 80)],
    [f('UNITÀ DI PREZZO', 'priceUnit', 55), f('QTÀ MINIMA', 'minQuantity', 55), f('QTÀ MULTIPLI', 'multipleQuantity', 55), f('QTÀ MASSIMA', 'maxQuantity', 55)],
    [f('FIGURA', 'figure', 55), f('GRANDEZZA', 'size', 55), f('PACCO', 'package', 55), f('GAMBA', 'shank', 55)],
    [f('ID', 'erpId', 60), f('ARTICOLO ORDINABILE', 'orderable', 75), f('PURCH PRICE', 'purchasePrice', 80), f('FERMATO', 'stopped', 50, yesno)],
  ];
  return [
    { type: 'products', variant: '5p', title: 'Prodotti', moneyStyle: 'euro', pages: pages5 },
    { type: 'products', variant: '8p', title: 'Prodotti', moneyStyle: 'euro', pages: pages8 },
    { type: 'products', variant: '9p', title: 'Prodotti', moneyStyle: 'euro', pages: [...pages8, [f('TAXITEMGROUPID', 'vatGroup', 80, { headerAlign: C })]] },
  ];
}

function pricesLayouts(): Layout[] {
  const { f } = columnsOf('prices');
  return [{
    type: 'prices', variant: '3p', title: 'Tabella prezzi', moneyStyle: 'euro',
    pages: [
      [f('ID', 'erpId', 60), f('CODICE CONTO', 'accountCode', 65), f('ACCOUNT:', 'account', 65), f('DESCRIZIONE ACCOUNT:', 'accountDescription', 90), f('ITEM SELECTION:', 'productId', 75)],
      // The three header words print stacked in one merged cell (ERP-EXPORTS §7).
      [f('ITEM DESCRIPTION:', 'articleCode', 90), f('DA DATA', 'validFrom', 65, { headerAlign: C }), f('DATA', 'validTo', 65, { headerAlign: C }), f('QUANTITÀ\nIMPORTO\nDA', 'quantityFrom', 65)],
      [f('QUANTITÀ\nIMPORTO', 'quantityTo', 65), f('UNITÀ DI PREZZO', 'priceUnit', 55), f('IMPORTO UNITARIO:', 'unitPrice', 80), f('VALUTA', 'currency', 50), f('PREZZO NETTO BRASSELER', 'brasselerNetPrice', 80)],
    ],
  }];
}

function index(layouts: Layout[]): Record<string, Layout> {
  return Object.fromEntries(layouts.map((layout) => [layout.variant, layout]));
}

/** Every layout variant by export and variant name. */
export const LAYOUTS: Readonly<Record<ExportType, Readonly<Record<string, Layout>>>> = {
  customers: index(customersLayouts()),
  products: index(productsLayouts()),
  prices: index(pricesLayouts()),
  orders: index(ordersLayouts()),
  ddt: index(ddtLayouts()),
  invoices: index(invoicesLayouts()),
};

/**
 * The footer each real export has (ERP-EXPORTS §1, §5): orders count under `ID` and sum both amounts;
 * DDT count under `DOCUMENTO DI TRASPORTO:` and sum `TOTALE`; invoices only sum, on pages 2, 3, 6 and 7;
 * customers count under `ID` and sum the six figures of pages 5 and 6 (`TIPO DI CLIENTE` included: it holds
 * an amount). Products and prices were not observed: a count under the first column, the DevExpress
 * default that the orders export shows too.
 */
export const DEFAULT_FOOTERS: Readonly<Record<ExportType, readonly FooterSummary[]>> = {
  orders: [{ field: 'erpId', kind: 'Count' }, { field: 'grossAmount', kind: 'Sum' }, { field: 'totalAmount', kind: 'Sum' }],
  ddt: [{ field: 'ddtNumber', kind: 'Count' }, { field: 'quantity', kind: 'Sum' }],
  invoices: ['quantity', 'salesBalance', 'totalDiscount', 'taxAmount', 'invoiceAmount', 'settledAmount', 'remainingAmount'].map((field) => ({ field, kind: 'Sum' as const })),
  customers: [
    { field: 'erpId', kind: 'Count' },
    ...['orderCount', 'customerType', 'previousOrderCount1', 'previousSales1', 'previousOrderCount2', 'previousSales2'].map((field) => ({ field, kind: 'Sum' as const })),
  ],
  products: [{ field: 'productId', kind: 'Count' }],
  prices: [{ field: 'erpId', kind: 'Count' }],
};

/** The footer an export's PDF ends with: the built-in one, else its definition's (`simulator.footer`), else none. */
export function footerOf(type: ExportName): readonly FooterSummary[] {
  return (DEFAULT_FOOTERS as Readonly<Record<string, readonly FooterSummary[]>>)[type] ?? exportDefinition(type).simulator?.footer ?? [];
}

/** The layout each export has today (January 2026): the newest variant observed. */
export const DEFAULT_VARIANTS: Readonly<Record<ExportType, string>> = {
  customers: '9p',
  products: '9p',
  prices: '3p',
  orders: '7p',
  ddt: '7p',
  invoices: '7p',
};

/** The layout variants of an export: the built-in ones, else those its definition brings (`simulator.layouts`). */
function variantsOf(type: ExportName): Readonly<Record<string, Layout>> {
  return (LAYOUTS as Record<string, Readonly<Record<string, Layout>>>)[type] ?? index([...(exportDefinition(type).simulator?.layouts ?? [])]);
}

/**
 * The layout to render: the named variant, else the variant with `pagesPerCycle` pages (the first in
 * definition order), else the export's default.
 */
export function getLayout(type: ExportName, selection: { variant?: string; pagesPerCycle?: number } = {}): Layout {
  const variants = variantsOf(type);
  if (selection.variant !== undefined) {
    const layout = variants[selection.variant];
    if (!layout) throw new Error(`${type} has no layout variant ${selection.variant} (known: ${Object.keys(variants).join(', ')})`);
    return layout;
  }
  if (selection.pagesPerCycle !== undefined) {
    const layout = Object.values(variants).find((l) => l.pages.length === selection.pagesPerCycle);
    if (!layout) throw new Error(`${type} has no layout with ${selection.pagesPerCycle} pages per cycle`);
    return layout;
  }
  return (variants[(DEFAULT_VARIANTS as Record<string, string>)[type] ?? ''] ?? Object.values(variants)[0]) as Layout;
}

/** The record fields a layout shows (a tracking column shows the three tracking fields). */
export function visibleFields(layout: Layout): Set<string> {
  const fields = new Set<string>();
  for (const column of layout.pages.flat()) {
    if (column.content.kind !== 'field') continue;
    if (column.content.field === 'tracking') TRACKING_FIELDS.forEach((f) => fields.add(f));
    else fields.add(column.content.field);
  }
  return fields;
}

/** Normalised headers of a layout's unknown columns (the keys of `extra`). */
export function extraHeaders(layout: Layout): string[] {
  return layout.pages.flat().filter((c) => c.content.kind === 'extra').map((c) => normaliseHeader(c.header));
}

/**
 * Fields that a parser derives from another column when their own column is absent (ERP-EXPORTS §4:
 * without an order-number column, an invoice's `orderNumber` is the `ORD/…` number in `purchaseOrder`).
 */
const DERIVED_WHEN_HIDDEN: Partial<Record<ExportName, Record<string, (record: ExportRecord) => FieldValue>>> = {
  invoices: {
    orderNumber: (record) => /ORD\/\d+/.exec(String(record.purchaseOrder ?? ''))?.[0] ?? null,
  },
};

/**
 * What a parser reading `layout` must emit for `records` — the ground truth of a fixture: the record
 * fields in table order, `null` for fields the layout does not show (or their derived value), and
 * `extra` only when the layout has unknown columns (`''` where a record has no value for one).
 */
export function projectRecords(layout: Layout, records: readonly ExportRecord[]): ExportRecord[] {
  const visible = visibleFields(layout);
  const fields = recordFields(exportTable(layout.type));
  const derived = DERIVED_WHEN_HIDDEN[layout.type] ?? {};
  const extras = extraHeaders(layout);
  return records.map((record) => {
    const out: ExportRecord = {};
    for (const field of fields) {
      const value = record[field];
      const derive = derived[field];
      out[field] = visible.has(field) ? (value as FieldValue) ?? null : derive ? derive(record) : null;
    }
    if (extras.length > 0) out.extra = Object.fromEntries(extras.map((key) => [key, record.extra?.[key] ?? '']));
    return out;
  });
}
