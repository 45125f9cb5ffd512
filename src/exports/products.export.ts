/** The `products` export. */
import { column, REQUIRED, type ExportTable } from '../parsers/export-tables.js';
import { productsDatabase } from '../stores/products-db.js';
import { erpListView, type ExportDefinition } from './export-definition.js';
import { STAGGER_MS } from './stagger.js';
import { productsSimulator } from './products.simulator.js';

/** Schedules are in milliseconds; TIME_SCALE divides them. */
const MINUTE = 60_000;

/** The parse table: header texts → typed fields, the key, the anchor of a cycle. */
const table: ExportTable = {
  type: 'products',
  label: 'products',
  anchor: ['ID ARTICOLO'],
  key: ['productId'],
  perAccount: false,
  ignored: ['IMMAGINE'],
  columns: [
    column('productId', ['ID ARTICOLO', 'ITEM ID'], 'text', REQUIRED),
    column('articleCode', ['NOME ARTICOLO', 'ITEM NAME'], 'text', REQUIRED),
    column('description', 'DESCRIZIONE'),
    column('productGroup', 'GRUPPO ARTICOLO'),
    column('packageContent', "CONTENUTO DELL'IMBALLAGGIO"),
    column('searchName', 'NOME DELLA RICERCA'),
    column('priceUnit', 'UNITÀ DI PREZZO'),
    column('productGroupId', 'ID GRUPPO DI PRODOTTI'),
    column('productGroupDescription', 'DESCRIZIONE GRUPPO ARTICOLO'),
    column('minQuantity', 'QTÀ MINIMA', 'number'),
    column('multipleQuantity', 'QTÀ MULTIPLI', 'number'),
    column('maxQuantity', 'QTÀ MASSIMA', 'number'),
    column('figure', 'FIGURA'),
    column('blockedId', "ID IN BLOCCO DELL'ARTICOLO"),
    column('package', 'PACCO'),
    column('shank', 'GAMBA'),
    column('size', 'GRANDEZZA'),
    column('configurationId', 'ID DI CONFIGURAZIONE'),
    column('createdBy', 'CREATO DA'),
    column('createdDate', 'DATA CREATA', 'date'),
    column('dataAreaId', 'DATAAREAID'),
    column('defaultQuantity', 'QTÀ PREDEFINITA', 'number'),
    column('displayProductNumber', 'VISUALIZZA IL NUMERO DI PRODOTTO'),
    column('totalAbsoluteDiscount', 'SCONTO ASSOLUTO TOTALE', 'money'),
    column('erpId', 'ID', 'id'),
    column('lineDiscount', 'SCONTO LINEA'),
    column('modifiedBy', 'MODIFICATO DA'),
    column('modifiedAt', 'DATETIME MODIFICATO', 'datetime'),
    column('orderable', 'ARTICOLO ORDINABILE', 'bool'),
    column('purchasePrice', 'PURCH PRICE', 'money'),
    column('standardConfigurationId', 'PCS ID DI CONFIGURAZIONE STANDARD'),
    column('standardQuantity', 'QTÀ STANDARD', 'number'),
    column('stopped', 'FERMATO', 'bool'),
    column('unitId', 'ID UNITÀ'),
    column('vatGroup', 'TAXITEMGROUPID'),
  ],
};

/** The catalogue changes weekly (priority 2); shared by every agent, so it runs on the service account. */
export const productsExport = {
  name: 'products',
  service: {
    scope: 'shared',
    priority: 2,
    schedule: { intervalMs: 120 * MINUTE, offsetMs: STAGGER_MS.products, enabled: true, missed: 'once' },
    chainedAfter: null,
  },
  table,
  store: { database: productsDatabase, linkedToOrders: false },
  listView: erpListView({
    path: 'INVENTTABLE_ListView/',
    captions: ['Prodotti', 'Products'],
    exportIndexHint: 3,
    overflowIndexHint: 4,
    filter: null,
    clearGridFilter: true,
  }),
  simulator: productsSimulator(table),
} as const satisfies ExportDefinition;
