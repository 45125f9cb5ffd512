import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { readExportFileBytes } from '../src/parsers/export-file.js';
import { ExportInvalidError } from '../src/parsers/types.js';

/**
 * Bad input to `parse` and `import` (with the type detected, as by default): whatever the path names, the
 * command exits with 2 and one line on stderr naming the problem, reads no more than a bounded regular
 * file, and writes no database.
 */

const run = promisify(execFile);
const cli = (args: string[]) =>
  run(process.execPath, ['bin/sync-orchestrator.js', ...args], { timeout: 60_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

const dir = mkdtempSync(join(tmpdir(), 'cli-bad-input-'));

/** A file that passes the envelope check (`%PDF-` … `%%EOF`) but holds no PDF structure. */
function junkPdf(): string {
  const file = join(dir, 'junk.pdf');
  writeFileSync(file, `%PDF-1.4\n${'garbage ]>> obj 12 0 R stream\n'.repeat(40)}\n%%EOF\n`);
  return file;
}

/** A real PDF that opens only with a password. */
async function passwordPdf(): Promise<string> {
  const file = join(dir, 'locked.pdf');
  const doc = new PDFDocument({ userPassword: 'secret', ownerPassword: 'owner', pdfVersion: '1.7' });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => doc.on('end', resolve));
  doc.text('Ordini');
  doc.end();
  await done;
  writeFileSync(file, Buffer.concat(chunks));
  return file;
}

function fifo(): string {
  const file = join(dir, 'pipe.pdf');
  execFileSync('mkfifo', [file]);
  return file;
}

const cases: [string, () => string | Promise<string>, RegExp][] = [
  ['a %PDF- file with junk inside', junkPdf, /^unknown export: the PDF cannot be opened: /],
  ['a password-protected PDF', passwordPdf, /^unknown export: the PDF cannot be opened: it is password-protected/],
  ['a missing path', () => join(dir, 'no-such.pdf'), /^unknown export: cannot read .*no-such\.pdf: ENOENT/],
  ['a directory', () => dir, /^unknown export: .* is not a regular file \(a directory\)/],
  ['/dev/zero', () => '/dev/zero', /^unknown export: \/dev\/zero is not a regular file \(a character device\)/],
  ['a FIFO', fifo, /^unknown export: .*pipe\.pdf is not a regular file \(a FIFO\)/],
];

describe('parse and import refuse bad input with exit 2 and one line', () => {
  const paths = new Map<string, Promise<string>>();
  const pathOf = (name: string, make: () => string | Promise<string>): Promise<string> => {
    if (!paths.has(name)) paths.set(name, Promise.resolve(make()));
    return paths.get(name)!;
  };

  it.each(cases)('import of %s (type detected)', async (name, make, message) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cli-bad-import-'));
    const { code, stdout, stderr } = await cli(['import', await pathOf(name, make), '--data-dir', dataDir]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it.each(cases)('parse of %s', async (name, make, message) => {
    const { code, stdout, stderr } = await cli(['parse', await pathOf(name, make)]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });
});

describe('reading an export file', () => {
  it('refuses a file larger than the limit before reading it', async () => {
    const file = join(dir, 'big.pdf');
    writeFileSync(file, Buffer.alloc(2048, 0x20));
    await expect(readExportFileBytes(file, 'orders export', 1024)).rejects.toThrow(
      new ExportInvalidError(`orders export: ${file} is 2048 bytes, more than the 1024-byte limit for an export`),
    );
    expect(await readExportFileBytes(file, 'orders export', 2048)).toHaveLength(2048);
  });
});
