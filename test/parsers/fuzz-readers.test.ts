import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExportType } from '../../src/exports/registry.js';
import { detectExportType, readExport } from '../../src/parsers/read-export.js';
import { ExportInvalidError, type ExportRecord } from '../../src/parsers/types.js';
import { createRandom } from '../../src/simulator/random.js';
import { changeCellDigit, cutPage, duplicatePage, flipBytes, truncate, type Mutation } from '../support/pdf-mutations.js';

/**
 * Fuzzing the readers: random mutations of the valid fixture PDFs (bits flipped, the file cut short,
 * a page cut or repeated, a digit of a data cell changed). Whatever the damage, reading the file ends in
 * exactly the ground truth or an `ExportInvalidError` — never another error, never records shifted
 * against each other. A changed digit may legitimately change the value of that one cell (nothing in the
 * file says it is wrong), but never any other field or record. Bounded: a fixed seed and a fixed number
 * of cases; the ground truth is read from the fixtures' JSON, whatever generated them.
 */

const SEED = 'fuzz-readers-1';
/** Cases per mutation kind: ~40 reads of 6–36-page files, a few seconds. */
const CASES_PER_KIND = 8;

interface GroundTruth {
  type: ExportType;
  fault?: string;
  records: ExportRecord[];
}

const fixtures = ['fixtures/exports', 'fixtures/variants']
  .flatMap((dir) => readdirSync(dir).map((f) => join(dir, f)))
  .filter((f) => f.endsWith('.pdf'))
  .map((pdf) => ({ pdf, truth: JSON.parse(readFileSync(pdf.replace(/\.pdf$/, '.json'), 'utf8')) as GroundTruth }))
  .filter((f) => !f.truth.fault)
  .sort((a, b) => a.pdf.localeCompare(b.pdf));

const MUTATORS: ((bytes: Uint8Array, random: ReturnType<typeof createRandom>) => Mutation | null)[] = [
  flipBytes,
  truncate,
  cutPage,
  duplicatePage,
  changeCellDigit,
];

interface FuzzCase {
  name: string;
  fixture: (typeof fixtures)[number];
  mutation: Mutation;
}

function makeCases(): FuzzCase[] {
  const random = createRandom(SEED);
  const cases: FuzzCase[] = [];
  for (const mutate of MUTATORS) {
    for (let made = 0, tries = 0; made < CASES_PER_KIND && tries < CASES_PER_KIND * 10; tries++) {
      const fixture = random.pick(fixtures);
      const mutation = mutate(new Uint8Array(readFileSync(fixture.pdf)), random);
      if (!mutation) continue;
      cases.push({ name: `${fixture.pdf}: ${mutation.kind}, ${mutation.description}`, fixture, mutation });
      made++;
    }
  }
  return cases;
}

const dir = mkdtempSync(join(tmpdir(), 'fuzz-readers-'));
const cases = makeCases();
const outcomes = new Map<string, number>();
const count = (outcome: string): void => void outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);

async function read(file: string, type: ExportType): Promise<ExportRecord[] | ExportInvalidError> {
  const records: ExportRecord[] = [];
  try {
    await readExport(file, type, { onRecords: (rs) => records.push(...rs) });
    return records;
  } catch (err) {
    if (err instanceof ExportInvalidError) return err;
    throw err;
  }
}

/** Field names whose values differ between two records. */
function differingFields(a: ExportRecord, b: ExportRecord): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

describe('fuzzing the readers with mutated fixture PDFs', () => {
  it('refuses a page whose compressed content stream was damaged (pdf.js would read it half)', async () => {
    const pdf = 'fixtures/exports/orders.pdf';
    const bytes = new Uint8Array(readFileSync(pdf));
    const text = Buffer.from(bytes).toString('latin1');
    // The middle of the first page's content stream: the first `stream` after the first `/Contents` object.
    const start = text.indexOf('stream', text.indexOf('/FlateDecode')) + 'stream\n'.length;
    const end = text.indexOf('endstream', start);
    bytes[Math.floor((start + end) / 2)]! ^= 0x10;
    const file = join(dir, 'damaged-stream.pdf');
    writeFileSync(file, bytes);
    const result = await read(file, 'orders');
    expect(result).toBeInstanceOf(ExportInvalidError);
    expect((result as Error).message).toMatch(/^orders export: damaged PDF: the compressed stream of object \d+ 0 is damaged/);
  });

  it('made cases of every kind', () => {
    expect(new Set(cases.map((c) => c.mutation.kind)).size).toBe(MUTATORS.length);
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', async (_name, i) => {
    const { fixture, mutation } = cases[i]!;
    const file = join(dir, `case-${i}.pdf`);
    writeFileSync(file, mutation.bytes);

    const detected = await detectExportType(file).catch((err: unknown) => {
      if (err instanceof ExportInvalidError) return err;
      throw err;
    });
    if (!(detected instanceof ExportInvalidError)) expect(detected).toBe(fixture.truth.type);

    const result = await read(file, fixture.truth.type);
    if (result instanceof ExportInvalidError) {
      count('export-invalid');
      return;
    }
    const truth = fixture.truth.records;
    if (mutation.kind !== 'cell-text') {
      expect(result).toEqual(truth);
      count('ground truth');
      return;
    }
    expect(result).toHaveLength(truth.length);
    const changed = result.map((r, k) => ({ k, fields: differingFields(r, truth[k]!) })).filter((d) => d.fields.length > 0);
    expect(changed.length, JSON.stringify(changed)).toBeLessThanOrEqual(1);
    expect(changed[0]?.fields.length ?? 0, JSON.stringify(changed)).toBeLessThanOrEqual(1);
    count(changed.length === 0 ? 'ground truth' : 'one cell changed');
  });

  it('is not vacuous: the mutations both broke files and left some readable', () => {
    expect(outcomes.get('export-invalid') ?? 0).toBeGreaterThan(0);
    expect((outcomes.get('ground truth') ?? 0) + (outcomes.get('one cell changed') ?? 0)).toBeGreaterThan(0);
  });
});
