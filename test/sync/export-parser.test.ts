import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExportInvalidError } from '../../src/parsers/types.js';
import { applyExport } from '../../src/sync/apply-export.js';
import { storesIn, tempDir } from '../support/export-records.js';

describe('applyExport with the default parser', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('apply-parser-');
  });
  afterEach(() => dir.remove());

  it('rejects a file that is not a PDF as export-invalid and creates no database', async () => {
    const file = join(dir.path, 'Ordini.pdf');
    writeFileSync(file, 'not a pdf at all');
    const failure = applyExport(file, { type: 'orders', account: 'default', openStore: storesIn(dir.path) });
    await expect(failure).rejects.toBeInstanceOf(ExportInvalidError);
    expect(existsSync(join(dir.path, 'orders.db'))).toBe(false);
  });
});
