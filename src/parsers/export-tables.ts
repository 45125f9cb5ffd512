/**
 * The six ERP exports as data: which header texts name which record field, how each field is typed,
 * what the key is and which columns an export cannot do without. One generic grid reader
 * (`grid-reader.ts`) reads every export through these tables; the fixture renderer, the stores and the
 * apply step read the same field lists, so a field is named in exactly one place.
 *
 * Header texts are matched exactly after whitespace is collapsed, upper-cased, a trailing `:` removed
 * and typographic apostrophes made plain (ERP-EXPORTS §1, §5): `ID` never matches `ID DI VENDITA`, and
 * `ALL’ATTENZIONE DI:` is `ALL'ATTENZIONE DI`.
 */

/** The six syncs that read an export. */
export const EXPORT_TYPES = ['customers', 'products', 'prices', 'orders', 'ddt', 'invoices'] as const;
export type ExportType = (typeof EXPORT_TYPES)[number];

/**
 * How a cell's text becomes a value.
 * - `text`: trimmed, wrapped lines joined by the column's `join` (default a space); empty → null
 * - `id`: ERP internal id, kept as text with its thousands dot (`71.567`)
 * - `int` / `number`: Italian number (`1.234,5` → 1234.5); `int` must be whole
 * - `money`: Italian number with optional `€` (`1.234,56 €` → 1234.56)
 * - `percent`: Italian number with optional `%` (`21,49 %` → 21.49)
 * - `date`: `dd/mm/yyyy` → `yyyy-mm-dd`
 * - `datetime`: `dd/mm/yyyy hh:mm:ss` → `yyyy-mm-ddThh:mm:ss` (Europe/Rome local time, no zone)
 * - `bool`: `Checked`/`Unchecked`, `Sì`/`No`, `Yes`/`No`, `True`/`False`
 * - `tracking`: the DDT tracking anchor → `trackingCourier`, `trackingNumber`, `trackingUrl`
 */
export type FieldType = 'text' | 'id' | 'int' | 'number' | 'money' | 'percent' | 'date' | 'datetime' | 'bool' | 'tracking';

/** A value as it leaves the parser. */
export type FieldValue = string | number | boolean | null;

/** One column of an export as the parser knows it. */
export interface ColumnSpec {
  /** Record field the column fills (for `tracking`: the prefix of the three tracking fields). */
  readonly field: string;
  /** Accepted header texts (normalised: upper case, collapsed whitespace, no trailing colon). */
  readonly headers: readonly string[];
  readonly type: FieldType;
  /** A missing required column makes the export invalid (fail closed). */
  readonly required?: boolean;
  /**
   * When several columns of one export share a header text, the n-th (1-based, in page order within a
   * cycle) is this column. DDT page 3 prints `NOME DI CONSEGNA` twice; the second holds the address.
   */
  readonly occurrence?: number;
  /** Separator for a cell wrapped over several lines (default `' '`). */
  readonly join?: string;
}

/** One export as data. */
export interface ExportTable {
  readonly type: ExportType;
  /** Human name used in error messages (`orders export: …`). */
  readonly label: string;
  /** Header texts that must all appear on a page for it to start a cycle. */
  readonly anchor: readonly string[];
  /** Record fields that together identify a record (per account where `perAccount`). */
  readonly key: readonly string[];
  /** Per-agent data is stored per account; shared data (products, prices) is not. */
  readonly perAccount: boolean;
  readonly columns: readonly ColumnSpec[];
  /** Columns printed by the ERP that carry no data in the text layer (icons, `System.Byte[]`). */
  readonly ignored: readonly string[];
  /** Fields filled from another field when their own column is absent or empty. */
  readonly derived?: readonly DerivedField[];
}

/** A field taken from the first match of `pattern` in field `from` when it has no value of its own. */
export interface DerivedField {
  readonly field: string;
  readonly from: string;
  readonly pattern: RegExp;
}

/** The record fields a tracking column expands to. */
export const TRACKING_FIELDS = ['trackingCourier', 'trackingNumber', 'trackingUrl'] as const;

const t = (field: string, headers: string | readonly string[], type: FieldType = 'text', extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
  field,
  headers: typeof headers === 'string' ? [headers] : headers,
  type,
  ...extra,
});
const req = { required: true } as const;

const orders: ExportTable = {
  type: 'orders',
  label: 'orders',
  anchor: ['ID DI VENDITA'],
  key: ['erpId'],
  perAccount: true,
  ignored: [],
  columns: [
    t('erpId', 'ID', 'id', req),
    t('orderNumber', ['ID DI VENDITA', 'SALES ID'], 'text', req),
    t('customerAccount', ['PROFILO CLIENTE', 'CUSTOMER ACCOUNT'], 'text', req),
    t('customerName', ['NOME VENDITE', 'SALES NAME'], 'text', req),
    t('deliveryName', 'NOME DI CONSEGNA'),
    t('deliveryAddress', 'INDIRIZZO DI CONSEGNA', 'text', { join: ', ' }),
    t('createdAt', ['DATA DI CREAZIONE', 'CREATION DATE'], 'datetime', req),
    t('deliveryDate', 'DATA DI CONSEGNA', 'date'),
    t('remainingSalesFinancial', 'RIMANI VENDITE FINANZIARIE'),
    t('customerReference', 'RIFERIMENTO CLIENTE'),
    t('salesStatus', 'STATO DELLE VENDITE'),
    t('orderType', 'TIPO DI ORDINE'),
    t('documentStatus', 'STATO DEL DOCUMENTO'),
    t('salesOrigin', 'ORIGINE VENDITE'),
    t('transferStatus', 'STATO DEL TRASFERIMENTO'),
    t('transferDate', 'DATA DI TRASFERIMENTO', 'date'),
    t('completionDate', 'DATA DI COMPLETAMENTO', 'date'),
    t('quote', 'PREVENTIVO', 'bool'),
    t('discountPercent', 'APPLICA SCONTO %', 'percent'),
    t('grossAmount', 'IMPORTO LORDO', 'money'),
    t('totalAmount', 'IMPORTO TOTALE', 'money', req),
    t('freeOfCharge', 'ORDINE OMAGGIO', 'bool'),
  ],
};

const ddt: ExportTable = {
  type: 'ddt',
  label: 'ddt',
  anchor: ['DOCUMENTO DI TRASPORTO'],
  key: ['ddtNumber'],
  perAccount: true,
  ignored: ['PDF DDT'],
  columns: [
    t('erpId', 'ID', 'id', req),
    t('ddtNumber', ['DOCUMENTO DI TRASPORTO', 'PACKING SLIP'], 'text', req),
    t('deliveryDate', 'DATA DI CONSEGNA', 'date'),
    t('orderNumber', ['ID DI VENDITA', 'SALES ID'], 'text', req),
    t('customerAccount', "CONTO DELL'ORDINE", 'text', req),
    t('customerName', 'NOME VENDITE'),
    t('deliveryName', 'NOME DI CONSEGNA', 'text', { occurrence: 1 }),
    t('deliveryAddress', 'NOME DI CONSEGNA', 'text', { occurrence: 2, join: ', ' }),
    t('quantity', 'TOTALE', 'int'),
    t('customerReference', 'RIFERIMENTO CLIENTE'),
    t('description', 'DESCRIZIONE'),
    t('tracking', 'NUMERO DI TRACCIABILITÀ', 'tracking'),
    t('deliveryTerms', 'TERMINI DI CONSEGNA'),
    t('deliveryMethod', 'MODALITÀ DI CONSEGNA'),
    t('attentionTo', "ALL'ATTENZIONE DI"),
    t('deliveryCity', 'CITTÀ DI CONSEGNA'),
  ],
};

const invoices: ExportTable = {
  type: 'invoices',
  label: 'invoices',
  anchor: ['ID FATTURA'],
  key: ['invoiceNumber'],
  perAccount: true,
  ignored: ['FATTURA PDF'],
  // The standard invoice layout has no order-number column; a purchase order often quotes it.
  derived: [{ field: 'orderNumber', from: 'purchaseOrder', pattern: /ORD\/\d+/ }],
  columns: [
    t('invoiceNumber', ['ID FATTURA', 'INVOICE ID'], 'text', req),
    t('invoiceDate', ['DATA FATTURA', 'INVOICE DATE'], 'date', req),
    t('customerAccount', 'CONTO FATTURE', 'text', req),
    t('billingName', 'NOME DI FATTURAZIONE'),
    t('quantity', 'QUANTITÀ', 'number'),
    t('salesBalance', 'SALDO VENDITE MST', 'money'),
    t('lineDiscountSum', 'SOMMA LINEA SCONTO MST', 'money'),
    t('totalDiscount', 'SCONTO TOTALE', 'money'),
    t('taxAmount', 'SOMMA FISCALE MST', 'money'),
    t('invoiceAmount', 'IMPORTO FATTURA MST', 'money', req),
    t('purchaseOrder', 'ORDINE DI ACQUISTO'),
    t('customerReference', 'RIFERIMENTO CLIENTE'),
    t('dueDate', 'SCADENZA', 'date'),
    t('paymentTerms', 'ID TERMINE DI PAGAMENTO'),
    t('daysPastDue', 'OLTRE I GIORNI DI SCADENZA', 'int'),
    t('settledAmount', 'LIQUIDA IMPORTO MST', 'money'),
    t('lastPaymentId', 'IDENTIFICATIVO ULTIMO PAGAMENTO'),
    t('lastSettlementDate', 'DATA DI ULTIMA LIQUIDAZIONE', 'date'),
    t('closedDate', 'CHIUSO', 'date'),
    t('remainingAmount', 'IMPORTO RIMANENTE MST', 'money'),
    // Absent from the standard layout; some ERP configurations add it (ERP-EXPORTS §4). When absent,
    // `orderNumber` is derived from an `ORD/…` number in `purchaseOrder`.
    t('orderNumber', ['ID VENDITE', 'ID DI VENDITA', 'SALES ID']),
  ],
};

const customers: ExportTable = {
  type: 'customers',
  label: 'customers',
  anchor: ['NOME', 'PARTITA IVA'],
  key: ['erpId'],
  perAccount: true,
  ignored: [],
  columns: [
    t('erpId', 'ID', 'id', req),
    t('accountNumber', ['PROFILO CLIENTE', 'CUSTOMER ACCOUNT'], 'text', req),
    t('name', ['NOME', 'NAME'], 'text', req),
    t('vatNumber', ['PARTITA IVA', 'VAT NUMBER'], 'text', req),
    t('pec', 'PEC'),
    t('sdi', 'SDI'),
    t('fiscalCode', 'CODICE FISCALE'),
    t('deliveryTerms', 'TERMINI DI CONSEGNA'),
    t('street', 'VIA'),
    // The 8-page layout of January 2026 names it after the logistics address (ERP-EXPORTS §5).
    t('postalCode', ['CAP', 'INDIRIZZO LOGISTICO CAP']),
    t('city', 'CITTÀ'),
    t('phone', 'TELEFONO'),
    t('mobile', 'CELLULARE'),
    t('url', 'URL', 'text', { join: '' }),
    t('attentionTo', "ALL'ATTENZIONE DI"),
    t('lastOrderDate', "DATA DELL'ULTIMO ORDINE", 'date'),
    t('orderCount', 'CONTEGGI DEGLI ORDINI EFFETTIVI', 'int'),
    t('customerType', 'TIPO DI CLIENTE'),
    t('previousOrderCount1', 'CONTEGGIO DEGLI ORDINI PRECEDENTE', 'int'),
    t('previousSales1', 'VENDITE PRECEDENTE', 'money', { occurrence: 1 }),
    t('previousOrderCount2', 'CONTEGGIO DEGLI ORDINI PRECEDENTE 2', 'int'),
    t('previousSales2', 'VENDITE PRECEDENTE', 'money', { occurrence: 2 }),
    t('description', 'DESCRIZIONE'),
    t('type', 'TYPE'),
    t('externalAccountNumber', 'NUMERO DI CONTO ESTERNO'),
    t('ourAccountNumber', 'IL NOSTRO NUMERO DI CONTO'),
  ],
};

const products: ExportTable = {
  type: 'products',
  label: 'products',
  anchor: ['ID ARTICOLO'],
  key: ['productId'],
  perAccount: false,
  ignored: ['IMMAGINE'],
  columns: [
    t('productId', ['ID ARTICOLO', 'ITEM ID'], 'text', req),
    t('articleCode', ['NOME ARTICOLO', 'ITEM NAME'], 'text', req),
    t('description', 'DESCRIZIONE'),
    t('productGroup', 'GRUPPO ARTICOLO'),
    t('packageContent', "CONTENUTO DELL'IMBALLAGGIO"),
    t('searchName', 'NOME DELLA RICERCA'),
    t('priceUnit', 'UNITÀ DI PREZZO'),
    t('productGroupId', 'ID GRUPPO DI PRODOTTI'),
    t('productGroupDescription', 'DESCRIZIONE GRUPPO ARTICOLO'),
    t('minQuantity', 'QTÀ MINIMA', 'number'),
    t('multipleQuantity', 'QTÀ MULTIPLI', 'number'),
    t('maxQuantity', 'QTÀ MASSIMA', 'number'),
    t('figure', 'FIGURA'),
    t('blockedId', "ID IN BLOCCO DELL'ARTICOLO"),
    t('package', 'PACCO'),
    t('shank', 'GAMBA'),
    t('size', 'GRANDEZZA'),
    t('configurationId', 'ID DI CONFIGURAZIONE'),
    t('createdBy', 'CREATO DA'),
    t('createdDate', 'DATA CREATA', 'date'),
    t('dataAreaId', 'DATAAREAID'),
    t('defaultQuantity', 'QTÀ PREDEFINITA', 'number'),
    t('displayProductNumber', 'VISUALIZZA IL NUMERO DI PRODOTTO'),
    t('totalAbsoluteDiscount', 'SCONTO ASSOLUTO TOTALE', 'money'),
    t('erpId', 'ID', 'id'),
    t('lineDiscount', 'SCONTO LINEA'),
    t('modifiedBy', 'MODIFICATO DA'),
    t('modifiedAt', 'DATETIME MODIFICATO', 'datetime'),
    t('orderable', 'ARTICOLO ORDINABILE', 'bool'),
    t('purchasePrice', 'PURCH PRICE', 'money'),
    t('standardConfigurationId', 'PCS ID DI CONFIGURAZIONE STANDARD'),
    t('standardQuantity', 'QTÀ STANDARD', 'number'),
    t('stopped', 'FERMATO', 'bool'),
    t('unitId', 'ID UNITÀ'),
    t('vatGroup', 'TAXITEMGROUPID'),
  ],
};

const prices: ExportTable = {
  type: 'prices',
  label: 'prices',
  anchor: ['ITEM SELECTION'],
  key: ['productId', 'validFrom', 'quantityFrom'],
  perAccount: false,
  ignored: [],
  columns: [
    t('erpId', 'ID', 'id'),
    t('accountCode', 'CODICE CONTO'),
    t('account', 'ACCOUNT'),
    t('accountDescription', 'DESCRIZIONE ACCOUNT'),
    t('productId', 'ITEM SELECTION', 'text', req),
    t('articleCode', 'ITEM DESCRIPTION'),
    t('validFrom', ['DA DATA', 'FROM DATE'], 'date', req),
    t('validTo', ['DATA', 'TO DATE'], 'date'),
    // The three words of each quantity header print merged into one cell (ERP-EXPORTS §7).
    t('quantityFrom', ['QUANTITÀ IMPORTO DA', 'DA QUANTITÀ', 'FROM QUANTITY'], 'number', req),
    t('quantityTo', ['QUANTITÀ IMPORTO', 'A QUANTITÀ', 'TO QUANTITY'], 'number'),
    t('priceUnit', 'UNITÀ DI PREZZO'),
    t('unitPrice', ['IMPORTO UNITARIO', 'UNIT PRICE'], 'money', req),
    t('currency', ['VALUTA', 'CURRENCY']),
    t('brasselerNetPrice', 'PREZZO NETTO BRASSELER'),
  ],
};

/** Every export table by type. */
export const EXPORT_TABLES: Readonly<Record<ExportType, ExportTable>> = { customers, products, prices, orders, ddt, invoices };

/** The record field names of an export, in the fixed order used for hashing and storage. */
export function recordFields(table: ExportTable): string[] {
  return table.columns.flatMap((c) => (c.type === 'tracking' ? [...TRACKING_FIELDS] : [c.field]));
}

/** Apostrophes the ERP prints in headers besides `'`: `’` (U+2019), `‘`, `ʼ`, `´` and the backtick. */
const APOSTROPHES = /[\u2018\u2019\u02bc\u00b4`]/g;

/**
 * Normalises a header cell's text for exact matching: collapsed whitespace, upper case, no trailing `:`,
 * every apostrophe plain (`ALL’ATTENZIONE DI:` → `ALL'ATTENZIONE DI`).
 */
export function normaliseHeader(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\s*:$/, '').replace(APOSTROPHES, "'").toUpperCase();
}

/** True for a known export type name. */
export function isExportType(value: string): value is ExportType {
  return (EXPORT_TYPES as readonly string[]).includes(value);
}
