/** The `orders` export. */
import { column, REQUIRED, type ExportTable } from '../parsers/export-tables.js';
import { ordersDatabase } from '../stores/orders-db.js';
import { erpListView, type ExportDefinition } from './export-definition.js';
import { STAGGER_MS } from './stagger.js';
import { ordersSimulator } from './orders.simulator.js';

/** Schedules are in milliseconds; TIME_SCALE divides them. */
const MINUTE = 60_000;

/** The parse table: header texts → typed fields, the key, the anchor of a cycle. */
const table: ExportTable = {
  type: 'orders',
  label: 'orders',
  anchor: ['ID DI VENDITA'],
  key: ['erpId'],
  perAccount: true,
  ignored: [],
  columns: [
    column('erpId', 'ID', 'id', REQUIRED),
    column('orderNumber', ['ID DI VENDITA', 'SALES ID'], 'text', REQUIRED),
    column('customerAccount', ['PROFILO CLIENTE', 'CUSTOMER ACCOUNT'], 'text', REQUIRED),
    column('customerName', ['NOME VENDITE', 'SALES NAME'], 'text', REQUIRED),
    column('deliveryName', 'NOME DI CONSEGNA'),
    column('deliveryAddress', 'INDIRIZZO DI CONSEGNA', 'text', { join: ', ' }),
    column('createdAt', ['DATA DI CREAZIONE', 'CREATION DATE'], 'datetime', REQUIRED),
    column('deliveryDate', 'DATA DI CONSEGNA', 'date'),
    column('remainingSalesFinancial', 'RIMANI VENDITE FINANZIARIE'),
    column('customerReference', 'RIFERIMENTO CLIENTE'),
    column('salesStatus', 'STATO DELLE VENDITE'),
    column('orderType', 'TIPO DI ORDINE'),
    column('documentStatus', 'STATO DEL DOCUMENTO'),
    column('salesOrigin', 'ORIGINE VENDITE'),
    column('transferStatus', 'STATO DEL TRASFERIMENTO'),
    column('transferDate', 'DATA DI TRASFERIMENTO', 'date'),
    column('completionDate', 'DATA DI COMPLETAMENTO', 'date'),
    column('quote', 'PREVENTIVO', 'bool'),
    column('discountPercent', 'APPLICA SCONTO %', 'percent'),
    column('grossAmount', 'IMPORTO LORDO', 'money'),
    column('totalAmount', 'IMPORTO TOTALE', 'money', REQUIRED),
    column('freeOfCharge', 'ORDINE OMAGGIO', 'bool'),
  ],
};

/** Orders drive what agents see first (priority 4); the hourly timer is the stagger's first slot (+0). */
export const ordersExport = {
  name: 'orders',
  service: {
    scope: 'agent',
    priority: 4,
    schedule: { intervalMs: 60 * MINUTE, offsetMs: STAGGER_MS.orders, enabled: true, missed: 'once' },
    chainedAfter: null,
  },
  table,
  store: { database: ordersDatabase, linkedToOrders: false },
  listView: erpListView({
    path: 'SALESTABLE_ListView_Agent/',
    captions: ['Ordini', 'Orders'],
    exportIndexHint: 7,
    overflowIndexHint: 9,
    filter: { itcnt: 8, allSuffix: 'ListViewSalesTableOrdersAll', setting: 'client-api' },
  }),
  simulator: ordersSimulator(table),
} as const satisfies ExportDefinition;
