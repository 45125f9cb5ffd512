import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { detectExportTypeOffThread, parseExportFile, parseWorkerStats } from '../../src/parsers/parse-export.js';
import { ExportInvalidError } from '../../src/parsers/types.js';

/**
 * The parse worker is kept warm between tasks (`parse-export.ts`): a parse costs no new isolate, no new
 * pdf.js load, no memory swing of a worker starting and ending. What must not change: parses side by side
 * still run side by side, a task never inherits a failed or aborted one's worker, and an idle worker never
 * keeps a process alive.
 */

const FIXTURES = new URL('../../fixtures/exports/', import.meta.url).pathname;
const ORDERS = join(FIXTURES, 'orders.pdf');
const PRICES = join(FIXTURES, 'prices.pdf');

describe('warm parse workers', () => {
  it('serves consecutive parses and a detection from one worker, with every record each time', async () => {
    const first = await parseExportFile(ORDERS, { type: 'orders' });
    const before = parseWorkerStats();
    expect(before.idle).toBe(1);
    const second = await parseExportFile(ORDERS, { type: 'orders' });
    const detected = await detectExportTypeOffThread(PRICES);
    const prices = await parseExportFile(PRICES, { type: null });
    expect(parseWorkerStats()).toMatchObject({ started: before.started, idle: 1 });
    expect(second.records).toEqual(first.records);
    expect(detected).toBe('prices');
    expect(prices.type).toBe('prices');
    expect(prices.records.length).toBeGreaterThan(0);
  });

  it('runs parses side by side as before, and keeps only one of their workers warm', async () => {
    await parseExportFile(ORDERS, { type: 'orders' });
    const before = parseWorkerStats();
    const both = await Promise.all([parseExportFile(ORDERS, { type: 'orders' }), parseExportFile(PRICES, { type: 'prices' })]);
    // One took the warm worker, the other started its own: neither waited for the other.
    expect(parseWorkerStats()).toMatchObject({ started: before.started + 1, idle: 1 });
    expect(both.map((parsed) => parsed.type)).toEqual(['orders', 'prices']);
  });

  it('never hands a failed task’s worker to the next task', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parse-worker-'));
    const junk = join(dir, 'junk.pdf');
    writeFileSync(junk, '%PDF-1.7\nnot a document\n');
    await parseExportFile(ORDERS, { type: 'orders' });
    const before = parseWorkerStats();
    await expect(parseExportFile(junk, { type: 'orders' })).rejects.toBeInstanceOf(ExportInvalidError);
    expect(parseWorkerStats()).toMatchObject({ started: before.started, idle: 0 });
    const after = await parseExportFile(ORDERS, { type: 'orders' });
    expect(parseWorkerStats()).toMatchObject({ started: before.started + 1, idle: 1 });
    expect(after.records.length).toBeGreaterThan(0);
  });

  it('never hands an aborted task’s worker to the next task', async () => {
    await parseExportFile(ORDERS, { type: 'orders' });
    const before = parseWorkerStats();
    const controller = new AbortController();
    const parsing = parseExportFile(PRICES, {
      type: 'prices',
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(parsing).rejects.toMatchObject({ name: 'AbortError' });
    expect(parseWorkerStats()).toMatchObject({ started: before.started, idle: 0 });
    const after = await parseExportFile(PRICES, { type: 'prices' });
    expect(parseWorkerStats().started).toBe(before.started + 1);
    expect(after.records.length).toBeGreaterThan(0);
  });

  it('reports the worker’s own heap after each task, which the main thread’s figures leave out', async () => {
    await parseExportFile(ORDERS, { type: 'orders' });
    await vi.waitFor(() => expect(parseWorkerStats().heap).not.toBeNull());
    const before = parseWorkerStats();
    await parseExportFile(PRICES, { type: 'prices' });
    // The report follows the task's last message: the count moves once the worker has collected.
    await vi.waitFor(() => expect(parseWorkerStats().tasks).toBe(before.tasks + 1));
    const { heap } = parseWorkerStats();
    expect(heap!.usedBytes).toBeGreaterThan(0);
    expect(heap!.totalBytes).toBeGreaterThanOrEqual(heap!.usedBytes);
    expect(heap).not.toBe(before.heap);
  });

  it('keeps no source map in the worker, even in a process that runs with them on', async () => {
    // With source maps on in the worker (tsx turns them on; a worker inherits its parent's flags), the
    // first stack trace of a parse made Node parse pdf.js's 5 MB map and keep it: 600,000 arrays, 96 MB
    // of the worker's heap in use after the task instead of ~22 MB. 50 MB tells the two apart.
    const script = [
      `import { parseExportFile, parseWorkerStats } from ${JSON.stringify(new URL('../../src/parsers/parse-export.ts', import.meta.url).href)};`,
      `await parseExportFile(${JSON.stringify(ORDERS)}, { type: 'orders' });`,
      `while (parseWorkerStats().heap === null) await new Promise((resolve) => setTimeout(resolve, 20));`,
      `console.log(parseWorkerStats().heap.usedBytes);`,
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--enable-source-maps', '--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60_000 });
    const usedBytes = Number(stdout.trim());
    expect(usedBytes).toBeGreaterThan(1e6);
    expect(usedBytes).toBeLessThan(50e6);
  }, 90_000);

  it('lets a process end while its worker idles warm', async () => {
    const script = [
      `import { parseExportFile } from ${JSON.stringify(new URL('../../src/parsers/parse-export.ts', import.meta.url).href)};`,
      `const parsed = await parseExportFile(${JSON.stringify(ORDERS)}, { type: 'orders' });`,
      `console.log(parsed.records.length);`,
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60_000 });
    expect(Number(stdout.trim())).toBeGreaterThan(0);
  }, 90_000);
});
