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
