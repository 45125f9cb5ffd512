/** The `prices` export. */
import { column, REQUIRED, type ExportTable } from '../parsers/export-tables.js';
import { pricesDatabase } from '../stores/prices-db.js';
import { erpListView, type ExportDefinition } from './export-definition.js';
import { STAGGER_MS } from './stagger.js';
import { pricesSimulator } from './prices.simulator.js';

/** Schedules are in milliseconds; TIME_SCALE divides them. */
const MINUTE = 60_000;

/** The parse table: header texts → typed fields, the key, the anchor of a cycle. */
const table: ExportTable = {
  type: 'prices',
  label: 'prices',
  anchor: ['ITEM SELECTION'],
  key: ['productId', 'validFrom', 'quantityFrom'],
  perAccount: false,
  ignored: [],
  columns: [
    column('erpId', 'ID', 'id'),
    column('accountCode', 'CODICE CONTO'),
    column('account', 'ACCOUNT'),
    column('accountDescription', 'DESCRIZIONE ACCOUNT'),
    column('productId', 'ITEM SELECTION', 'text', REQUIRED),
    column('articleCode', 'ITEM DESCRIPTION'),
    column('validFrom', ['DA DATA', 'FROM DATE'], 'date', REQUIRED),
    column('validTo', ['DATA', 'TO DATE'], 'date'),
    // The three words of each quantity header print merged into one cell (ERP-EXPORTS §7).
    column('quantityFrom', ['QUANTITÀ IMPORTO DA', 'DA QUANTITÀ', 'FROM QUANTITY'], 'number', REQUIRED),
    column('quantityTo', ['QUANTITÀ IMPORTO', 'A QUANTITÀ', 'TO QUANTITY'], 'number'),
    column('priceUnit', 'UNITÀ DI PREZZO'),
    column('unitPrice', ['IMPORTO UNITARIO', 'UNIT PRICE'], 'money', REQUIRED),
    column('currency', ['VALUTA', 'CURRENCY']),
    column('brasselerNetPrice', 'PREZZO NETTO BRASSELER'),
  ],
};

/** Prices follow products (priority 1): on their own timer (+45 min) and chained after products changed. */
export const pricesExport = {
  name: 'prices',
  service: {
    scope: 'shared',
    priority: 1,
    schedule: { intervalMs: 180 * MINUTE, offsetMs: STAGGER_MS.prices, enabled: true, missed: 'once' },
    chainedAfter: 'products',
  },
  table,
  store: { database: pricesDatabase, linkedToOrders: false },
  listView: erpListView({
    path: 'PRICEDISCTABLE_ListView/',
    captions: ['Tabella prezzi', 'Price table'],
    exportIndexHint: 3,
    overflowIndexHint: 5,
    filter: { itcnt: 4, allSuffix: 'ActivePrices', setting: 'client-api' },
  }),
  simulator: pricesSimulator(table),
} as const satisfies ExportDefinition;
