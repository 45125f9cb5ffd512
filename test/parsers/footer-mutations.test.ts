import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ExportInvalidError } from '../../src/parsers/types.js';
import { generateDataset } from '../../src/simulator/dataset.js';
import { FOOTER_FORMS, SMALL_DATASET, VARIANT_FIXTURES, fixtureRecords } from '../../src/simulator/fixtures.js';
import { renderExportToFile, type ExportCut } from '../../src/simulator/render-export.js';
import { databaseOf } from '../../src/exports/registry.js';
import { applyExport } from '../../src/sync/apply-export.js';
import { storesIn } from '../support/export-records.js';

/**
 * Mutation test of the footer rule (ERP-EXPORTS §1): every footer form, cut short in each way a file can
 * end early while staying a whole PDF, is refused with its one-line reason, and the database it is
 * applied to does not change. The cut files are rendered by the generator with the cut applied.
 */

const dataset = generateDataset(SMALL_DATASET);

/** Why each cut must be refused: the footer is missing, or the last cycle lacks a page. */
const REASON: Readonly<Record<ExportCut, (type: string) => RegExp>> = {
  'last-cycle': (type) => new RegExp(`^${type} export: the last cycle \\d+ \\(pages \\d+–\\d+\\) ends without the summary footer \\(its Count=/Sum= row\\): the export is truncated$`),
  'footer-row': (type) => new RegExp(`^${type} export: the last cycle \\d+ \\(pages \\d+–\\d+\\) ends without the summary footer \\(its Count=/Sum= row\\): the export is truncated$`),
  'last-page': (type) => new RegExp(`^${type} export: cycle \\d+ \\(pages \\d+–\\d+\\) has (\\d+) pages, cycle 1 had \\d+: a page is missing or the layout changed$`),
};

/** Every row of every table of a database file, as one comparable value. */
function dump(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}"`).all()]));
  } finally {
    db.close();
  }
}

describe('an export cut short is refused and writes nothing', () => {
  it('covers a footer form of every kind', () => {
    expect(FOOTER_FORMS).toHaveLength(7);
    for (const name of FOOTER_FORMS) expect(VARIANT_FIXTURES.find((s) => s.name === name)?.fault, name).toBeUndefined();
  });

  describe.each(FOOTER_FORMS)('%s', (name) => {
    const spec = VARIANT_FIXTURES.find((s) => s.name === name)!;
    const dir = mkdtempSync(join(tmpdir(), `footer-${name}-`));
    const dataDir = join(dir, 'data');
    const database = join(dataDir, databaseOf(spec.type).file);
    const records = fixtureRecords(spec, dataset);
    const render = (file: string, cut?: ExportCut, from = records) =>
      renderExportToFile(file, spec.type, from, { ...spec.render, variant: spec.variant, ...(cut ? { cut } : {}) });

    // The database holds every record but the first: a cut file (whose first cycle is always there)
    // that were wrongly accepted would insert it, so "unchanged" proves that nothing was written.
    it('whole, it applies with its footer checked', async () => {
      const file = join(dir, 'whole.pdf');
      await render(file, undefined, records.slice(1));
      const result = await applyExport(file, { type: spec.type, account: 'agent1', openStore: storesIn(dataDir) });
      expect(result.outcome).toBe('completed');
      expect(result.stats.inserted).toBe(result.stats.parsed);
      expect(result.stats.footer).toMatch(/^footer on file page/);
      expect(result.stats.footer).not.toMatch(/unchecked: (?!text column|only Count and Sum)/);
    });

    it.each(['last-cycle', 'last-page', 'footer-row'] as const)('without its %s: export-invalid, database unchanged', async (cut) => {
      const file = join(dir, `cut-${cut}.pdf`);
      const summary = await render(file, cut);
      expect(summary.pages).toBeGreaterThan(0);
      const before = dump(database);
      const error = await applyExport(file, { type: spec.type, account: 'agent1', openStore: storesIn(dataDir) }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ExportInvalidError);
      expect((error as ExportInvalidError).class).toBe('export-invalid');
      expect((error as Error).message).toMatch(REASON[cut](spec.type));
      expect((error as Error).message.split('\n')).toHaveLength(1);
      expect(dump(database)).toEqual(before);
    });
  });
});
