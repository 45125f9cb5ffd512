import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { FieldType } from '../parsers/export-tables.js';
import { ExportInvalidError, type ExportRecord } from '../parsers/types.js';
import { encodeKey, type TableLayout } from '../stores/record-columns.js';
import { hashValues } from './record-hash.js';

/**
 * Longest stretch of validation between two yields to the event loop, ms. A budget of time rather than a
 * count of records: records fresh from the parser's worker cost two to three times as much on their first
 * reading as on later ones, so a fixed count would hold the loop for very different times.
 */
const SLICE_MS = 8;
/** Records between two looks at the clock. */
const CLOCK_EVERY = 64;

const expectedKind: Record<FieldType, 'string' | 'number' | 'integer' | 'boolean'> = {
  text: 'string',
  id: 'string',
  date: 'string',
  datetime: 'string',
  tracking: 'string',
  int: 'integer',
  number: 'number',
  money: 'number',
  percent: 'number',
  bool: 'boolean',
};

/** The records of an export that passed validation, with what the apply loop needs of each. */
export interface CheckedRecords {
  /** Each record's key (`encodeKey`), at the record's index. */
  readonly keys: string[];
  /** Each record's content hash (`hashRecord`), at the record's index. */
  readonly hashes: string[];
  /** The distinct keys of the export. */
  readonly distinctKeys: Set<string>;
  /** 1 at the index of a record whose key an earlier record of the export holds too, else 0. */
  readonly repeated: Uint8Array;
}

/**
 * Checks parsed records against their table before anything is written, and returns their keys and
 * hashes. A record with an empty key, a field of the wrong type or a field the table does not know would
 * be stored wrongly or silently dropped; such an export is not trusted (fail closed, nothing written).
 * Each field is read once per run: checked, then handed to `hashValues`.
 *
 * @throws ExportInvalidError (as a rejection) naming the first offending record (1-based) and field.
 */
export async function validateRecords(layout: TableLayout, records: readonly ExportRecord[]): Promise<CheckedRecords> {
  const known = new Set([...layout.fields, 'extra']);
  const kinds = layout.fieldTypes.map((t) => expectedKind[t]);
  const keys = new Array<string>(records.length);
  const hashes = new Array<string>(records.length);
  const distinctKeys = new Set<string>();
  const repeated = new Uint8Array(records.length);
  // Plain loops: this runs over every record of a run before the first write; it yields to the event
  // loop every SLICE_MS so that 50,000 records do not hold it for a quarter of a second.
  const values = new Array<unknown>(layout.fields.length);
  let sliceStart = performance.now();
  for (let r = 0; r < records.length; r++) {
    if (r % CLOCK_EVERY === CLOCK_EVERY - 1 && performance.now() - sliceStart >= SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
    const record = records[r]!;
    for (const name in record) {
      if (!known.has(name)) throw new ExportInvalidError(`${layout.type} record ${r + 1}: unknown field ${name}`);
    }
    for (let i = 0; i < layout.fields.length; i++) {
      const value = record[layout.fields[i]!];
      if (value !== undefined && value !== null && !hasKind(value, kinds[i]!)) {
        throw new ExportInvalidError(`${layout.type} record ${r + 1}: field ${layout.fields[i]} should be ${kinds[i]}, got ${JSON.stringify(value)}`);
      }
      values[i] = value;
    }
    const hash = hashValues(values);
    if (record.extra !== undefined && (typeof record.extra !== 'object' || record.extra === null)) {
      throw new ExportInvalidError(`${layout.type} record ${r + 1}: extra should be an object`);
    }
    const key = layout.keyFields.map((field) => record[field]);
    if (key.some((v) => v === undefined || v === null || v === '')) {
      throw new ExportInvalidError(`${layout.type} record ${r + 1}: empty key (${layout.keyFields.join(', ')})`);
    }
    const encoded = encodeKey(key as (string | number)[]);
    keys[r] = encoded;
    if (distinctKeys.has(encoded)) repeated[r] = 1;
    else distinctKeys.add(encoded);
    hashes[r] = hash;
  }
  return { keys, hashes, distinctKeys, repeated };
}

function hasKind(value: unknown, kind: 'string' | 'number' | 'integer' | 'boolean'): boolean {
  if (kind === 'integer') return Number.isInteger(value);
  if (kind === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === kind;
}
