/**
 * The yardstick of the parse benchmark: bare pdf.js `getTextContent` on every page of a file, run with
 * plain `node` (no TypeScript loader) so that its process start is as cheap as pdf.js allows.
 * Usage: node bench/bare-text-content.mjs <file.pdf>
 */
import { readFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

globalThis.pdfjsWorker = await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
const doc = await getDocument({ data: new Uint8Array(readFileSync(process.argv[2])), verbosity: 0 }).promise;
let items = 0;
for (let n = 1; n <= doc.numPages; n++) {
  const page = await doc.getPage(n);
  items += (await page.getTextContent()).items.length;
  page.cleanup();
}
await doc.destroy();
if (items === 0) throw new Error('no text read');
