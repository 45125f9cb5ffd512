import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run(process.execPath, ['bin/sync-orchestrator.js', ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe('sync-orchestrator parse --format summary', () => {
  it('names the layout drift an import would report, or none', async () => {
    const drifted = await cli(['parse', 'fixtures/variants/orders-renamed-reference.pdf', '--format', 'summary']);
    expect(drifted.code).toBe(0);
    expect(drifted.stdout).toContain('layout drift: no column for customerReference (stored values kept); unknown columns: RIF. CLIENTE\n');
    expect((await cli(['parse', 'fixtures/exports/invoices.pdf', '--format', 'summary'])).stdout).toContain('layout drift: none\n');
  });
});

describe('sync-orchestrator import', () => {
  it('detects the type, applies the export and reports its stats; the second import changes nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cli-import-'));
    const first = await cli(['import', 'fixtures/exports/invoices.pdf', '--account', 'agent1', '--data-dir', dataDir]);
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout) as { type: string; account: string; stats: { parsed: number; inserted: number; unchanged: number } };
    expect(a).toMatchObject({ type: 'invoices', account: 'agent1' });
    expect(a.stats.inserted).toBe(a.stats.parsed);
    const second = JSON.parse((await cli(['import', 'fixtures/exports/invoices.pdf', '--account', 'agent1', '--data-dir', dataDir])).stdout) as typeof a;
    expect(second.stats).toMatchObject({ parsed: a.stats.parsed, inserted: 0, unchanged: a.stats.parsed });
  });

  it('keeps stored values of a column the export lacks and prints the layout drift with the stats', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cli-import-'));
    expect((await cli(['import', 'fixtures/exports/orders.pdf', '--data-dir', dataDir])).code).toBe(0);
    const drifted = await cli(['import', 'fixtures/variants/orders-renamed-reference.pdf', '--data-dir', dataDir]);
    expect(drifted.code).toBe(0);
    expect((JSON.parse(drifted.stdout) as { stats: unknown }).stats).toMatchObject({
      parsed: 60,
      updated: 0,
      unchanged: 60,
      layoutDrift: { missingFields: ['customerReference'], unknownColumns: ['RIF. CLIENTE'] },
    });
  });

  it('exits with 2 and writes nothing for an invalid export', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cli-import-'));
    const { code, stderr } = await cli(['import', 'fixtures/variants/orders-misaligned.pdf', '--type', 'orders', '--data-dir', dataDir]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^orders export: cycle 2 .* is misaligned/);
  });

  it('rejects an unknown --type with a usage message', async () => {
    const { code, stderr } = await cli(['parse', 'fixtures/exports/orders.pdf', '--type', 'ordini']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--type must be auto or one of customers, products, prices, orders, ddt, invoices; got "ordini"/);
  });
});
