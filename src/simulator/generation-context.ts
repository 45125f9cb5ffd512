/**
 * The bookkeeping shared by every record factory: which keys and ERP ids are taken, the running
 * document-number sequences, and the dataset's "now". Generation and mutation build one context each
 * (mutation from an existing dataset) so that added records never collide with existing ones.
 */
import { recordFields, type FieldValue } from '../parsers/export-tables.js';
import { EXPORT_TYPES, type ExportType, exportTable } from '../exports/registry.js';
import type { ExportRecord } from '../parsers/types.js';
import { formatInt } from './formats.js';
import type { Random } from './random.js';

/** One generated dataset: the records of each export, in the ERP's list order. */
export type Dataset = Record<ExportType, ExportRecord[]>;

/** A value per export type. */
export function byType<T>(make: (type: ExportType) => T): Record<ExportType, T> {
  const out = {} as Record<ExportType, T>;
  for (const type of EXPORT_TYPES) out[type] = make(type);
  return out;
}

const FIELDS: Readonly<Record<ExportType, readonly string[]>> = byType((type) => recordFields(exportTable(type)));

/**
 * Builds a record holding exactly the export's record fields, in table order. Throws on a missing or
 * unknown field or an empty string, so a factory typo cannot produce ground truth the parser would never
 * emit (the parser reports empty cells as `null`).
 */
export function makeRecord(type: ExportType, values: Readonly<Record<string, FieldValue>>): ExportRecord {
  const fields = FIELDS[type];
  const record: ExportRecord = {};
  for (const field of fields) {
    const value = values[field];
    if (value === undefined) throw new Error(`${type} record lacks field ${field}`);
    if (value === '') throw new Error(`${type} record field ${field} is an empty string (use null)`);
    record[field] = value;
  }
  for (const field of Object.keys(values)) {
    if (!fields.includes(field)) throw new Error(`${type} record has unknown field ${field}`);
  }
  return record;
}

/** The key of a record as one string (`productId|validFrom|quantityFrom` for prices). */
export function recordKey(type: ExportType, record: ExportRecord): string {
  return exportTable(type).key.map((field) => String(record[field])).join('|');
}

/** A text field of a record, or null. */
export function textOf(record: ExportRecord, field: string): string | null {
  const value = record[field];
  return typeof value === 'string' ? value : null;
}

/** A numeric field of a record, or null. */
export function numberOf(record: ExportRecord, field: string): number | null {
  const value = record[field];
  return typeof value === 'number' ? value : null;
}

/** Rounds money to cents (money never carries more than 2 decimals). */
export function round2(value: number): number {
  const rounded = Math.round(value * 100) / 100;
  return rounded === 0 ? 0 : rounded;
}

/** Key sets, id sets and sequences of one generation run. */
export class GenerationContext {
  /** Keys taken per export (see `recordKey`). */
  readonly keys: Record<ExportType, Set<string>> = byType(() => new Set<string>());
  /** ERP internal ids taken per export. */
  readonly erpIds: Record<ExportType, Set<string>> = byType(() => new Set<string>());
  /** Article codes taken (one article, several product ids). */
  readonly articleCodes = new Set<string>();
  /** 6-digit product id bases taken (`016869` of `016869K2`). */
  readonly productBases = new Set<string>();
  /** Customer account numbers taken. */
  readonly accountNumbers = new Set<string>();
  private readonly sequences = new Map<string, number>();

  constructor(
    readonly random: Random,
    /** The dataset's present, `YYYY-MM-DDTHH:mm:ss`: nothing is created after it. */
    public now: string,
  ) {}

  /** Records a record's key and ERP id (and for customers and products, their secondary codes). */
  register(type: ExportType, record: ExportRecord): void {
    this.keys[type].add(recordKey(type, record));
    const erpId = textOf(record, 'erpId');
    if (erpId) {
      this.erpIds[type].add(erpId);
      this.bump(`erp:${type}`, Number(erpId.replace(/\./g, '')));
    }
    if (type === 'customers') this.accountNumbers.add(String(record.accountNumber));
    if (type === 'products') {
      this.articleCodes.add(String(record.articleCode));
      this.productBases.add(String(record.productId).slice(0, 6));
    }
    for (const field of ['orderNumber', 'ddtNumber', 'invoiceNumber']) {
      const number = textOf(record, field);
      const match = number ? /^([A-Z0-9]+)\/(\d{2})(\d{6})$/.exec(number) : null;
      if (match) this.bump(`${match[1]}/${match[2]}`, Number(match[3]));
    }
  }

  /** Registers every record of a dataset (mutation starts from an existing one). */
  registerDataset(dataset: Dataset): void {
    for (const type of EXPORT_TYPES) for (const record of dataset[type]) this.register(type, record);
  }

  /**
   * The next document number of a series, `PREFIX/yyNNNNNN` (`ORD/26000887`): a per-year sequence that
   * advances by 1..`maxStep` because the other agents' documents share the series.
   */
  nextDocumentNumber(prefix: string, date: string, maxStep: number): string {
    const series = `${prefix}/${date.slice(2, 4)}`;
    const start = this.sequences.get(series) ?? this.random.int(0, 40);
    const next = start + this.random.int(1, maxStep);
    this.sequences.set(series, next);
    return `${series}${String(next).padStart(6, '0')}`;
  }

  /** The next ERP id of a document export, increasing with creation time (`70.962`). */
  nextSequentialErpId(type: ExportType, base: number, maxStep: number): string {
    const counter = `erp:${type}`;
    const next = (this.sequences.get(counter) ?? base) + this.random.int(1, maxStep);
    this.sequences.set(counter, next);
    const id = formatInt(next);
    this.erpIds[type].add(id);
    return id;
  }

  /** An unused random ERP id of a master-data export: mostly 5 digits (`55.220`), some 4 (`9.999`) or 3 (`999`). */
  randomErpId(type: ExportType): string {
    for (;;) {
      const digits = this.random.weighted([[5, 80], [4, 15], [3, 5]] as const);
      const value = this.random.int(10 ** (digits - 1), 10 ** digits - 1);
      const id = formatInt(value);
      if (!this.erpIds[type].has(id)) {
        this.erpIds[type].add(id);
        return id;
      }
    }
  }

  private bump(series: string, value: number): void {
    if (value > (this.sequences.get(series) ?? -1)) this.sequences.set(series, value);
  }
}
