import { mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DirectorySource } from '../../src/erp/directory-source.js';
import { SourceError } from '../../src/erp/export-source.js';

const pdf = (label: string): string => `%PDF-1.4\n% ${label}\n%%EOF\n`;

describe('DirectorySource', () => {
  let dir: string;
  let downloads: string;
  beforeEach(() => {
    const root = mkdtempSync(join(tmpdir(), 'dirsource-'));
    dir = join(root, 'exports');
    downloads = join(root, 'downloads');
    mkdirSync(join(dir, 'agent1'), { recursive: true });
  });

  it('takes the account folder first, then the shared folder', async () => {
    writeFileSync(join(dir, 'orders.pdf'), pdf('shared'));
    writeFileSync(join(dir, 'agent1', 'orders.pdf'), pdf('agent1'));
    const source = new DirectorySource(dir);
    const mine = await source.download({ service: 'orders', account: 'agent1', downloadsDir: downloads });
    const other = await source.download({ service: 'orders', account: 'agent2', downloadsDir: downloads });
    expect(readFileSync(mine.file, 'utf8')).toContain('agent1');
    expect(readFileSync(other.file, 'utf8')).toContain('shared');
    expect(mine.origin).toBe(join(dir, 'agent1', 'orders.pdf'));
  });

  it('takes the newest of several exports of one service', async () => {
    writeFileSync(join(dir, 'prices.pdf'), pdf('old'));
    writeFileSync(join(dir, 'prices-2026-01-20.pdf'), pdf('new'));
    utimesSync(join(dir, 'prices.pdf'), new Date('2026-01-01'), new Date('2026-01-01'));
    const got = await new DirectorySource(dir).download({ service: 'prices', account: 'default', downloadsDir: downloads });
    expect(readFileSync(got.file, 'utf8')).toContain('new');
  });

  it('copies the file so a later drop does not change what a checkpoint points at', async () => {
    writeFileSync(join(dir, 'ddt.pdf'), pdf('first'));
    const got = await new DirectorySource(dir).download({ service: 'ddt', account: 'default', downloadsDir: downloads });
    writeFileSync(join(dir, 'ddt.pdf'), pdf('second'));
    expect(readFileSync(got.file, 'utf8')).toContain('first');
  });

  it('fails as erp-unreachable naming the paths it looked at when no export is there', async () => {
    const err = await new DirectorySource(dir).download({ service: 'invoices', account: 'agent1', downloadsDir: downloads }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).class).toBe('erp-unreachable');
    expect((err as Error).message).toContain(join(dir, 'agent1', 'invoices.pdf'));
  });

  it('refuses a file still being copied and leaves no partial download behind', async () => {
    writeFileSync(join(dir, 'customers.pdf'), '%PDF-1.4\n1 0 obj <<');
    const err = await new DirectorySource(dir).download({ service: 'customers', account: 'default', downloadsDir: downloads }).catch((e: unknown) => e);
    expect((err as SourceError).class).toBe('export-invalid');
    expect(readdirSync(dir)).toContain('customers.pdf');
    expect(() => readdirSync(downloads)).toThrow();
  });

  it('honours an aborted signal', async () => {
    writeFileSync(join(dir, 'orders.pdf'), pdf('x'));
    const controller = new AbortController();
    controller.abort();
    await expect(new DirectorySource(dir).download({ service: 'orders', account: 'default', downloadsDir: downloads, signal: controller.signal })).rejects.toThrow();
  });
});
