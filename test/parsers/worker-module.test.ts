import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { bundleWorkerModule } from '../../src/parsers/worker-module.js';

/**
 * The parse worker's TypeScript module graph is bundled in memory into one module a worker loads from a
 * `data:` URL, with no loader in the worker (`worker-module.ts`). A package left out of the bundle is
 * imported by absolute file URL, the only kind of specifier a `data:` module resolves besides builtins.
 */
function sources(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'worker-module-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** This process's children named `esbuild` (Linux's /proc). */
function esbuildChildren(): string[] {
  return readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid === process.pid && stat.includes('(esbuild)');
    } catch {
      return false; // ended while read
    }
  });
}

function runWorker(url: URL): Promise<unknown> {
  const worker = new Worker(url, { execArgv: [] });
  return new Promise((resolve, reject) => {
    worker.once('message', (message) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe('bundleWorkerModule', () => {
  it('runs a TypeScript module graph in a worker with no loader, an external package imported by file URL', async () => {
    const dir = sources({
      'entry.ts': [
        `import { parentPort } from 'node:worker_threads';`,
        `import { version } from 'pdfjs-dist/legacy/build/pdf.mjs';`,
        `import { twice } from './helper.js';`,
        `const n: number = twice(21);`,
        `parentPort!.postMessage({ n, pdfjs: typeof version });`,
      ].join('\n'),
      'helper.ts': `export const twice = (x: number): number => x * 2;\n`,
    });
    // The test file's own location resolves pdfjs-dist; the entry's temporary directory could not.
    const entry = pathToFileURL(join(dir, 'entry.ts'));
    const url = await bundleWorkerModule({ entry, external: ['pdfjs-dist'], resolveFrom: new URL(import.meta.url) });
    expect(url.protocol).toBe('data:');
    // esbuild's service process is stopped (and then reaped) once the bundle is made: a process bundles once.
    await vi.waitFor(() => expect(esbuildChildren()).toEqual([]), { timeout: 5_000 });
    const code = Buffer.from(url.href.slice(url.href.indexOf(',') + 1), 'base64').toString('utf8');
    expect(code).toMatch(/from "file:\/\/\/[^"]*\/pdfjs-dist\/legacy\/build\/pdf\.mjs"/);
    expect(code).not.toContain('getDocument');
    await expect(runWorker(url)).resolves.toEqual({ n: 42, pdfjs: 'string' });
  });

  it('rejects with the file and line when the sources do not build', async () => {
    const dir = sources({ 'entry.ts': `const x: number = ;\n` });
    await expect(bundleWorkerModule({ entry: pathToFileURL(join(dir, 'entry.ts')), external: [] })).rejects.toThrow(/entry\.ts:1/);
    await vi.waitFor(() => expect(esbuildChildren()).toEqual([]), { timeout: 5_000 });
  });
});
