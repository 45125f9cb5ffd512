/** The `invoices` export. */
import { column, REQUIRED, type ExportTable } from '../parsers/export-tables.js';
import { erpListView, type ExportDefinition } from './export-definition.js';
import { ORDER_DOCUMENT } from './order-documents.js';
import { invoicesSimulator } from './invoices.simulator.js';

/** The parse table: header texts → typed fields, the key, the anchor of a cycle. */
const table: ExportTable = {
  type: 'invoices',
  label: 'invoices',
  anchor: ['ID FATTURA'],
  key: ['invoiceNumber'],
  perAccount: true,
  ignored: ['FATTURA PDF'],
  // The standard invoice layout has no order-number column; a purchase order often quotes it.
  derived: [{ field: 'orderNumber', from: 'purchaseOrder', pattern: /ORD\/\d+/ }],
  columns: [
    column('invoiceNumber', ['ID FATTURA', 'INVOICE ID'], 'text', REQUIRED),
    column('invoiceDate', ['DATA FATTURA', 'INVOICE DATE'], 'date', REQUIRED),
    column('customerAccount', 'CONTO FATTURE', 'text', REQUIRED),
    column('billingName', 'NOME DI FATTURAZIONE'),
    column('quantity', 'QUANTITÀ', 'number'),
    column('salesBalance', 'SALDO VENDITE MST', 'money'),
    column('lineDiscountSum', 'SOMMA LINEA SCONTO MST', 'money'),
    column('totalDiscount', 'SCONTO TOTALE', 'money'),
    column('taxAmount', 'SOMMA FISCALE MST', 'money'),
    column('invoiceAmount', 'IMPORTO FATTURA MST', 'money', REQUIRED),
    column('purchaseOrder', 'ORDINE DI ACQUISTO'),
    column('customerReference', 'RIFERIMENTO CLIENTE'),
    column('dueDate', 'SCADENZA', 'date'),
    column('paymentTerms', 'ID TERMINE DI PAGAMENTO'),
    column('daysPastDue', 'OLTRE I GIORNI DI SCADENZA', 'int'),
    column('settledAmount', 'LIQUIDA IMPORTO MST', 'money'),
    column('lastPaymentId', 'IDENTIFICATIVO ULTIMO PAGAMENTO'),
    column('lastSettlementDate', 'DATA DI ULTIMA LIQUIDAZIONE', 'date'),
    column('closedDate', 'CHIUSO', 'date'),
    column('remainingAmount', 'IMPORTO RIMANENTE MST', 'money'),
    // Absent from the standard layout; some ERP configurations add it (ERP-EXPORTS §4). When absent,
    // `orderNumber` is derived from an `ORD/…` number in `purchaseOrder`.
    column('orderNumber', ['ID VENDITE', 'ID DI VENDITA', 'SALES ID']),
  ],
};

/** Invoices complete orders (priority 4) and, like DDT, run only after orders changed. */
export const invoicesExport = {
  name: 'invoices',
  ...ORDER_DOCUMENT,
  table,
  listView: erpListView({
    path: 'CUSTINVOICEJOUR_ListView/',
    captions: ['Fatture', 'Invoices'],
    exportIndexHint: 3,
    overflowIndexHint: 5,
    filter: { itcnt: 4, allSuffix: 'All_invoices', setting: 'list-click' },
    refillEmptyCells: true,
  }),
  simulator: invoicesSimulator(table),
} as const satisfies ExportDefinition;
