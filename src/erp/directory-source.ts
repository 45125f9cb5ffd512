import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pdfFileProblem } from '../parsers/pdf-envelope.js';
import { SourceError, type DownloadedExport, type DownloadRequest, type ExportSource } from './export-source.js';

/**
 * Export source for operators who export by hand: the newest PDF for a target is taken from
 * `<dir>/<account>/<service>*.pdf`, else from `<dir>/<service>*.pdf` (a shared folder serves every
 * account). The file is copied into the downloads folder first, so that a checkpoint keeps pointing at
 * the bytes it was taken from even when the operator drops a newer export meanwhile.
 */
export class DirectorySource implements ExportSource {
  readonly kind = 'directory';

  constructor(private readonly dir: string) {}

  async download(request: DownloadRequest): Promise<DownloadedExport> {
    const { service, account, downloadsDir, signal } = request;
    signal?.throwIfAborted();
    const origin = (await this.newest(join(this.dir, account), service)) ?? (await this.newest(this.dir, service));
    if (!origin) {
      throw new SourceError('erp-unreachable', `no export for ${service}@${account} in ${this.dir}: expected ${join(this.dir, account, `${service}.pdf`)} or ${join(this.dir, `${service}.pdf`)}`);
    }
    await checkWholePdf(origin);
    await mkdir(downloadsDir, { recursive: true });
    const file = join(downloadsDir, `${service}@${account}-${Date.now()}.pdf`);
    const partial = `${file}.${randomUUID()}.part`;
    try {
      await copyFile(origin, partial);
      signal?.throwIfAborted();
      await rename(partial, file);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    return { file, bytes: (await stat(file)).size, origin };
  }

  async close(): Promise<void> {}

  /** The newest `<service>.pdf` or `<service>-<anything>.pdf` in a folder, or null. */
  private async newest(dir: string, service: string): Promise<string | null> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return null;
    }
    const candidates = names.filter((n) => n === `${service}.pdf` || (n.startsWith(`${service}-`) && n.endsWith('.pdf')));
    let best: { path: string; mtime: number } | null = null;
    for (const name of candidates) {
      const path = join(dir, name);
      const s = await stat(path);
      if (s.isFile() && (!best || s.mtimeMs > best.mtime)) best = { path, mtime: s.mtimeMs };
    }
    return best?.path ?? null;
  }
}

/** A hand-dropped file may still be being copied in: refuse a file that is not a whole PDF yet. */
async function checkWholePdf(path: string): Promise<void> {
  const problem = await pdfFileProblem(path);
  if (problem) throw new SourceError('export-invalid', `${path}: ${problem} (is it still being copied?)`);
}
