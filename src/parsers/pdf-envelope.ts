import { open } from 'node:fs/promises';

/**
 * Whether bytes can be a whole PDF: `%PDF-` at the start and `%%EOF` near the end. pdf.js repairs
 * damaged files silently, so a download cut short must be caught before it gets there.
 */

/** How far from the end the `%%EOF` marker may stand (producers append whitespace or a final xref). */
export const PDF_TAIL_BYTES = 1024;

/** Describes what is wrong with a file's envelope, or returns null when it looks whole. */
export function pdfEnvelopeProblem(head: Uint8Array, tail: Uint8Array, size: number): string | null {
  const start = Buffer.from(head.subarray(0, 5)).toString('latin1');
  if (start !== '%PDF-') return `not a PDF file (it starts with ${JSON.stringify(start)} instead of "%PDF-")`;
  if (!Buffer.from(tail).toString('latin1').includes('%%EOF')) {
    return `truncated PDF (no "%%EOF" marker at the end; ${size} bytes): the download was cut short`;
  }
  return null;
}

/** `pdfEnvelopeProblem` of a file on disk, reading only its first and last bytes. */
export async function pdfFileProblem(path: string): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(size, 5));
    await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(size, PDF_TAIL_BYTES));
    await handle.read(tail, 0, tail.length, Math.max(0, size - tail.length));
    return pdfEnvelopeProblem(head, tail, size);
  } finally {
    await handle.close();
  }
}
