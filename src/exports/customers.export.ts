/** The `customers` export. */
import { column, REQUIRED, type ExportTable } from '../parsers/export-tables.js';
import { customersDatabase } from '../stores/customers-db.js';
import { erpListView, type ExportDefinition } from './export-definition.js';
import { STAGGER_MS } from './stagger.js';
import { customersSimulator } from './customers.simulator.js';

/** Schedules are in milliseconds; TIME_SCALE divides them. */
const MINUTE = 60_000;

/** The parse table: header texts → typed fields, the key, the anchor of a cycle. */
const table: ExportTable = {
  type: 'customers',
  label: 'customers',
  anchor: ['NOME', 'PARTITA IVA'],
  key: ['erpId'],
  perAccount: true,
  ignored: [],
  columns: [
    column('erpId', 'ID', 'id', REQUIRED),
    column('accountNumber', ['PROFILO CLIENTE', 'CUSTOMER ACCOUNT'], 'text', REQUIRED),
    column('name', ['NOME', 'NAME'], 'text', REQUIRED),
    column('vatNumber', ['PARTITA IVA', 'VAT NUMBER'], 'text', REQUIRED),
    column('pec', 'PEC'),
    column('sdi', 'SDI'),
    column('fiscalCode', 'CODICE FISCALE'),
    column('deliveryTerms', 'TERMINI DI CONSEGNA'),
    column('street', 'VIA'),
    // The 8-page layout of January 2026 names it after the logistics address (ERP-EXPORTS §5).
    column('postalCode', ['CAP', 'INDIRIZZO LOGISTICO CAP']),
    column('city', 'CITTÀ'),
    column('phone', 'TELEFONO'),
    column('mobile', 'CELLULARE'),
    column('url', 'URL', 'text', { join: '' }),
    column('attentionTo', "ALL'ATTENZIONE DI"),
    column('lastOrderDate', "DATA DELL'ULTIMO ORDINE", 'date'),
    column('orderCount', 'CONTEGGI DEGLI ORDINI EFFETTIVI', 'int'),
    column('customerType', 'TIPO DI CLIENTE'),
    column('previousOrderCount1', 'CONTEGGIO DEGLI ORDINI PRECEDENTE', 'int'),
    column('previousSales1', 'VENDITE PRECEDENTE', 'money', { occurrence: 1 }),
    column('previousOrderCount2', 'CONTEGGIO DEGLI ORDINI PRECEDENTE 2', 'int'),
    column('previousSales2', 'VENDITE PRECEDENTE', 'money', { occurrence: 2 }),
    column('description', 'DESCRIZIONE'),
    column('type', 'TYPE'),
    column('externalAccountNumber', 'NUMERO DI CONTO ESTERNO'),
    column('ourAccountNumber', 'IL NOSTRO NUMERO DI CONTO'),
  ],
};

/** Customers change daily (priority 3); every 30 minutes, 15 minutes after orders in the stagger. */
export const customersExport = {
  name: 'customers',
  service: {
    scope: 'agent',
    priority: 3,
    schedule: { intervalMs: 30 * MINUTE, offsetMs: STAGGER_MS.customers, enabled: true, missed: 'once' },
    chainedAfter: null,
  },
  table,
  store: { database: customersDatabase, linkedToOrders: false },
  listView: erpListView({
    path: 'CUSTTABLE_ListView_Agent/',
    captions: ['Clienti', 'Customers'],
    exportIndexHint: 6,
    overflowIndexHint: 8,
    filter: { itcnt: 7, allSuffix: 'All_Customers', setting: 'client-api' },
  }),
  simulator: customersSimulator(table),
} as const satisfies ExportDefinition;
