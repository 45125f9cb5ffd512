import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { ExportInvalidError } from './types.js';

/**
 * Reading an export file into memory, bounded: only a regular file, and only up to `MAX_EXPORT_BYTES`.
 * A device (`/dev/zero`), a FIFO or a directory would otherwise be read without end or fail deep inside
 * pdf.js; they are refused here with one clear line, before any byte is read.
 */

/**
 * The largest export accepted (256 MiB). The biggest real export, prices at 14,928 pages, is about
 * 12 MB; the parser holds two or three copies of the file while it reads, so this bounds its memory too.
 */
export const MAX_EXPORT_BYTES = 256 * 2 ** 20;

/** Reads a whole export file; every problem is an `ExportInvalidError` naming the file. */
export async function readExportFileBytes(file: string, label: string, maxBytes = MAX_EXPORT_BYTES): Promise<Uint8Array> {
  let handle;
  try {
    // Non-blocking: opening a FIFO for reading would otherwise wait for a writer before it can be refused.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new ExportInvalidError(`${label}: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    // fstat of the opened handle: what is checked is what will be read.
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ExportInvalidError(`${label}: ${file} is not a regular file (${kindOf(stats)}): give the path of a PDF export`);
    if (stats.size > maxBytes) {
      throw new ExportInvalidError(`${label}: ${file} is ${stats.size} bytes, more than the ${maxBytes}-byte limit for an export`);
    }
    const bytes = new Uint8Array(stats.size);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === bytes.length ? bytes : bytes.subarray(0, filled);
  } catch (err) {
    if (err instanceof ExportInvalidError) throw err;
    throw new ExportInvalidError(`${label}: cannot read ${file}: ${(err as Error).message}`);
  } finally {
    await handle.close();
  }
}

function kindOf(stats: { isDirectory(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  const kinds: [boolean, string][] = [
    [stats.isDirectory(), 'a directory'],
    [stats.isCharacterDevice(), 'a character device'],
    [stats.isBlockDevice(), 'a block device'],
    [stats.isFIFO(), 'a FIFO'],
    [stats.isSocket(), 'a socket'],
  ];
  return kinds.find(([is]) => is)?.[1] ?? 'not a file';
}
