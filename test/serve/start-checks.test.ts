import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exitWithin, ready, spawnServe, stderrOf, type ServeProcess } from '../support/serve-process.js';

/**
 * Settings and files the service depends on are checked before anything starts: each problem stops
 * the start with one line on stderr and exit code 1, instead of a hang or runs failing later.
 */

const started: ServeProcess[] = [];
afterEach(() => {
  for (const serve of started.splice(0)) serve.child.kill('SIGKILL');
});

/** Starts serve with `env` and returns its exit code and stderr lines (it must stop by itself). */
async function refusedStart(env: Record<string, string>) {
  const serve = await spawnServe(['ignore', 'ignore', 'pipe'], env);
  started.push(serve);
  const stderr = stderrOf(serve);
  const exit = await exitWithin(serve, 30_000);
  return { exit, lines: (await stderr).split('\n').filter(Boolean) };
}

const hashes = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((name) => name.endsWith('.db') && name !== 'orchestrator.db')
      .map((name) => [name, createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')]),
  );

describe('checks at start', () => {
  it('refuses a DATA_DIR that cannot be created, with one line', async () => {
    const { exit, lines } = await refusedStart({ DATA_DIR: '/proc/nope' });
    expect(exit).toEqual({ code: 1, signal: null });
    expect(lines).toEqual([expect.stringMatching(/^cannot start: DATA_DIR=\/proc\/nope: cannot use it as the data folder \(.+\)$/)]);
  }, 60_000);

  it('refuses an ERP_EXPORT_DIR that does not exist, with one line', async () => {
    const { exit, lines } = await refusedStart({ ERP_EXPORT_DIR: '/nonexistent/exports' });
    expect(exit).toEqual({ code: 1, signal: null });
    expect(lines).toEqual([expect.stringMatching(/^cannot start: ERP_EXPORT_DIR=\/nonexistent\/exports: cannot read it \(ENOENT\); expected .*<service>\.pdf/)]);
  }, 60_000);

  it('refuses an ERP_EXPORT_DIR that holds no readable export, with one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exports-'));
    mkdirSync(join(dir, 'agent1'));
    writeFileSync(join(dir, 'agent1', 'orders.pdf'), '%PDF-1.4\n1 0 obj'); // cut short: no %%EOF
    writeFileSync(join(dir, 'notes.txt'), 'not an export');
    const { exit, lines } = await refusedStart({ ERP_EXPORT_DIR: dir });
    expect(exit).toEqual({ code: 1, signal: null });
    expect(lines).toEqual([`cannot start: ERP_EXPORT_DIR=${dir}: holds no readable export; expected ${dir}/<service>.pdf or ${dir}/<account>/<service>.pdf for one of customers, products, prices, orders, ddt, invoices`]);
  }, 60_000);

  it.each([
    ['truncated', (file: string) => truncateSync(file, Math.floor(statSync(file).size / 3))],
    ['corrupted', (file: string) => writeFileSync(file, Buffer.concat([readFileSync(file).subarray(0, 100), Buffer.alloc(statSync(file).size - 100, 0x5a)]))],
  ])('refuses a %s orchestrator.db with one line naming the recovery command, and leaves the data databases alone', async (_name, damage) => {
    const first = await spawnServe(['ignore', 'ignore', 'ignore']);
    started.push(first);
    await ready(first);
    first.child.kill('SIGTERM');
    expect(await exitWithin(first, 40_000)).toEqual({ code: 0, signal: null });
    const before = hashes(first.dataDir);
    expect(Object.keys(before).length).toBeGreaterThan(0);
    damage(join(first.dataDir, 'orchestrator.db'));

    const { exit, lines } = await refusedStart({ DATA_DIR: first.dataDir });
    expect(exit).toEqual({ code: 1, signal: null });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`cannot start: ${join(first.dataDir, 'orchestrator.db')} is damaged (`);
    expect(lines[0]).toContain(`mkdir -p ${join(first.dataDir, 'damaged')} && mv ${join(first.dataDir, 'orchestrator.db')}* ${join(first.dataDir, 'damaged')}/`);
    expect(hashes(first.dataDir)).toEqual(before);
  }, 120_000);
});
