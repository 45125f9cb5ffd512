/**
 * The bookkeeping shared by every record factory: which keys and ERP ids are taken, the running
 * document-number sequences, and the dataset's "now". Generation and mutation build one context each
 * (mutation from an existing dataset) so that added records never collide with existing ones.
 */
import { recordFields, type FieldValue } from '../parsers/export-tables.js';
import type { ExportDefinition, ExportType } from '../exports/registry.js';
import type { ExportRecord } from '../parsers/types.js';
import { formatInt } from './formats.js';
import type { Random } from './random.js';

/** One generated dataset: the records of each export, in the ERP's list order. */
export type Dataset = Record<ExportType, ExportRecord[]>;

/**
 * The exports a context makes records of, given by `dataset.ts` from the registry. The exports' record
 * factories import this module, so it must not import the registry back (that would be an import loop).
 */
export interface GenerationExports {
  /** The built-in exports, in registry order. */
  readonly types: readonly ExportType[];
  definition(type: ExportType): ExportDefinition;
}

/** A value per export type. */
export function byType<T>(types: readonly ExportType[], make: (type: ExportType) => T): Record<ExportType, T> {
  const out = {} as Record<ExportType, T>;
  for (const type of types) out[type] = make(type);
  return out;
}

/** A record's key fields as one string (`productId|validFrom|quantityFrom` for prices). */
export function joinKey(key: readonly string[], record: ExportRecord): string {
  return key.map((field) => String(record[field])).join('|');
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
  /** Keys taken per export (see `joinKey`). */
  readonly keys: Record<ExportType, Set<string>>;
  /** ERP internal ids taken per export. */
  readonly erpIds: Record<ExportType, Set<string>>;
  private readonly fields: Record<ExportType, readonly string[]>;
  private readonly secondary = new Map<string, Set<string>>();
  private readonly sequences = new Map<string, number>();

  constructor(
    readonly random: Random,
    /** The dataset's present, `YYYY-MM-DDTHH:mm:ss`: nothing is created after it. */
    public now: string,
    private readonly exports: GenerationExports,
  ) {
    this.keys = byType(exports.types, () => new Set<string>());
    this.erpIds = byType(exports.types, () => new Set<string>());
    this.fields = byType(exports.types, (type) => recordFields(exports.definition(type).table));
  }

  /**
   * Builds a record holding exactly the export's record fields, in table order. Throws on a missing or
   * unknown field or an empty string, so a factory typo cannot produce ground truth the parser would
   * never emit (the parser reports empty cells as `null`).
   */
  record(type: ExportType, values: Readonly<Record<string, FieldValue>>): ExportRecord {
    const expected = this.fields[type];
    const record: ExportRecord = {};
    for (const field of expected) {
      const value = values[field];
      if (value === undefined) throw new Error(`${type} record lacks field ${field}`);
      if (value === '') throw new Error(`${type} record field ${field} is an empty string (use null)`);
      record[field] = value;
    }
    for (const field of Object.keys(values)) {
      if (!expected.includes(field)) throw new Error(`${type} record has unknown field ${field}`);
    }
    return record;
  }

  /**
   * The secondary codes of one kind taken so far (customer account numbers, article codes): unique like
   * keys, but not part of one. The export's hooks name and fill them (`DatasetHooks.register`).
   */
  codes(kind: string): Set<string> {
    let taken = this.secondary.get(kind);
    if (!taken) {
      taken = new Set<string>();
      this.secondary.set(kind, taken);
    }
    return taken;
  }

  /** Records a record's key, its ERP id and the secondary codes its export's hooks name. */
  register(type: ExportType, record: ExportRecord): void {
    const definition = this.exports.definition(type);
    this.keys[type].add(joinKey(definition.table.key, record));
    const erpId = textOf(record, 'erpId');
    if (erpId) {
      this.erpIds[type].add(erpId);
      this.bump(`erp:${type}`, Number(erpId.replace(/\./g, '')));
    }
    definition.simulator?.dataset?.register?.(this, record);
    for (const field of ['orderNumber', 'ddtNumber', 'invoiceNumber']) {
      const number = textOf(record, field);
      const match = number ? /^([A-Z0-9]+)\/(\d{2})(\d{6})$/.exec(number) : null;
      if (match) this.bump(`${match[1]}/${match[2]}`, Number(match[3]));
    }
  }

  /** Registers every record of a dataset (mutation starts from an existing one). */
  registerDataset(dataset: Dataset): void {
    for (const type of this.exports.types) for (const record of dataset[type]) this.register(type, record);
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
