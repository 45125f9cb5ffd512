import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EXPORT_TYPES } from '../../src/exports/registry.js';
import type { ExportRecord } from '../../src/parsers/types.js';
import { tableLayout } from '../../src/stores/record-columns.js';
import { HASH_SCHEMA, hashRecord } from '../../src/sync/record-hash.js';
import { validateRecords } from '../../src/sync/validate-records.js';
import { makeRecords } from '../support/export-records.js';

const fields = ['a', 'b'];

describe('hashRecord', () => {
  it('is SHA-256 of the schema version and each field tagged by its type, joined by \\x1f', () => {
    const sha = (input: string): string => createHash('sha256').update(input).digest('hex');
    expect(HASH_SCHEMA).toBe('h3');
    expect(hashRecord(fields, { a: 'x', b: 1.5 })).toBe(sha('h3\x1fsx\x1fn1.5'));
    expect(hashRecord(['a', 'b', 'c', 'd'], { a: true, b: false, c: null })).toBe(sha('h3\x1ft\x1ff\x1f-\x1f-'));
    expect(hashRecord(fields, { a: 'x\x1fy' })).toBe(sha('h3\x1fj"x\\u001fy"\x1f-'));
  });

  it('does not depend on the order of keys in the record', () => {
    expect(hashRecord(fields, { b: 2, a: 'x' })).toBe(hashRecord(fields, { a: 'x', b: 2 }));
  });

  it('treats an absent field as null', () => {
    expect(hashRecord(fields, { a: 'x' })).toBe(hashRecord(fields, { a: 'x', b: null }));
  });

  it('tells values of different types apart', () => {
    const values = ['1', 1, true, 'true', 't', null, 'null', '-', '', 'n1', 's', 'j"x"', 'x'];
    const hashes = new Set(values.map((b) => hashRecord(fields, { a: 'x', b })));
    expect(hashes.size).toBe(values.length);
  });

  it('cannot be fooled by a separator inside a value', () => {
    expect(hashRecord(fields, { a: 'x\x1fy', b: 'z' })).not.toBe(hashRecord(fields, { a: 'x', b: 'y\x1fz' }));
    expect(hashRecord(fields, { a: 'x\x1fsy' })).not.toBe(hashRecord(fields, { a: 'x', b: 'y' }));
  });

  it('changes for every record when a field is added to the table', () => {
    expect(hashRecord([...fields, 'c'], { a: 'x', b: 1 })).not.toBe(hashRecord(fields, { a: 'x', b: 1 }));
  });

  it('leaves extra out: a renamed column lands there, and a layout change is not a data change', () => {
    expect(hashRecord(fields, { a: 'x', extra: { k: 'v' } })).toBe(hashRecord(fields, { a: 'x', extra: { k: 'w' } }));
    expect(hashRecord(fields, { a: 'x', extra: { k: 'v' } })).toBe(hashRecord(fields, { a: 'x' }));
  });
});

describe('validateRecords', () => {
  it.each(EXPORT_TYPES)('returns, for every %s record, the key and the hash that hashRecord gives it', async (type) => {
    const layout = tableLayout(type);
    const records: ExportRecord[] = makeRecords(type, 50).map((r, n) => (n % 7 === 0 ? { ...r, extra: { 'NUOVA COLONNA': `v${n}` } } : r));
    const { keys, hashes } = await validateRecords(layout, records);
    expect(hashes).toEqual(records.map((r) => hashRecord(layout.fields, r)));
    expect(new Set(hashes).size).toBe(records.length);
    expect(keys).toEqual(records.map((r) => JSON.stringify(layout.keyFields.map((f) => r[f]))));
  });

  it('lets the event loop run while it works through a large export', async () => {
    const records = makeRecords('orders', 20_000);
    let turns = 0;
    let done = false;
    const spin = (): void => {
      turns++;
      if (!done) setImmediate(spin);
    };
    setImmediate(spin);
    const { keys } = await validateRecords(tableLayout('orders'), records);
    done = true;
    expect(keys).toHaveLength(20_000);
    // 20,000 records take far longer than one slice of validation on any machine.
    expect(turns).toBeGreaterThan(1);
  });
});
