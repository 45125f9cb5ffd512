import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseExportFile } from '../../src/parsers/parse-export.js';
import { readExport } from '../../src/parsers/read-export.js';
import type { ExportType } from '../../src/parsers/export-tables.js';
import { ExportInvalidError, type ExportRecord } from '../../src/parsers/types.js';

const run = promisify(execFile);
const VARIANTS = 'fixtures/variants';
const EXPORTS = 'fixtures/exports';

interface GroundTruth {
  type: string;
  variant: string;
  cycleSize: number;
  pages: number;
  /** Set on fixtures that must be rejected (truncated, misaligned, missing a required column). */
  fault?: string;
  records: ExportRecord[];
}

const truth = (pdf: string): GroundTruth => JSON.parse(readFileSync(pdf.replace(/\.pdf$/, '.json'), 'utf8')) as GroundTruth;

/** Every committed fixture whose ground truth lists the records a parser must reproduce. */
const readable = [
  ...readdirSync(VARIANTS).map((f) => join(VARIANTS, f)),
  ...readdirSync(EXPORTS).map((f) => join(EXPORTS, f)),
].filter((f) => f.endsWith('.pdf') && existsSync(f.replace(/\.pdf$/, '.json')) && !truth(f).fault);

/** Fixtures rendered with a fault: each must be rejected. */
const faulty = readdirSync(VARIANTS)
  .map((f) => join(VARIANTS, f))
  .filter((f) => f.endsWith('.pdf') && existsSync(f.replace(/\.pdf$/, '.json')) && truth(f).fault);

describe('every export layout reproduces its generated dataset field for field', () => {
  it('has fixtures for every export and layout variant', () => {
    const names = readable.map((f) => f.split('/').pop());
    for (const v of ['customers-8p', 'customers-9p', 'products-5p', 'products-8p', 'products-9p', 'ddt-6p', 'ddt-7p', 'orders-7p', 'invoices-7p', 'invoices-with-order-number', 'prices-3p', 'orders-extra-column', 'orders-empty', 'orders-ghost-rows']) {
      expect(names).toContain(`${v}.pdf`);
    }
  });

  it.each(readable)('%s', async (file) => {
    const expected = truth(file);
    const parsed = await parseExportFile(file, { type: null });
    expect(parsed.type).toBe(expected.type);
    if (expected.records.length > 0) expect(parsed.layout.cycleSize).toBe(expected.cycleSize);
    expect(parsed.records.length).toBe(expected.records.length);
    parsed.records.forEach((record, i) => expect(record, `record ${i}`).toEqual(expected.records[i]));
  });
});

describe('layout report', () => {
  it('reports cycle size, columns per page and rows per cycle', async () => {
    const parsed = await parseExportFile(join(VARIANTS, 'ddt-7p.pdf'), { type: 'ddt' });
    expect(parsed.layout.cycleSize).toBe(7);
    expect(parsed.layout.columnsPerPage).toHaveLength(7);
    expect(parsed.layout.columnsPerPage.flat()).toContain('DOCUMENTO DI TRASPORTO');
    expect(parsed.layout.rowsPerCycle.reduce((a, b) => a + b, 0)).toBe(parsed.records.length);
    expect(parsed.layout.cycles).toBe(parsed.layout.rowsPerCycle.length);
    expect(parsed.layout.pages).toBe(parsed.layout.cycles * 7);
  });

  it('keeps an unknown column in extra and reports it once', async () => {
    const parsed = await parseExportFile(join(VARIANTS, 'orders-extra-column.pdf'), { type: 'orders' });
    expect(parsed.layout.unknownColumns).toEqual(['NOTE INTERNE']);
    expect(parsed.records.some((r) => r.extra && typeof r.extra['NOTE INTERNE'] === 'string' && r.extra['NOTE INTERNE'] !== '')).toBe(true);
  });

  it('drops ghost rows and counts them', async () => {
    const parsed = await parseExportFile(join(VARIANTS, 'orders-ghost-rows.pdf'), { type: 'orders' });
    expect(parsed.layout.ghostRows).toBeGreaterThan(0);
    expect(parsed.records.every((r) => r.erpId !== null && r.erpId !== '0')).toBe(true);
  });

  it('reads an empty export as zero records', async () => {
    const parsed = await parseExportFile(join(VARIANTS, 'orders-empty.pdf'), { type: 'orders' });
    expect(parsed.records).toEqual([]);
  });

  it('reports progress up to the last page', async () => {
    const seen: number[] = [];
    const parsed = await parseExportFile(join(VARIANTS, 'orders-7p.pdf'), { onProgress: (p) => seen.push(p.pagesDone) });
    expect(seen.at(-1)).toBe(parsed.layout.pages);
  });
});

describe('fail closed: an export that cannot be trusted yields an error and no records', () => {
  const rejects = async (file: string, type: ExportType | null, message: RegExp): Promise<void> => {
    const err = await parseExportFile(file, { type }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExportInvalidError);
    expect((err as Error).message).toMatch(message);
  };

  it('covers every faulty fixture', () => {
    expect(faulty.map((f) => f.split('/').pop()).sort()).toEqual(['orders-misaligned.pdf', 'orders-missing-required.pdf', 'orders-truncated.pdf']);
  });

  it('names a missing required column', async () => {
    await rejects(join(VARIANTS, 'orders-missing-required.pdf'), 'orders', /^orders export: required column "ID DI VENDITA" not found on page 1 of cycle 1/);
  });

  it('refuses a truncated file', async () => {
    await rejects(join(VARIANTS, 'orders-truncated.pdf'), 'orders', /truncated PDF/);
  });

  it('refuses a cycle whose pages disagree on their row count', async () => {
    await rejects(join(VARIANTS, 'orders-misaligned.pdf'), 'orders', /misaligned/);
  });

  it('refuses a file that is not a PDF', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'parse-')), 'Ordini.pdf');
    writeFileSync(file, '<html><body>Sessione scaduta</body></html>');
    await rejects(file, 'orders', /not a PDF file/);
  });

  it('refuses an export of another type than expected', async () => {
    await rejects(join(VARIANTS, 'ddt-6p.pdf'), 'orders', /orders export expected, but page 1 is the first page of a ddt export/);
  });
});

describe('sync-orchestrator parse', () => {
  const cli = (args: string[]) => run(process.execPath, ['bin/sync-orchestrator.js', 'parse', ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

  it('prints one JSON record per line and nothing else', async () => {
    const file = join(VARIANTS, 'invoices-7p.pdf');
    const { code, stdout } = await cli([file, '--type', 'auto', '--format', 'jsonl']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(truth(file).records);
  });

  it('prints a summary of type, layout and counts', async () => {
    const { code, stdout } = await cli([join(VARIANTS, 'customers-9p.pdf'), '--format', 'summary']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^type: customers$/m);
    expect(stdout).toMatch(/cycles of 9 pages/);
  });

  it('exits with 2 and one line on stderr for an invalid export', async () => {
    const { code, stdout, stderr } = await cli([join(VARIANTS, 'orders-truncated.pdf')]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/truncated PDF/);
  });
});

describe('long exports', () => {
  it('reads the same records when pdf.js is reopened every few pages to keep memory flat', async () => {
    const file = join(VARIANTS, 'prices-row-per-cycle.pdf');
    let reopenedAt: number[] = [];
    const collect = async (reopenEvery: number): Promise<ExportRecord[]> => {
      const records: ExportRecord[] = [];
      let pagesDone = 0;
      reopenedAt = [];
      await readExport(file, 'prices', { onRecords: (rs) => records.push(...rs), onProgress: (p) => (pagesDone = p.pagesDone), onReopen: () => reopenedAt.push(pagesDone) }, reopenEvery);
      return records;
    };
    const reopened = await collect(5);
    expect(reopened).toEqual(truth(file).records);
    // The sink hears of each reopening (the parse worker collects garbage then), never after the last page.
    const pages = truth(file).pages;
    expect(reopenedAt).toEqual(Array.from({ length: Math.ceil(pages / 5) - 1 }, (_, i) => (i + 1) * 5));
    expect(reopened).toEqual(await collect(1000));
    expect(reopenedAt).toEqual([]);
  });
});
