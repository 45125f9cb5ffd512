import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HASH_SCHEMA, hashRecord } from '../../src/sync/record-hash.js';

const fields = ['a', 'b'];

describe('hashRecord', () => {
  it('is SHA-256 of the schema version, each field as JSON and extra, joined by \\x1f', () => {
    const expected = createHash('sha256').update(`${HASH_SCHEMA}\x1f"x"\x1f1.5\x1f{"k":"v"}`).digest('hex');
    expect(hashRecord(fields, { a: 'x', b: 1.5, extra: { k: 'v' } })).toBe(expected);
  });

  it('does not depend on the order of keys in the record or in extra', () => {
    expect(hashRecord(fields, { b: 2, a: 'x', extra: { p: '1', q: '2' } })).toBe(hashRecord(fields, { a: 'x', b: 2, extra: { q: '2', p: '1' } }));
  });

  it('treats an absent field as null and an empty extra as no extra', () => {
    expect(hashRecord(fields, { a: 'x' })).toBe(hashRecord(fields, { a: 'x', b: null, extra: {} }));
  });

  it('tells values of different types apart', () => {
    const hashes = new Set(['1', 1, true, null].map((b) => hashRecord(fields, { a: 'x', b })));
    expect(hashes.size).toBe(4);
  });

  it('cannot be fooled by a separator inside a value', () => {
    expect(hashRecord(fields, { a: 'x\x1fy', b: 'z' })).not.toBe(hashRecord(fields, { a: 'x', b: 'y\x1fz' }));
  });

  it('changes for every record when a field is added to the table', () => {
    expect(hashRecord([...fields, 'c'], { a: 'x', b: 1 })).not.toBe(hashRecord(fields, { a: 'x', b: 1 }));
  });

  it('covers extra', () => {
    expect(hashRecord(fields, { a: 'x', extra: { k: 'v' } })).not.toBe(hashRecord(fields, { a: 'x', extra: { k: 'w' } }));
  });
});
