import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../machines/index.js';
import type { ExportDefinition } from '../../src/exports/export-definition.js';
import { exportNames, registerExport, serviceCatalog } from '../../src/exports/registry.js';
import { listViewUrl } from '../../src/erp/list-views.js';
import { REQUIRED, column, type ExportTable } from '../../src/parsers/export-tables.js';
import { parseExportFile } from '../../src/parsers/parse-export.js';
import type { ExportRecord } from '../../src/parsers/types.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import type { Layout } from '../../src/simulator/layout-types.js';
import { renderExportToFile } from '../../src/simulator/render-export.js';
import type { DatabaseSpec } from '../../src/stores/database-spec.js';
import { BOOT, MINUTE, VirtualClock } from '../machines/harness.js';
import { fact, nextEvent, tempDir, testConfig } from '../runtime/support.js';

/**
 * The proof that an export is one module: a test-only seventh export (customer returns) is registered
 * through the same registry as the six built-in ones, with nothing else changed, and is then scheduled by
 * the orchestrator, rendered by the simulator, read by the generic parser (in its worker) and stored in
 * its own database by the generic apply.
 */

const table: ExportTable = {
  type: 'returns',
  label: 'returns',
  anchor: ['NUMERO RESO'],
  key: ['returnNumber'],
  perAccount: true,
  ignored: [],
  columns: [
    column('erpId', 'ID', 'id', REQUIRED),
    column('returnNumber', 'NUMERO RESO', 'text', REQUIRED),
    column('customerAccount', 'PROFILO CLIENTE', 'text', REQUIRED),
    column('returnDate', 'DATA RESO', 'date'),
    column('amount', 'IMPORTO', 'money'),
  ],
};

const database: DatabaseSpec = {
  name: 'returns',
  file: 'returns.db',
  tables: ['returns'],
  migrations: [
    {
      version: 1,
      name: 'create returns',
      sql: `
        CREATE TABLE returns (
          account TEXT NOT NULL,
          erp_id TEXT NOT NULL,
          return_number TEXT NOT NULL,
          customer_account TEXT,
          return_date TEXT,
          amount REAL,
          extra TEXT,
          hash TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          deleted_at TEXT,
          PRIMARY KEY (account, return_number)
        );
      `,
    },
  ],
};

const field = (header: string, name: string, width: number, align: 'left' | 'right' = 'left') => ({
  header,
  content: { kind: 'field' as const, field: name },
  width,
  align,
  headerAlign: 'left' as const,
});

const layout: Layout = {
  type: 'returns',
  variant: '1p',
  title: 'Resi',
  moneyStyle: 'euro',
  pages: [
    [
      field('ID', 'erpId', 60, 'right'),
      field('NUMERO RESO', 'returnNumber', 90),
      field('PROFILO CLIENTE', 'customerAccount', 90),
      field('DATA RESO', 'returnDate', 70),
      field('IMPORTO', 'amount', 80, 'right'),
    ],
  ],
};

const returnsExport: ExportDefinition = {
  name: 'returns',
  service: {
    scope: 'agent',
    priority: 2,
    schedule: { intervalMs: 60 * MINUTE, offsetMs: 5 * MINUTE, enabled: true, missed: 'once' },
    chainedAfter: null,
  },
  table,
  store: { database, linkedToOrders: false },
  listView: {
    path: 'RETURNS_ListView/',
    captions: ['Resi', 'Returns'],
    exportIndexHint: 3,
    overflowIndexHint: 5,
    filter: null,
    clearGridFilter: false,
    refillEmptyCells: false,
    exportClicks: 2,
  },
  simulator: { layouts: [layout], footer: [{ field: 'returnNumber', kind: 'Count' }, { field: 'amount', kind: 'Sum' }] },
};

const RETURNS: ExportRecord[] = [
  { erpId: '1.201', returnNumber: 'RES/2026/001', customerAccount: '1002345', returnDate: '2026-01-12', amount: 123.45 },
  { erpId: '1.202', returnNumber: 'RES/2026/002', customerAccount: '1002346', returnDate: '2026-01-13', amount: 9.9 },
  { erpId: '1.203', returnNumber: 'RES/2026/003', customerAccount: '1002345', returnDate: null, amount: 1234.5 },
];

describe('a seventh export registered through the registry alone', () => {
  const dir = tempDir('seventh-export-');
  let unregister: () => void;
  let runtime: Runtime | undefined;

  beforeAll(async () => {
    unregister = registerExport(returnsExport);
    await renderExportToFile(join(dir.path, 'exports', 'returns.pdf'), 'returns', RETURNS);
  });
  afterAll(async () => {
    await runtime?.close();
    unregister();
    dir.remove();
  });

  it('joins the catalogue the orchestrator is given, with its list view', () => {
    expect(exportNames()).toContain('returns');
    expect(serviceCatalog().returns).toMatchObject({ service: 'returns', scope: 'agent', priority: 2 });
    expect(listViewUrl('https://erp.example/Archibald', 'returns')).toBe('https://erp.example/Archibald/RETURNS_ListView/');
  });

  it('is read from its rendered PDF by the generic parser, detected by its headers', async () => {
    const parsed = await parseExportFile(join(dir.path, 'exports', 'returns.pdf'), { type: null });
    expect(parsed.layout.type).toBe('returns');
    expect(parsed.records.map(({ extra: _extra, ...record }) => record)).toEqual(RETURNS);
  });

  it('is scheduled at its own slot, then downloaded, parsed and stored in its own database', async () => {
    const clock = new VirtualClock(BOOT);
    const schedules = Object.fromEntries(exportNames().map((service): [Service, { enabled: boolean }] => [service, { enabled: service === 'returns' }]));
    runtime = createRuntime({ config: testConfig(join(dir.path, 'data'), join(dir.path, 'exports')), clock, schedules, random: 7 });
    expect(runtime.actor.getSnapshot().context.targets['returns@default']).toMatchObject({ nextDueAt: BOOT + 5 * MINUTE });

    const completed = nextEvent(runtime.orchestrator, fact('sync.completed', 'returns@default'));
    clock.advanceTo(BOOT + 5 * MINUTE);
    expect(await completed).toMatchObject({ trigger: 'schedule', stats: { parsed: 3, inserted: 3 } });

    await runtime.close();
    runtime = undefined;
    const db = new Database(join(dir.path, 'data', 'returns.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT account, return_number, customer_account, return_date, amount FROM returns ORDER BY return_number').all();
      expect(rows).toEqual(
        RETURNS.map((record) => ({
          account: 'default',
          return_number: record.returnNumber,
          customer_account: record.customerAccount,
          return_date: record.returnDate,
          amount: record.amount,
        })),
      );
    } finally {
      db.close();
    }
  });
});
