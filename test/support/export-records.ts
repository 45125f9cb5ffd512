import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FieldValue } from '../../src/parsers/export-tables.js';
import type { ExportType } from '../../src/exports/registry.js';
import type { ExportLayout, ExportRecord, ParsedExport } from '../../src/parsers/types.js';
import { tableLayout } from '../../src/stores/record-columns.js';
import type { OpenStore } from '../../src/sync/apply-export.js';
import type { ParseExportFile } from '../../src/sync/export-parser.js';
import { openRecordStore } from '../../src/stores/sqlite-record-store.js';

/**
 * A complete record of `type` whose values derive from `n` (distinct `n` → distinct key), typed as the
 * parser types them, with `overrides` on top.
 */
export function makeRecord(type: ExportType, n: number, overrides: ExportRecord = {}): ExportRecord {
  const layout = tableLayout(type);
  const record: ExportRecord = {};
  layout.fields.forEach((field, i) => {
    record[field] = sampleValue(layout.fieldTypes[i] ?? 'text', field, n);
  });
  return { ...record, ...overrides };
}

function sampleValue(fieldType: string, field: string, n: number): FieldValue {
  const day = String((n % 28) + 1).padStart(2, '0');
  switch (fieldType) {
    case 'id':
      return `${Math.floor(n / 1000)}.${String(n % 1000).padStart(3, '0')}`;
    case 'int':
      return n % 97;
    case 'number':
      return n + 0.5;
    case 'money':
      return Math.round(n * 12.34) / 100;
    case 'percent':
      return (n % 50) + 0.25;
    case 'date':
      return `2026-01-${day}`;
    case 'datetime':
      return `2026-01-${day}T12:04:22`;
    case 'bool':
      return n % 2 === 0;
    default:
      return `${field} ${n}`;
  }
}

/** `count` records numbered `from`, `from + 1`, … */
export function makeRecords(type: ExportType, count: number, from = 0): ExportRecord[] {
  return Array.from({ length: count }, (_, i) => makeRecord(type, from + i));
}

function layoutOf(type: ExportType, records: number): ExportLayout {
  return { type, cycleSize: 1, columnsPerPage: [], unknownColumns: [], missingColumns: [], missingFields: [], rowsPerCycle: [records], pages: 1, cycles: 1, ghostRows: 0 };
}

/** A parser port that returns `records` (re-read at every call) as a parsed export of `type`. */
export function fakeParse(type: ExportType, records: () => readonly ExportRecord[]): ParseExportFile {
  return async () => {
    const list = records();
    return { type, layout: layoutOf(type, list.length), records: [...list] } satisfies ParsedExport;
  };
}

/** A fresh folder under the OS temp dir; `remove()` deletes it. */
export function tempDir(prefix = 'stores-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Opens a run's database under `dataDir`, as the CLI's composition root does for `applyExport`. */
export function storesIn(dataDir: string): OpenStore {
  return (database) => openRecordStore(dataDir, database);
}
