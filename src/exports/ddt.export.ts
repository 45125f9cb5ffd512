/** The `ddt` export. */
import { column, REQUIRED, type ExportTable } from '../parsers/export-tables.js';
import { erpListView, type ExportDefinition } from './export-definition.js';
import { ORDER_DOCUMENT } from './order-documents.js';
import { ddtSimulator } from './ddt.simulator.js';

/** The parse table: header texts → typed fields, the key, the anchor of a cycle. */
const table: ExportTable = {
  type: 'ddt',
  label: 'ddt',
  anchor: ['DOCUMENTO DI TRASPORTO'],
  key: ['ddtNumber'],
  perAccount: true,
  ignored: ['PDF DDT'],
  columns: [
    column('erpId', 'ID', 'id', REQUIRED),
    column('ddtNumber', ['DOCUMENTO DI TRASPORTO', 'PACKING SLIP'], 'text', REQUIRED),
    column('deliveryDate', 'DATA DI CONSEGNA', 'date'),
    column('orderNumber', ['ID DI VENDITA', 'SALES ID'], 'text', REQUIRED),
    column('customerAccount', "CONTO DELL'ORDINE", 'text', REQUIRED),
    column('customerName', 'NOME VENDITE'),
    column('deliveryName', 'NOME DI CONSEGNA', 'text', { occurrence: 1 }),
    column('deliveryAddress', 'NOME DI CONSEGNA', 'text', { occurrence: 2, join: ', ' }),
    column('quantity', 'TOTALE', 'int'),
    column('customerReference', 'RIFERIMENTO CLIENTE'),
    column('description', 'DESCRIZIONE'),
    column('tracking', 'NUMERO DI TRACCIABILITÀ', 'tracking'),
    column('deliveryTerms', 'TERMINI DI CONSEGNA'),
    column('deliveryMethod', 'MODALITÀ DI CONSEGNA'),
    column('attentionTo', "ALL'ATTENZIONE DI"),
    column('deliveryCity', 'CITTÀ DI CONSEGNA'),
  ],
};

/** Transport documents complete orders (priority 4): they link to orders, so they run only after orders changed. */
export const ddtExport = {
  name: 'ddt',
  ...ORDER_DOCUMENT,
  table,
  listView: erpListView({
    path: 'CUSTPACKINGSLIPJOUR_ListView/',
    captions: ['Documenti di trasporto', 'Packing slips'],
    exportIndexHint: 3,
    overflowIndexHint: 5,
    filter: { itcnt: 4, allSuffix: 'ListViewPackingSlipsAll', setting: 'list-click' },
    refillEmptyCells: true,
    exportClicks: 4,
  }),
  simulator: ddtSimulator(table),
} as const satisfies ExportDefinition;
